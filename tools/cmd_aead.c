/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt aead seal|open: AES-GCM file encryption with a nonce generated in the FIPS module. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"

static const char usage_text[] =
    "usage: fipsrt aead seal|open --key-file F [--aad-hex H] [--in F] [--out F] [--hex|--base64]\n"
    "\n"
    "  seal  encrypts --in (default stdin) to --out (default stdout) with AES-GCM; the FIPS\n"
    "        module generates the nonce. open verifies and decrypts; it writes nothing unless\n"
    "        the tag verifies (exit status 1 if it does not).\n"
    "  --key-file F  the key: 16, 24 or 32 raw bytes (AES-128/192/256), or the same as\n"
    "                32, 48 or 64 hex digits (whitespace ignored; hex wins if both could fit)\n"
    "  --aad-hex H   additional authenticated data (not stored: open needs the same value)\n"
    "  --hex, --base64  the sealed form is text in that encoding (one line) instead of binary\n"
    "\n"
    "sealed format: nonce (12 bytes) || ciphertext (as long as the plaintext) || tag (16 bytes)\n"
    "Whole files are processed in memory; for streams use the library's counter-nonce records\n"
    "(see examples/encrypt_file.c).\n";

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void print_base64(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        fputc(b64_alphabet[v >> 18 & 63], f);
        fputc(b64_alphabet[v >> 12 & 63], f);
        fputc(i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=', f);
        fputc(i + 2 < n ? b64_alphabet[v & 63] : '=', f);
    }
}

