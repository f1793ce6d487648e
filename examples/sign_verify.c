/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign_verify: sign a message and verify it with the public half of the key, the way an
 * application hands a public key to someone else.
 *
 *   sign_verify                 new P-256 key; sign a fixed message (DER and JOSE r||s)
 *   sign_verify KEY.pem FILE    sign FILE with a PKCS#8 key (EC: ECDSA; RSA: RSA-PSS)
 *
 * The public key is exported as SPKI PEM and imported back, as a verifier would receive
 * it; then a tampered message is shown to fail. Everything runs in the FIPS provider.
 * Exit status: 0 if the signature verified and the tampered copy did not.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/fipsrt.h>

static int fail(const char *what, int rv)
{
    fprintf(stderr, "sign_verify: %s: %s\n  %s\n", what, fipsrt_strerror(rv), fipsrt_last_error());
    return 1;
}

static void hex(const char *label, const uint8_t *buf, size_t len)
{
    printf("%s (%zu bytes): ", label, len);
    for (size_t i = 0; i < len; i++)
        printf("%02x", buf[i]);
    printf("\n");
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Sign with the key's natural scheme; verify with `pub`, then with a flipped message bit. */
static int sign_and_check(const fipsrt_key *key, const fipsrt_key *pub, uint8_t *msg, size_t len)
{
    uint8_t sig[1024];
    size_t sig_len;
    int rv;
    bool ec = fipsrt_key_get_type(key) == FIPSRT_KEY_EC;
    if (ec)
        rv = fipsrt_ecdsa_sign(key, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, len, sig,
                               sizeof(sig), &sig_len);
    else
        rv = fipsrt_rsa_sign(key, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, len, sig,
                             sizeof(sig), &sig_len);
    if (rv != 0)
        return fail("sign", rv);
    hex(ec ? "ECDSA P-256/SHA-256 signature (DER)" : "RSA-PSS/SHA-256 signature", sig, sig_len);
    if (ec) {
        /* The same signature as JOSE/WebCrypto want it: fixed-width r || s. */
        uint8_t raw[FIPSRT_ECDSA_MAX_SIZE];
        size_t raw_len;
        rv = fipsrt_ecdsa_der_to_p1363(fipsrt_key_get_curve(key), sig, sig_len, raw,
                                       sizeof(raw), &raw_len);
        if (rv != 0)
            return fail("der_to_p1363", rv);
        hex("same signature as r||s (P1363/JOSE)", raw, raw_len);
    }
    rv = ec ? fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, len, sig, sig_len)
            : fipsrt_rsa_verify(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, len, sig, sig_len);
    if (rv != 0)
        return fail("verify", rv);
    printf("verified with the imported public key\n");
    if (len == 0)
        return 0;
    msg[0] ^= 1;
    rv = ec ? fipsrt_ecdsa_verify(pub, FIPSRT_HASH_SHA256, FIPSRT_ECDSA_DER, msg, len, sig, sig_len)
            : fipsrt_rsa_verify(pub, FIPSRT_RSA_PSS, FIPSRT_HASH_SHA256, msg, len, sig, sig_len);
    msg[0] ^= 1;
    if (rv != FIPSRT_E_VERIFY_FAILED) {
        fprintf(stderr, "sign_verify: a tampered message did not fail (%d)\n", rv);
        return 1;
    }
    printf("tampered message refused: %s\n", fipsrt_strerror(rv));
    return 0;
}

int main(int argc, char **argv)
{
    fipsrt_key *key = NULL, *pub = NULL;
    uint8_t pem[4096], *msg = NULL, *file = NULL;
    size_t pem_len, msg_len, file_len;
    int rv, status = 1;
    static const char demo[] = "hello from libfipsrt";

    if (argc != 1 && argc != 3) {
        fprintf(stderr, "usage: sign_verify [KEY.pem FILE]\n");
        return 2;
    }
    if (argc == 1) {
        rv = fipsrt_key_generate_ec(&key, FIPSRT_EC_P256);
        if (rv != 0)
            return fail("generate", rv);
        msg = (uint8_t *)strdup(demo);
        msg_len = strlen(demo);
    } else {
        /* A PKCS#8 key, e.g. from `fipsrt keygen ec -o KEY.pem` or `openssl genpkey`. */
        file = read_all(argv[1], &file_len);
        msg = read_all(argv[2], &msg_len);
        if (file == NULL || msg == NULL)
            goto out;
        rv = fipsrt_key_import_private(&key, FIPSRT_KEY_PEM, file, file_len, NULL, 0);
        if (rv != 0) {
            status = fail(argv[1], rv);
            goto out;
        }
    }
    /* What a verifier receives: the SubjectPublicKeyInfo PEM. */
    rv = fipsrt_key_export_public(key, FIPSRT_KEY_PEM, pem, sizeof(pem), &pem_len);
    if (rv != 0) {
        status = fail("export_public", rv);
        goto out;
    }
    printf("%.*s", (int)pem_len, (const char *)pem);
    rv = fipsrt_key_import_public(&pub, FIPSRT_KEY_PEM, pem, pem_len);
    if (rv != 0) {
        status = fail("import_public", rv);
        goto out;
    }
    status = sign_and_check(key, pub, msg, msg_len);
out:
    free(file);
    free(msg);
    fipsrt_key_free(pub);
    fipsrt_key_free(key);
    return status;
}
