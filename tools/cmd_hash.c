/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt hash / hmac / random: sha256sum-style digests, MACs and DRBG output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fipsrt/fipsrt.h>
#include <fipsrt/insecure.h>

#include "cli.h"

static const struct {
    const char *name;
    fipsrt_hash_alg alg;
} algs[] = {
    {"sha1", FIPSRT_HASH_SHA1},         {"sha224", FIPSRT_HASH_SHA224},
    {"sha256", FIPSRT_HASH_SHA256},     {"sha384", FIPSRT_HASH_SHA384},
    {"sha512", FIPSRT_HASH_SHA512},     {"sha512-224", FIPSRT_HASH_SHA512_224},
    {"sha512-256", FIPSRT_HASH_SHA512_256}, {"sha3-224", FIPSRT_HASH_SHA3_224},
    {"sha3-256", FIPSRT_HASH_SHA3_256}, {"sha3-384", FIPSRT_HASH_SHA3_384},
    {"sha3-512", FIPSRT_HASH_SHA3_512}, {"shake128", FIPSRT_HASH_SHAKE128},
    {"shake256", FIPSRT_HASH_SHAKE256}, {"md5", FIPSRT_HASH_MD5},
};

static bool parse_alg(const char *name, fipsrt_hash_alg *alg)
{
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strcasecmp(name, algs[i].name) == 0) {
            *alg = algs[i].alg;
            return true;
        }
    return false;
}

/* Stream one file through a hash context (or non-security MD5) and print "hex  name". */
static int hash_file(fipsrt_hash_alg alg, bool insecure, size_t xof_len, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fipsrt hash: %s: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    uint8_t buf[65536], out[256];
    size_t n, out_len = 0;
    int read_errno = 0;
    int rv;
    fipsrt_hash_ctx *h = NULL;
    fipsrt_insecure_md5_ctx *m = NULL;
    rv = insecure ? fipsrt_insecure_md5_new(&m) : fipsrt_hash_new(&h, alg);
    errno = 0;
    while (rv == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        rv = insecure ? fipsrt_insecure_md5_update(m, buf, n) : fipsrt_hash_update(h, buf, n);
    if (rv == 0 && ferror(f)) {
        read_errno = errno ? errno : EIO;   /* a directory: EISDIR */
    } else if (rv == 0 && insecure) {
        rv = fipsrt_insecure_md5_final(m, out);
        out_len = FIPSRT_INSECURE_MD5_SIZE;
    } else if (rv == 0 && xof_len) {
        rv = fipsrt_hash_final_xof(h, out, out_len = xof_len);
    } else if (rv == 0) {
        rv = fipsrt_hash_final(h, out, sizeof(out), &out_len);
    }
    if (f != stdin)
        fclose(f);
    fipsrt_hash_free(h);
    fipsrt_insecure_md5_free(m);
    if (read_errno) {
        fprintf(stderr, "fipsrt hash: %s: %s\n", path, strerror(read_errno));
        return CLI_USAGE;
    }
    if (rv < 0) {
        cli_error("hash", rv, path);
        return CLI_FAIL;
    }
    print_hex(stdout, out, out_len);
    printf("  %s\n", path);
    return CLI_OK;
}

int cmd_hash(int argc, char **argv)
{
    bool insecure = false;
    int i = 1;
    size_t xof_len = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--insecure") == 0) {
            insecure = true;
        } else if (strcmp(argv[i], "--length") == 0 && i + 1 < argc) {
            char *end;
            const char *v = argv[++i];
            xof_len = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
            if (xof_len == 0 || *end != '\0')
                xof_len = SIZE_MAX;   /* not a whole number >= 1: the usage below */
        } else {
            break;
        }
    }
    fipsrt_hash_alg alg;
    if (i >= argc || !parse_alg(argv[i], &alg) || xof_len > 256) {
        fprintf(stderr, "usage: fipsrt hash [--insecure] [--length N] ALG [FILE...]\n"
                        "ALG: sha1 sha224 sha256 sha384 sha512 sha512-224 sha512-256\n"
                        "     sha3-224 sha3-256 sha3-384 sha3-512 shake128 shake256\n"
                        "     md5 (only with --insecure: non-security checksums, outside the FIPS boundary)\n");
        return CLI_USAGE;
    }
    i++;
    if (alg == FIPSRT_HASH_MD5 && !insecure) {
        fprintf(stderr, "fipsrt hash: md5: %s; for a non-security checksum use "
                        "'fipsrt hash --insecure md5' (outside the FIPS boundary)\n",
                fipsrt_strerror(FIPSRT_E_MD5_SECURE));
        return CLI_FAIL;
    }
    if (insecure && alg != FIPSRT_HASH_MD5) {
        fprintf(stderr, "fipsrt hash: --insecure applies to md5 only\n");
        return CLI_USAGE;
    }
    if (alg == FIPSRT_HASH_SHAKE128 || alg == FIPSRT_HASH_SHAKE256) {
        if (xof_len == 0)
            xof_len = alg == FIPSRT_HASH_SHAKE128 ? 32 : 64;
    } else if (xof_len) {
        fprintf(stderr, "fipsrt hash: --length applies to shake128/shake256 only\n");
        return CLI_USAGE;
    }
    int status = CLI_OK;
    if (i == argc)
        return hash_file(alg, insecure, xof_len, "-");
    for (; i < argc; i++) {
        int s = hash_file(alg, insecure, xof_len, argv[i]);
        if (s > status)
            status = s;
    }
    return status;
}

