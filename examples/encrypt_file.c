/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encrypt_file: seal a file of any size in 64 KiB records with AES-256-GCM and a
 * counter-nonce context, and open it back, releasing each record only once it verifies.
 *
 *   encrypt_file keygen KEYFILE        write a new 32-byte key (from the FIPS DRBG)
 *   encrypt_file seal KEYFILE IN OUT   encrypt IN into OUT
 *   encrypt_file open KEYFILE IN OUT   verify and decrypt IN (a sealed file) into OUT
 *
 * File format (all of it authenticated):
 *
 *   header   "FRTAEAD1" (8 bytes) || fixed nonce field F (12 bytes, drawn from the DRBG)
 *   record i ciphertext of plaintext bytes [64 KiB * i, 64 KiB * (i + 1)) || tag (16 bytes)
 *
 * Record i is sealed with nonce F XOR (0^32 || i as 64-bit big-endian) (the TLS 1.3
 * construction, FIPSRT_AEAD_NONCE_XOR) and AAD = header || final, where final is one byte,
 * 1 for the last record and 0 otherwise. Every record but the last holds exactly 64 KiB;
 * the last holds less (possibly nothing), so a file cut at a record boundary, records
 * swapped or a record from another file all fail to open. A random 96-bit F, rather than a
 * 32-bit prefix, keeps nonces of different files under one key apart.
 *
 * Opening writes to OUT.partial and renames it to OUT only when the last record has
 * verified; on any failure the partial file is removed and the exit status is 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#define RECORD 65536
#define MAGIC "FRTAEAD1"
#define HEADER (8 + FIPSRT_AEAD_NONCE_SIZE)

static int fail(const char *what, int rv)
{
    fprintf(stderr, "encrypt_file: %s: %s\n  %s\n", what, fipsrt_strerror(rv),
            fipsrt_last_error());
    return 1;
}

static int load_key(const char *path, uint8_t key[32])
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(key, 1, 32, f) : 0;
    int extra = f ? fgetc(f) : EOF;
    if (f)
        fclose(f);
    if (n != 32 || extra != EOF) {
        fprintf(stderr, "encrypt_file: %s: want a 32-byte key file\n", path);
        return -1;
    }
    return 0;
}

static int keygen(const char *path)
{
    uint8_t key[32];
    int rv = fipsrt_random(key, sizeof(key));
    if (rv < 0)
        return fail("fipsrt_random", rv);
    FILE *f = fopen(path, "wbx");   /* never overwrite a key */
    if (f == NULL || fwrite(key, 1, sizeof(key), f) != sizeof(key) || fclose(f) != 0) {
        fprintf(stderr, "encrypt_file: %s: %s\n", path, strerror(errno));
        return 2;
    }
    explicit_bzero(key, sizeof(key));
    return 0;
}

/* Read up to `cap` bytes, looping over short reads; returns the count (< cap only at EOF). */
static size_t read_full(FILE *f, uint8_t *buf, size_t cap)
{
    size_t n = 0, got;
    while (n < cap && (got = fread(buf + n, 1, cap - n, f)) > 0)
        n += got;
    return n;
}

static int seal_file(fipsrt_aead_counter *ctx, FILE *in, FILE *out)
{
    static uint8_t pt[RECORD], ct[RECORD + FIPSRT_AEAD_TAG_SIZE];
    uint8_t aad[HEADER + 1];
    size_t n, fixed_len;
    memcpy(aad, MAGIC, 8);
    aad[HEADER] = 0;
    int rv = fipsrt_aead_counter_fixed(ctx, aad + 8, FIPSRT_AEAD_NONCE_SIZE, &fixed_len);
    if (rv < 0)
        return fail("fipsrt_aead_counter_fixed", rv);
    if (fwrite(aad, 1, HEADER, out) != HEADER)
        return 2;
    /* The final record is the first one short of RECORD bytes (empty if need be). */
    for (uint64_t i = 0; !aad[HEADER]; i++) {
        size_t have = read_full(in, pt, RECORD);
        aad[HEADER] = have < RECORD;
        rv = fipsrt_aead_counter_seal(ctx, i, aad, sizeof(aad), pt, have, ct, sizeof(ct), &n);
        if (rv < 0)
            return fail("fipsrt_aead_counter_seal", rv);
        if (fwrite(ct, 1, n, out) != n)
            return 2;
    }
    explicit_bzero(pt, sizeof(pt));
    return ferror(in) ? 2 : 0;
}

