/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the public-key suites (keys, ecdsa, rsa, ecdh). */
#ifndef FIPSRT_PK_TESTUTIL_H
#define FIPSRT_PK_TESTUTIL_H

#include "testutil.h"

/* A whole vector file (relative to the vectors directory); fails the test if missing. */
uint8_t *vec_slurp(const char *rel, size_t *len);

/* Import a key file from the vectors; `pub` selects SPKI, else PKCS#8. Returns the code. */
int import_vec_key(fipsrt_key **out, const char *rel, bool pub, const char *password);

/* Hex string -> exactly `width` bytes, left-padded with zeros (fails if it does not fit). */
void hex_fixed(const char *hex, uint8_t *out, size_t width);

/* Field size in bytes of a curve. */
size_t curve_bytes(fipsrt_ec_curve curve);

/* "P-256" / "P-384" / "P-521" -> curve, 0 for anything else (P-192, K-163, ...). */
fipsrt_ec_curve curve_from_name(const char *name);

/* "SHA-256", "SHA256", "SHA3-256", "SHA-512/224", "SHA1" ... -> hash, 0 if unknown. */
fipsrt_hash_alg hash_from_name(const char *name);

/* The curve of the current CAVP section ("[P-256]", "[P-384,SHA-512]"); 0 if not approved. */
fipsrt_ec_curve vec_curve(const vec_file *v);

/* Uncompressed point 0x04 || X || Y from hex coordinates; returns its length. */
size_t point_from_hex(fipsrt_ec_curve curve, const char *qx, const char *qy, uint8_t *out);

/*
 * An RSA private key from hex n, e, d (and p, q when known: otherwise they are recovered
 * from n, e, d), built by OpenSSL in the test, encoded as PKCS#8 and imported through
 * fipsrt_key_import_private(). Returns the import's code.
 */
int rsa_private_from_hex(fipsrt_key **out, const char *n, const char *e, const char *d,
                         const char *p, const char *q);

/* Run the `openssl` CLI (default provider: OPENSSL_CONF/OPENSSL_MODULES unset). */
void run_openssl(char *const argv[], proc_result *r);
/* Run /usr/bin/python3 -c SCRIPT with the same environment; asserts exit status 0. */
void run_python(const char *script, proc_result *r);

/* Lower-case hex of a buffer into a malloc'd string. */
char *to_hex(const uint8_t *buf, size_t len);

/* Fail unless the thread's OpenSSL error queue is empty (SPEC 1.6). */
void assert_err_queue_empty(void);

#endif