int cmd_hmac(int argc, char **argv)
{
    fipsrt_hash_alg alg;
    if (argc < 4 || !parse_alg(argv[1], &alg) || strcmp(argv[2], "--key-hex") != 0) {
        fprintf(stderr, "usage: fipsrt hmac ALG --key-hex HEX [FILE...]\n");
        return CLI_USAGE;
    }
    uint8_t *key;
    size_t key_len;
    if (hex_decode(argv[3], &key, &key_len) != 0) {
        fprintf(stderr, "fipsrt hmac: --key-hex: not a hex string\n");
        return CLI_USAGE;
    }
    int status = CLI_OK;
    const char *stdin_only[] = {"-"};
    const char **files = argc > 4 ? (const char **)argv + 4 : stdin_only;
    int nfiles = argc > 4 ? argc - 4 : 1;
    for (int i = 0; i < nfiles; i++) {
        uint8_t *data = NULL, tag[FIPSRT_HASH_MAX_SIZE];
        size_t len, tag_len;
        if (read_file(files[i], &data, &len) != 0) {
            fprintf(stderr, "fipsrt hmac: %s: %s\n", files[i], strerror(errno));
            status = CLI_USAGE;
            continue;
        }
        int rv = fipsrt_hmac(alg, key, key_len, data, len, tag, sizeof(tag), &tag_len);
        free(data);
        if (rv < 0) {
            cli_error("hmac", rv, files[i]);
            status = CLI_FAIL;
            break;
        }
        print_hex(stdout, tag, tag_len);
        printf("  %s\n", files[i]);
    }
    free(key);
    return status;
}

int cmd_random(int argc, char **argv)
{
    char *end;
    unsigned long n = argc >= 2 ? strtoul(argv[1], &end, 10) : 0;
    bool hex = argc == 3 && strcmp(argv[2], "--hex") == 0;
    if (argc < 2 || argc > 3 || *end != '\0' || n == 0 || n > (1UL << 20) || (argc == 3 && !hex)) {
        fprintf(stderr, "usage: fipsrt random N [--hex]   (1 <= N <= 1048576)\n");
        return CLI_USAGE;
    }
    uint8_t *buf = malloc(n);
    int rv = buf ? fipsrt_random(buf, n) : FIPSRT_E_NOMEM;
    if (rv < 0) {
        cli_error("random", rv, "random bytes");
        free(buf);
        return CLI_FAIL;
    }
    if (hex) {
        print_hex(stdout, buf, n);
        putchar('\n');
    } else {
        fwrite(buf, 1, n, stdout);
    }
    free(buf);
    return CLI_OK;
}
