#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The revocation and SNI fixtures of tests/test_tls_revocation.c and tests/test_tls_certs.c,
# made once per test process in DIR by the openssl CLI (under the FIPS configuration the
# environment names; OPENSSL_CONF=/dev/null only for the deliberately bad SHA-1 fixture):
#
#   ca.pem/.key          P-256 CA run by `openssl ca` (index.txt, crlnumber)
#   good, revoked        P-256 leaves for localhost/127.0.0.1 issued by `openssl ca`;
#                        revoked.pem revoked (keyCompromise); *-chain.pem with the CA
#   muststaple           leaf with the TLS feature extension status_request (RFC 7633)
#   unknown              leaf issued by the CA outside `openssl ca` (not in index.txt)
#   ocsp                 delegated responder (extendedKeyUsage OCSPSigning)
#   other.pem/.key       another CA (not the issuer) for wrongly signed responses
#   crl.pem / crl.der    the CA's CRL (revoked.pem on it), PEM and DER
#   crl-stale.pem        a CRL whose nextUpdate passed
#   crl-badsig.der       crl.der with its signature broken
#   crl-sha1.pem         the CRL signed with ECDSA-SHA1 (default provider)
#   garbage.der          not an OCSP response
#   crldir/              crl.pem plus an unrelated file
#   resp-{good,revoked,unknown,muststaple}.der
#                        fresh responses from `openssl ocsp` running as a responder on
#                        127.0.0.1 (in a private network namespace when `unshare -n` works,
#                        so the responder, which binds every interface, sees only loopback;
#                        else signed offline by the same `openssl ocsp -index`)
#                        (CertIDs with SHA-1, as CAs make them and curl looks them up)
#   resp-good-sha256id.der  good, CertID hashed with SHA-256
#   resp-good-by-ca.der  good, signed by the CA itself, no certificates included
#   resp-expired.der     good, thisUpdate/nextUpdate two days/one day ago (Python cryptography)
#   resp-wrongsigner.der good, signed by other (not authorised by the issuer)
#   resp-noeku.der       good, signed by the good leaf's key (no OCSPSigning)
#   resp-sha1.der        good, signed by the responder with SHA-1
#   resp-badsig.der      resp-good-by-ca.der with its signature broken
#   sni-*                SNI fixtures: a.example (ECDSA and RSA), *.wild.example, default,
#                        b.example, badsan (subjectAltNames DNS:"bad name.example", which is
#                        no host name, and DNS:badsan.example)
set -eu
self=$(readlink -f "$0")
q() { "$@" >/dev/null 2>&1 || { echo "fixture command failed: $*" >&2; "$@"; exit 1; }; }

if [ "$1" = --responder ]; then   # inside `unshare -n`: only loopback exists
  cd "$2"
  ip link set lo up
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  openssl ocsp -index index.txt -port "$port" -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem \
    -ndays 1 -nrequest 4 >responder.log 2>&1 &
  pid=$!
  for i in $(seq 200); do grep -q "waiting for OCSP" responder.log && break; sleep 0.05; done
  for c in good revoked unknown muststaple; do
    q openssl ocsp -issuer ca.pem -cert "$c.pem" -no_nonce \
      -url "http://127.0.0.1:$port" -respout "resp-$c.der" -noverify
  done
  wait $pid
  exit 0
fi
dir=$1
cd "$dir"