/* Standard base64 with padding, whitespace ignored; decodes in place. 0 or -1. */
static int base64_decode(uint8_t *buf, size_t len, size_t *out_len)
{
    uint32_t acc = 0;
    size_t o = 0, bits = 0, pad = 0, chars = 0;
    for (size_t i = 0; i < len; i++) {
        int c = buf[i];
        if (isspace(c))
            continue;
        chars++;
        if (c == '=') {
            pad++;
            continue;
        }
        const char *at = c ? strchr(b64_alphabet, c) : NULL;
        if (at == NULL || pad > 0)
            return -1;
        acc = acc << 6 | (uint32_t)(at - b64_alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (chars % 4 != 0 || pad > 2)
        return -1;
    *out_len = o;
    return 0;
}

/* Hex with whitespace ignored; decodes in place. 0 or -1. */
static int hex_decode_inplace(uint8_t *buf, size_t len, size_t *out_len)
{
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < len; i++) {
        int c = buf[i];
        if (isspace(c))
            continue;
        if (!isxdigit(c))
            return -1;
        int d = isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
        if (hi < 0) {
            hi = d;
        } else {
            buf[o++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    if (hi >= 0)
        return -1;
    *out_len = o;
    return 0;
}

static bool all_hex(const uint8_t *p, size_t n, size_t *digits)
{
    *digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isxdigit(p[i]))
            (*digits)++;
        else if (!isspace(p[i]))
            return false;
    }
    return true;
}

static void free_secret(void *p, size_t len)
{
    if (p != NULL)
        explicit_bzero(p, len);
    free(p);
}

/* Load a key file (raw or hex, see the usage) into a key object. */
static int load_key(const char *path, fipsrt_aead_key **key)
{
    uint8_t *buf;
    size_t len, digits, n = 0;
    if (read_file(path, &buf, &len) != 0) {
        fprintf(stderr, "fipsrt aead: %s: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    size_t cap = len;
    if (all_hex(buf, len, &digits) && (digits == 32 || digits == 48 || digits == 64))
        hex_decode_inplace(buf, len, &n);
    else if (len == 16 || len == 24 || len == 32)
        n = len;
    fipsrt_aead_alg alg = n == 16 ? FIPSRT_AEAD_AES_128_GCM
                        : n == 24 ? FIPSRT_AEAD_AES_192_GCM
                        : n == 32 ? FIPSRT_AEAD_AES_256_GCM : (fipsrt_aead_alg)0;
    if (alg == 0) {
        fprintf(stderr, "fipsrt aead: %s: not a key (want 16, 24 or 32 raw bytes, or 32, 48 "
                        "or 64 hex digits)\n", path);
        free_secret(buf, cap);
        return CLI_USAGE;
    }
    int rv = fipsrt_aead_key_new(key, alg, buf, n);
    free_secret(buf, cap);
    if (rv < 0) {
        cli_error("aead", rv, path);
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* The output, all or nothing (tools/cli_out.c); decrypted plaintext is a secret (0600). */
static int write_out(const char *path, const uint8_t *p, size_t n, int encoding, bool secret)
{
    char *text = NULL;
    size_t text_len = 0;
    int rv = 0;
    if (encoding != 0) {
        FILE *m = open_memstream(&text, &text_len);
        if (m == NULL) {
            rv = -1;
        } else {
            if (encoding == 'h')
                print_hex(m, p, n);
            else
                print_base64(m, p, n);
            fputc('\n', m);
            rv = ferror(m) | fclose(m) ? -1 : 0;
        }
        if (rv == 0)
            rv = cli_write_file(path, text, text_len, secret);
        free(text);
    } else {
        rv = cli_write_file(path, p, n, secret);
    }
    if (rv != 0) {
        fprintf(stderr, "fipsrt aead: %s: %s\n", strcmp(path, "-") ? path : "stdout",
                strerror(errno));
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_aead(int argc, char **argv)
{
    const char *key_file = NULL, *aad_hex = NULL, *in_path = "-", *out_path = "-";
    int encoding = 0;
    bool seal = argc >= 2 && strcmp(argv[1], "seal") == 0;
    bool ok = seal || (argc >= 2 && strcmp(argv[1], "open") == 0);
    for (int i = 2; ok && i < argc; i++) {
        if (strcmp(argv[i], "--key-file") == 0 && i + 1 < argc)
            key_file = argv[++i];
        else if (strcmp(argv[i], "--aad-hex") == 0 && i + 1 < argc)
            aad_hex = argv[++i];
        else if (strcmp(argv[i], "--in") == 0 && i + 1 < argc)
            in_path = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else if (strcmp(argv[i], "--hex") == 0 && encoding == 0)
            encoding = 'h';
        else if (strcmp(argv[i], "--base64") == 0 && encoding == 0)
            encoding = 'b';
        else
            ok = false;
    }
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (!ok || key_file == NULL) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }

    int status = CLI_OK, rv;
    uint8_t *aad = NULL, *in = NULL, *out = NULL;
    size_t aad_len = 0, in_len = 0, n = 0, out_cap = 0;
    fipsrt_aead_key *key = NULL;
    if (aad_hex != NULL && hex_decode(aad_hex, &aad, &aad_len) != 0) {
        fprintf(stderr, "fipsrt aead: --aad-hex: not a hex string\n");
        return CLI_USAGE;
    }
    if ((status = load_key(key_file, &key)) != CLI_OK)
        goto done;
    if (read_file(in_path, &in, &in_len) != 0) {
        fprintf(stderr, "fipsrt aead: %s: %s\n", in_path, strerror(errno));
        status = CLI_USAGE;
        goto done;
    }

    if (seal) {
        out_cap = FIPSRT_AEAD_NONCE_SIZE + in_len + FIPSRT_AEAD_TAG_SIZE;
        if ((out = malloc(out_cap)) == NULL) {
            status = CLI_USAGE;
            fprintf(stderr, "fipsrt aead: out of memory\n");
            goto done;
        }
        rv = fipsrt_aead_seal(key, aad, aad_len, in, in_len, out,
                              out + FIPSRT_AEAD_NONCE_SIZE, out_cap - FIPSRT_AEAD_NONCE_SIZE, &n);
        if (rv < 0) {
            cli_error("aead seal", rv, in_path);
            status = CLI_FAIL;
            goto done;
        }
        status = write_out(out_path, out, FIPSRT_AEAD_NONCE_SIZE + n, encoding, false);
    } else {
        size_t raw = in_len;
        if ((encoding == 'h' && hex_decode_inplace(in, in_len, &raw) != 0) ||
            (encoding == 'b' && base64_decode(in, in_len, &raw) != 0)) {
            fprintf(stderr, "fipsrt aead: %s: not valid %s\n", in_path,
                    encoding == 'h' ? "hex" : "base64");
            status = CLI_USAGE;
            goto done;
        }
        if (raw < FIPSRT_AEAD_NONCE_SIZE + FIPSRT_AEAD_TAG_SIZE) {
            fprintf(stderr, "fipsrt aead: %s: %zu bytes is too short for nonce || ciphertext "
                            "|| tag (at least 28 bytes)\n", in_path, raw);
            status = CLI_FAIL;
            goto done;
        }
        out_cap = raw - FIPSRT_AEAD_NONCE_SIZE - FIPSRT_AEAD_TAG_SIZE;
        if ((out = malloc(out_cap + 1)) == NULL) {
            status = CLI_USAGE;
            fprintf(stderr, "fipsrt aead: out of memory\n");
            goto done;
        }
        rv = fipsrt_aead_open(key, in, aad, aad_len, in + FIPSRT_AEAD_NONCE_SIZE,
                              raw - FIPSRT_AEAD_NONCE_SIZE, out, out_cap, &n);
        if (rv < 0) {
            cli_error("aead open", rv, in_path);
            status = CLI_FAIL;
            goto done;
        }
        status = write_out(out_path, out, n, 0, true);
    }
done:
    fipsrt_aead_key_free(key);
    free(aad);
    free_secret(in, in_len);
    free_secret(out, out_cap);
    return status;
}