static int open_file(const uint8_t key[32], FILE *in, FILE *out)
{
    static uint8_t ct[RECORD + FIPSRT_AEAD_TAG_SIZE], pt[RECORD];
    uint8_t aad[HEADER + 1];
    fipsrt_aead_counter *ctx = NULL;
    int status = 0, rv;
    if (read_full(in, aad, HEADER) != HEADER || memcmp(aad, MAGIC, 8) != 0) {
        fprintf(stderr, "encrypt_file: not an encrypt_file file\n");
        return 1;
    }
    rv = fipsrt_aead_counter_new(&ctx, FIPSRT_AEAD_AES_256_GCM, key, 32, FIPSRT_AEAD_NONCE_XOR,
                                 aad + 8, FIPSRT_AEAD_NONCE_SIZE);
    if (rv < 0)
        return fail("fipsrt_aead_counter_new", rv);
    for (uint64_t i = 0;; i++) {
        size_t got = read_full(in, ct, sizeof(ct)), n;
        aad[HEADER] = got < sizeof(ct);   /* a full-size record is never the last */
        if (got == 0) {
            fprintf(stderr, "encrypt_file: truncated: the final record is missing\n");
            status = 1;
            break;
        }
        rv = fipsrt_aead_counter_open(ctx, i, aad, sizeof(aad), ct, got, pt, sizeof(pt), &n);
        if (rv < 0) {
            status = fail("record does not verify", rv);
            break;
        }
        if (fwrite(pt, 1, n, out) != n) {
            status = 2;
            break;
        }
        if (aad[HEADER])
            break;
    }
    explicit_bzero(pt, sizeof(pt));
    fipsrt_aead_counter_free(ctx);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "keygen") == 0)
        return keygen(argv[2]);
    if (argc != 5 || (strcmp(argv[1], "seal") != 0 && strcmp(argv[1], "open") != 0)) {
        fprintf(stderr, "usage: encrypt_file keygen KEYFILE\n"
                        "       encrypt_file seal|open KEYFILE IN OUT\n");
        return 2;
    }
    uint8_t key[32];
    if (load_key(argv[2], key) != 0)
        return 2;
    FILE *in = fopen(argv[3], "rb");
    if (in == NULL) {
        fprintf(stderr, "encrypt_file: %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    char partial[4096];
    snprintf(partial, sizeof(partial), "%s.partial", argv[4]);
    bool seal = strcmp(argv[1], "seal") == 0;
    FILE *out = fopen(seal ? argv[4] : partial, "wb");
    if (out == NULL) {
        fprintf(stderr, "encrypt_file: %s: %s\n", seal ? argv[4] : partial, strerror(errno));
        fclose(in);
        return 2;
    }
    int status;
    if (seal) {
        fipsrt_aead_counter *ctx = NULL;
        int rv = fipsrt_aead_counter_new(&ctx, FIPSRT_AEAD_AES_256_GCM, key, 32,
                                         FIPSRT_AEAD_NONCE_XOR, NULL, 0);
        status = rv < 0 ? fail("fipsrt_aead_counter_new", rv) : seal_file(ctx, in, out);
        fipsrt_aead_counter_free(ctx);
    } else {
        status = open_file(key, in, out);
    }
    explicit_bzero(key, sizeof(key));
    fclose(in);
    if (fclose(out) != 0 && status == 0)
        status = 2;
    if (!seal) {
        if (status == 0 && rename(partial, argv[4]) != 0)
            status = 2;
        if (status != 0)
            unlink(partial);
    }
    if (status == 2)
        fprintf(stderr, "encrypt_file: I/O error\n");
    return status;
}