cat > ca.cnf <<'EOF'
[ca]
default_ca = ca_sect
[ca_sect]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
crlnumber = ./crlnumber
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = pol
copy_extensions = none
unique_subject = no
[pol]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[muststaple]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
tlsfeature = status_request
[ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
EOF
mkdir -p newcerts crldir
: > index.txt
echo 1000 > serial
echo 01 > crlnumber

ec() { q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
ec ca.key
q openssl req -x509 -new -key ca.key -subj "/CN=fipsrt revocation test CA" -days 30 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem
issue() {  # name extensions-section
  ec "$1.key"
  q openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr"
  q openssl ca -batch -config ca.cnf -extensions "$2" -in "$1.csr" -out "$1.pem" -notext
}
issue good leaf
issue revoked leaf
issue muststaple muststaple
issue ocsp ocsp
ec unknown.key
q openssl req -new -key unknown.key -subj /CN=unknown -out unknown.csr
q openssl x509 -req -in unknown.csr -CA ca.pem -CAkey ca.key -set_serial 0x7777 -days 30 \
  -sha256 -extfile ca.cnf -extensions leaf -out unknown.pem
ec other.key
q openssl req -x509 -new -key other.key -subj "/CN=other CA" -days 30 -sha256 \
  -addext "basicConstraints=critical,CA:TRUE" -out other.pem

# Chains with the CA (curl --cert-status looks for the issuer in what the server sends)
cat good.pem ca.pem > good-chain.pem
cat revoked.pem ca.pem > revoked-chain.pem

# CRLs
q openssl ca -config ca.cnf -revoke revoked.pem -crl_reason keyCompromise
q openssl ca -config ca.cnf -gencrl -out crl.pem
q openssl crl -in crl.pem -outform DER -out crl.der
q openssl ca -config ca.cnf -gencrl -crl_lastupdate 20200101000000Z \
  -crl_nextupdate 20200108000000Z -out crl-stale.pem
python3 - <<'EOF'
d = bytearray(open('crl.der', 'rb').read())
d[-1] ^= 0x01           # the last byte of the signature BIT STRING
open('crl-badsig.der', 'wb').write(d)
EOF
cp crl.pem crldir/ca.crl
echo "not a CRL" > crldir/README

# OCSP: one request per certificate, answered by the responder
for c in good revoked unknown muststaple; do
  q openssl ocsp -issuer ca.pem -cert "$c.pem" -no_nonce -reqout "req-$c.der"
done
q openssl ocsp -sha256 -issuer ca.pem -cert good.pem -no_nonce -reqout req-good-sha256.der
if unshare -n sh "$self" --responder "$dir" 2>responder.err; then
  echo namespace > responder.mode
else
  for c in good revoked unknown muststaple; do
    q openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -ndays 1 \
      -reqin "req-$c.der" -respout "resp-$c.der"
  done
  echo offline > responder.mode
fi
q openssl ocsp -index index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem -ndays 1 \
  -resp_no_certs -reqin req-good.der -respout resp-good-by-ca.der
q openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -ndays 1 \
  -reqin req-good-sha256.der -respout resp-good-sha256id.der
q openssl ocsp -index index.txt -rsigner other.pem -rkey other.key -CA ca.pem -ndays 1 \
  -reqin req-good.der -respout resp-wrongsigner.der
q openssl ocsp -index index.txt -rsigner good.pem -rkey good.key -CA ca.pem -ndays 1 \
  -reqin req-good.der -respout resp-noeku.der
(export OPENSSL_CONF=/dev/null; unset OPENSSL_MODULES
 q openssl ca -config ca.cnf -gencrl -md sha1 -out crl-sha1.pem
 q openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -ndays 1 \
   -rmd sha1 -reqin req-good.der -respout resp-sha1.der)
python3 - <<'EOF'
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
load = lambda n: x509.load_pem_x509_certificate(open(n, 'rb').read())
ca, good, responder = load('ca.pem'), load('good.pem'), load('ocsp.pem')
key = serialization.load_pem_private_key(open('ocsp.key', 'rb').read(), None)
now = datetime.datetime.now(datetime.timezone.utc)
b = ocsp.OCSPResponseBuilder().add_response(
    cert=good, issuer=ca, algorithm=hashes.SHA256(), cert_status=ocsp.OCSPCertStatus.GOOD,
    this_update=now - datetime.timedelta(days=2), next_update=now - datetime.timedelta(days=1),
    revocation_time=None, revocation_reason=None).responder_id(
    ocsp.OCSPResponderEncoding.HASH, responder).certificates([responder])
open('resp-expired.der', 'wb').write(
    b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
d = bytearray(open('resp-good-by-ca.der', 'rb').read())
d[-1] ^= 0x01           # no certificates follow: the last byte is the signature's
open('resp-badsig.der', 'wb').write(d)
EOF

# Edge cases of CRLs and OCSP for tests/test_tls_revocation.c (Python cryptography):
#   crl-sha384.der, crl-sha512.der  the CA's CRL signed with ECDSA-SHA384/512
#   crl-future.der       lastUpdate tomorrow
#   crl-ed25519.der, crl-dsa.der, crl-unknownalg.der  signature algorithms refused at load
#   crl-trailing.der     crl.der plus a byte
#   resp-two.der         two answers, revoked.pem's first, then good.pem's
#   resp-nocerts.der     signed by the delegated responder, its certificate left out
#   resp-good-sha{224,384,512}id.der  CertIDs with those hashes
#   resp-revoked-noreason.der, resp-future.der (thisUpdate tomorrow), resp-nonext.der (no
#   nextUpdate, thisUpdate an hour ago), resp-old.der (no nextUpdate, two days old),
#   resp-twocerts.der (other.pem before the responder), resp-sha384sig.der,
#   resp-wrongname.der / resp-wrongkey.der (CertID with a wrong issuer name / key hash),
#   resp-by-{noeku,expired,notyet,sha1,forged}.der  signed by delegated responders without
#   any EKU, expired, not yet valid, certified with ECDSA-SHA1 (ocsp-sha1.pem), forged (names the CA as
#   issuer, signed by other.key)
q openssl ocsp -issuer ca.pem -cert revoked.pem -cert good.pem -no_nonce -reqout req-two.der
q openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -ndays 1 \
  -reqin req-two.der -respout resp-two.der
q openssl ocsp -index index.txt -rsigner ocsp.pem -rkey ocsp.key -CA ca.pem -ndays 1 \
  -resp_no_certs -reqin req-good.der -respout resp-nocerts.der
ec ocsp-sha1.key
q openssl req -new -key ocsp-sha1.key -subj "/CN=responder sha1" -out ocsp-sha1.csr
(export OPENSSL_CONF=/dev/null; unset OPENSSL_MODULES
 q openssl x509 -req -in ocsp-sha1.csr -CA ca.pem -CAkey ca.key -set_serial 0x5151 -days 30 \
   -sha1 -extfile ca.cnf -extensions ocsp -out ocsp-sha1.pem)
python3 - <<'EOF'
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
load = lambda n: x509.load_pem_x509_certificate(open(n, 'rb').read())
key = lambda n: serialization.load_pem_private_key(open(n, 'rb').read(), None)
ca, good, revoked, responder, other = (load(n + '.pem') for n in ('ca', 'good', 'revoked', 'ocsp', 'other'))
ca_key, rkey, other_key = key('ca.key'), key('ocsp.key'), key('other.key')
now = datetime.datetime.now(datetime.timezone.utc)
day = datetime.timedelta(days=1)
DER = serialization.Encoding.DER

def crl(name, signer, md, last=now - day, nxt=now + 7 * day):
    b = x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
    b = b.last_update(last).next_update(nxt).add_revoked_certificate(
        x509.RevokedCertificateBuilder().serial_number(revoked.serial_number)
        .revocation_date(now - day).build())
    open(name, 'wb').write(b.sign(signer, md).public_bytes(DER))
crl('crl-sha384.der', ca_key, hashes.SHA384())
crl('crl-sha512.der', ca_key, hashes.SHA512())
crl('crl-future.der', ca_key, hashes.SHA256(), last=now + day, nxt=now + 8 * day)
crl('crl-ed25519.der', ed25519.Ed25519PrivateKey.generate(), None)
crl('crl-dsa.der', dsa.generate_private_key(2048), hashes.SHA256())
d = open('crl.der', 'rb').read()
oid = bytes.fromhex('06082a8648ce3d040302')           # ecdsa-with-SHA256, twice in a CRL
assert d.count(oid) == 2
open('crl-unknownalg.der', 'wb').write(d.replace(oid, bytes.fromhex('06082a8648ce3d040309')))
open('crl-trailing.der', 'wb').write(d + b'\0')

def resp(name, cert=good, status=ocsp.OCSPCertStatus.GOOD, this=now - day / 24, nxt=now + day,
         md=hashes.SHA1(), signer=responder, skey=rkey, certs=None, by_hash=None,
         sig_md=hashes.SHA256()):
    b = ocsp.OCSPResponseBuilder()
    rtime = now - day if status == ocsp.OCSPCertStatus.REVOKED else None
    common = dict(algorithm=md, cert_status=status, this_update=this, next_update=nxt,
                  revocation_time=rtime, revocation_reason=None)
    if by_hash is None:
        b = b.add_response(cert=cert, issuer=ca, **common)
    else:
        b = b.add_response_by_hash(issuer_name_hash=by_hash[0], issuer_key_hash=by_hash[1],
                                   serial_number=cert.serial_number, **common)
    b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, signer)
    b = b.certificates([signer] if certs is None else certs)
    open(name, 'wb').write(b.sign(skey, sig_md).public_bytes(DER))
resp('resp-good-sha384id.der', md=hashes.SHA384())
resp('resp-good-sha512id.der', md=hashes.SHA512())
resp('resp-good-sha224id.der', md=hashes.SHA224())
resp('resp-revoked-noreason.der', cert=revoked, status=ocsp.OCSPCertStatus.REVOKED)
resp('resp-future.der', this=now + day, nxt=now + 2 * day)
resp('resp-nonext.der', nxt=None)
resp('resp-old.der', this=now - 2 * day, nxt=None)
resp('resp-twocerts.der', certs=[other, responder])
resp('resp-sha384sig.der', sig_md=hashes.SHA384())
h = hashes.Hash(hashes.SHA1())
h.update(ca.subject.public_bytes())
key_hash = x509.SubjectKeyIdentifier.from_public_key(ca.public_key()).digest  # SHA-1 of the key
resp('resp-wrongname.der', by_hash=(b'\x55' * 20, key_hash))
resp('resp-wrongkey.der', by_hash=(h.finalize(), b'\x55' * 20))

def responder_cert(name, issuer_key=ca_key, nb=now - day, na=now + 30 * day, eku=True):
    k = ec.generate_private_key(ec.SECP256R1())
    b = x509.CertificateBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'responder ' + name)]))
    b = b.issuer_name(ca.subject).public_key(k.public_key())
    b = b.serial_number(x509.random_serial_number()).not_valid_before(nb).not_valid_after(na)
    b = b.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
    resp('resp-by-' + name + '.der', signer=b.sign(issuer_key, hashes.SHA256()), skey=k)
