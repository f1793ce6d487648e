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

#endif
