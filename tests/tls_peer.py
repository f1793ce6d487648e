#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Python's ssl module as a TLS peer for tests/test_tls.c (an implementation no one here wrote).

  tls_peer.py client PORT CAFILE [--tls12|--tls13] [--cert C --key K]
      connect to 127.0.0.1:PORT as "localhost", GET /, print "VERSION CIPHER" then the body.
  tls_peer.py server CERT KEY [--tls12|--tls13] [--cafile F]
      serve one connection on 127.0.0.1 (port printed as "port N"), answer any request with
      "hello from python", print "VERSION CIPHER" of the connection, exit.
"""
import socket
import ssl
import sys


def versions(ctx, args):
    if '--tls12' in args:
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if '--tls13' in args:
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3


def opt(args, name):
    return args[args.index(name) + 1] if name in args else None


def client(port, cafile, args):
    ctx = ssl.create_default_context(cafile=cafile)
    versions(ctx, args)
    if opt(args, '--cert'):
        ctx.load_cert_chain(opt(args, '--cert'), opt(args, '--key'))
    with socket.create_connection(('127.0.0.1', int(port)), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost') as s:
            print(s.version(), s.cipher()[0], flush=True)
            s.sendall(b'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n')
            data = b''
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
    sys.stdout.write(data.split(b'\r\n\r\n', 1)[1].decode())


def server(cert, key, args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    versions(ctx, args)
    if opt(args, '--cafile'):
        ctx.load_verify_locations(opt(args, '--cafile'))
        ctx.verify_mode = ssl.CERT_REQUIRED
    with socket.socket() as lsock:
        lsock.bind(('127.0.0.1', 0))
        lsock.listen(1)
        lsock.settimeout(30)
        print('port', lsock.getsockname()[1], flush=True)
        conn, _ = lsock.accept()
        conn.settimeout(30)
        with ctx.wrap_socket(conn, server_side=True) as s:
            print(s.version(), s.cipher()[0], flush=True)
            req = b''
            while b'\r\n\r\n' not in req:
                chunk = s.recv(4096)
                if not chunk:
                    break
                req += chunk
            body = b'hello from python\n'
            s.sendall(b'HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
            s.unwrap()  # close_notify


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'client':
        client(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif len(sys.argv) >= 4 and sys.argv[1] == 'server':
        server(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