responder_cert('noeku', eku=False)
responder_cert('expired', nb=now - 30 * day, na=now - day)
responder_cert('notyet', nb=now + day, na=now + 30 * day)
resp('resp-by-sha1.der', signer=load('ocsp-sha1.pem'), skey=key('ocsp-sha1.key'))
responder_cert('forged', issuer_key=other_key)
EOF

# SNI: a.example with an ECDSA and an RSA chain, *.wild.example, a default
sni() {  # name key-algorithm-args san
  q openssl genpkey $2 -out "sni-$1.key"
  q openssl req -new -key "sni-$1.key" -subj "/CN=$1" -out "sni-$1.csr"
  printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" > "sni-$1.ext"
  q openssl x509 -req -in "sni-$1.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
    -days 30 -sha256 -extfile "sni-$1.ext" -out "sni-$1.pem"
}
EC="-algorithm EC -pkeyopt ec_paramgen_curve:P-256"
sni a-ec "$EC" "DNS:a.example"
sni a-rsa "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "DNS:a.example"
sni wild "$EC" "DNS:*.wild.example"
sni default "$EC" "DNS:localhost,IP:127.0.0.1"
sni b "$EC" "DNS:b.example"
sni badsan "$EC" "DNS:bad name.example,DNS:badsan.example"
rm -f ./*.csr
printf 'not DER' > garbage.der
echo ok > done
