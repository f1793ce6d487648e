/* SPDX-License-Identifier: Apache-2.0 */
/* The fipsrt command-line tool: one file per command family, this header joins them. */
#ifndef FIPSRT_CLI_H
#define FIPSRT_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses: 0 success, 1 refused/failed (verification, policy), 2 usage or I/O error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Commands: argv[0] is the command name. */
int cmd_status(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_hmac(int argc, char **argv);
int cmd_random(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_kdf(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_aead(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_pubkey(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
/* The TLS policy lines of fipsrt status (tools/cmd_tls.c). */
void print_tls_policy(bool json);

/* Helpers (tools/cli_util.c). */
void cli_error(const char *cmd, int code, const char *what);   /* "fipsrt CMD: what: text" */
void json_string(FILE *f, const char *s);                      /* quoted, escaped */
void print_hex(FILE *f, const uint8_t *buf, size_t len);
/* Read a whole file ("-" = stdin) into a malloc'd buffer. Returns 0 or -1 (errno set). */
int read_file(const char *path, uint8_t **buf, size_t *len);
/* Decode hex into a malloc'd buffer; returns 0 or -1 on bad input. */
int hex_decode(const char *hex, uint8_t **buf, size_t *len);

/* Output files (tools/cli_out.c): a temporary file in the target's directory, renamed over
 * the target by cli_out_commit() only after every write succeeded; "-" or NULL = stdout.
 * A symbolic link is followed (the file it names is replaced, the link stays); a target that
 * exists and is not a regular file (/dev/null, a FIFO, a terminal) is written in place.
 * `secret` files are 0600 (also when replacing a file), others 0666 & ~umask. Functions
 * return 0, or -1 with errno set (and nothing left behind). */
typedef struct cli_out {
    const char *path;
    char *tmp;    /* NULL for stdout and in-place targets */
    char *real;   /* the resolved path of a symbolic link, or NULL */
    bool direct;  /* written in place: a device, FIFO or other non-regular file */
    int fd;
} cli_out;
int cli_out_open(cli_out *o, const char *path, bool secret);
int cli_out_write(cli_out *o, const void *data, size_t len);
int cli_out_commit(cli_out *o);
void cli_out_abort(cli_out *o);
int cli_write_file(const char *path, const void *data, size_t len, bool secret);
/* Flush stdout at the end of a command: an unwritten byte turns success into CLI_USAGE. */
int cli_finish_stdout(int status);

#endif
