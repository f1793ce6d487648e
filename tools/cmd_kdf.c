/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt passwd / kdf: password hashes and key derivation from the shell. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"

#define MAX_LENGTH (1u << 20)   /* largest derived output the CLI prints */

static const struct {
    const char *name;
    fipsrt_hash_alg alg;
} hashes[] = {
    {"sha1", FIPSRT_HASH_SHA1},         {"sha224", FIPSRT_HASH_SHA224},
    {"sha256", FIPSRT_HASH_SHA256},     {"sha384", FIPSRT_HASH_SHA384},
    {"sha512", FIPSRT_HASH_SHA512},     {"sha512-224", FIPSRT_HASH_SHA512_224},
    {"sha512-256", FIPSRT_HASH_SHA512_256}, {"sha3-224", FIPSRT_HASH_SHA3_224},
    {"sha3-256", FIPSRT_HASH_SHA3_256}, {"sha3-384", FIPSRT_HASH_SHA3_384},
    {"sha3-512", FIPSRT_HASH_SHA3_512}, {"md5", FIPSRT_HASH_MD5},
};

static bool parse_hash(const char *name, fipsrt_hash_alg *alg)
{
    for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
        if (strcasecmp(name, hashes[i].name) == 0) {
            *alg = hashes[i].alg;
            return true;
        }
    return false;
}

/* A whole decimal number in [min, max]. */
static bool parse_num(const char *s, unsigned long long min, unsigned long long max,
                      unsigned long long *v)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    errno = 0;
    *v = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' && *v >= min && *v <= max;
}

static void free_secret(void *p, size_t len)
{
    if (p != NULL)
        explicit_bzero(p, len);
    free(p);
}

/* Prompt on the terminal with echo off; the password is NUL-terminated in buf. */
static int prompt_password(const char *prompt, char *buf, size_t cap)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
        return -1;
    char *got = fgets(buf, (int)cap, stdin);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (got == NULL)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/*
 * The password for `fipsrt passwd`: prompted without echo on a terminal (twice when
 * `confirm`), else the first line of stdin without its line ending. malloc'd.
 * Returns NULL, or why there is no password.
 */
static const char *read_password(bool confirm, char **pw, size_t *len)
{
    const char *why = NULL;
    *pw = NULL;
    if (isatty(STDIN_FILENO)) {
        char a[1024], b[1024];
        if (prompt_password("Password: ", a, sizeof(a)) != 0)
            why = "no password entered";
        else if (confirm && prompt_password("Retype password: ", b, sizeof(b)) != 0)
            why = "no password entered";
        else if (confirm && strcmp(a, b) != 0)
            why = "passwords do not match";
        else if ((*pw = strdup(a)) == NULL)
            why = "out of memory";
        *len = *pw ? strlen(a) : 0;
        explicit_bzero(a, sizeof(a));
        explicit_bzero(b, sizeof(b));
        return why;
    }
    uint8_t *data;
    size_t n;
    if (read_file("-", &data, &n) != 0)
        return strerror(errno);
    char *nl = memchr(data, '\n', n);
    size_t line = nl ? (size_t)(nl - (char *)data) : n;
    if (line > 0 && data[line - 1] == '\r')
        line--;
    if ((*pw = malloc(line + 1)) != NULL) {
        memcpy(*pw, data, line);
        (*pw)[line] = '\0';
        *len = line;
    }
    free_secret(data, n);
    return *pw ? NULL : "out of memory";
}

int cmd_passwd(int argc, char **argv)
{
    unsigned long long rounds = 0;
    const char *verify = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc &&
            parse_num(argv[i + 1], 1, UINT32_MAX, &rounds)) {
            i++;
        } else if (strcmp(argv[i], "--verify") == 0 && i + 1 < argc) {
            verify = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: fipsrt passwd [--rounds N]      hash a new password (pbkdf2-sha512)\n"
                    "       fipsrt passwd --verify HASH     check a password against HASH\n"
                    "The password is prompted without echo on a terminal, else read as the\n"
                    "first line of stdin. --verify exits 0 if valid (printing 'needs rehash'\n"
                    "when the hash should be replaced), 1 if invalid or refused.\n");
            return CLI_USAGE;
        }
    }
    if (verify && rounds) {
        fprintf(stderr, "fipsrt passwd: --rounds applies to hashing only\n");
        return CLI_USAGE;
    }
    char *pw;
    size_t pw_len = 0;
    const char *why = read_password(verify == NULL, &pw, &pw_len);
    if (why != NULL) {
        fprintf(stderr, "fipsrt passwd: %s\n", why);
        return CLI_USAGE;
    }
    int rv, status = CLI_OK;
    if (verify) {
        int needs_rehash = 0;
        rv = fipsrt_passwd_verify(verify, pw, pw_len, &needs_rehash);
        if (rv < 0) {
            cli_error("passwd", rv, "verify");
            status = CLI_FAIL;
        } else {
            printf(needs_rehash ? "valid, needs rehash\n" : "valid\n");
        }
    } else {
        char out[FIPSRT_PASSWD_HASH_MAX];
        rv = fipsrt_passwd_hash(pw, pw_len, (uint32_t)rounds, out, sizeof(out), NULL);
        if (rv < 0) {
            cli_error("passwd", rv, "hash");
            status = CLI_FAIL;
        } else {
            printf("%s\n", out);
        }
    }
    free_secret(pw, pw_len);
    return status;
}

/* Options of `fipsrt kdf`: each hex value malloc'd (NULL when absent). */
struct kdf_opts {
    fipsrt_hash_alg alg;
    bool have_alg;
    uint8_t *ikm, *salt, *info;
    size_t ikm_len, salt_len, info_len;
    unsigned long long length, iterations;
};

static int kdf_usage(void)
{
    fprintf(stderr,
            "usage: fipsrt kdf hkdf --hash H --ikm-hex HEX [--salt-hex HEX] [--info-hex HEX] --length N\n"
            "       fipsrt kdf pbkdf2 --hash H --salt-hex HEX --iterations N --length N\n"
            "H: sha1 (hkdf only) sha224 sha256 sha384 sha512 sha512-224 sha512-256\n"
            "   sha3-224 sha3-256 sha3-384 sha3-512\n"
            "pbkdf2 reads the password as all of stdin, byte for byte. Output is hex.\n");
    return CLI_USAGE;
}

static bool hex_opt(const char *val, uint8_t **buf, size_t *len)
{
    free(*buf);
    *buf = NULL;
    return val != NULL && hex_decode(val, buf, len) == 0;
}

static bool parse_kdf_opts(int argc, char **argv, struct kdf_opts *o)
{
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok;
        if (strcmp(opt, "--hash") == 0)
            ok = val && (o->have_alg = parse_hash(val, &o->alg));
        else if (strcmp(opt, "--ikm-hex") == 0)
            ok = hex_opt(val, &o->ikm, &o->ikm_len);
        else if (strcmp(opt, "--salt-hex") == 0)
            ok = hex_opt(val, &o->salt, &o->salt_len);
        else if (strcmp(opt, "--info-hex") == 0)
            ok = hex_opt(val, &o->info, &o->info_len);
        else if (strcmp(opt, "--length") == 0)
            ok = parse_num(val, 1, MAX_LENGTH, &o->length);
        else if (strcmp(opt, "--iterations") == 0)
            ok = parse_num(val, 1, UINT64_MAX, &o->iterations);
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "fipsrt kdf: bad option or value: %s%s%s\n", opt, val ? " " : "",
                    val ? val : "");
            return false;
        }
        i++;
    }
    return o->have_alg && o->length > 0;
}

int cmd_kdf(int argc, char **argv)
{
    struct kdf_opts o = {0};
    bool hkdf = argc >= 2 && strcmp(argv[1], "hkdf") == 0;
    bool pbkdf2 = argc >= 2 && strcmp(argv[1], "pbkdf2") == 0;
    int status = CLI_USAGE, rv;
    uint8_t *out = NULL, *pw = NULL;
    size_t pw_len = 0;
    if (!(hkdf || pbkdf2) || !parse_kdf_opts(argc, argv, &o)) {
        kdf_usage();
        goto done;
    }
    if (hkdf && (o.ikm == NULL || o.iterations)) {
        fprintf(stderr, "fipsrt kdf hkdf: needs --ikm-hex and takes no --iterations\n");
        goto done;
    }
    if (pbkdf2 && (o.salt == NULL || o.iterations == 0 || o.ikm || o.info)) {
        fprintf(stderr, "fipsrt kdf pbkdf2: needs --salt-hex and --iterations, "
                        "takes no --ikm-hex or --info-hex\n");
        goto done;
    }
    if (pbkdf2 && read_file("-", &pw, &pw_len) != 0) {
        fprintf(stderr, "fipsrt kdf pbkdf2: stdin: %s\n", strerror(errno));
        goto done;
    }
    if ((out = malloc(o.length)) == NULL) {
        fprintf(stderr, "fipsrt kdf: out of memory\n");
        goto done;
    }
    if (hkdf)
        rv = fipsrt_hkdf(o.alg, o.ikm, o.ikm_len, o.salt, o.salt_len, o.info, o.info_len, out,
                         o.length);
    else
        rv = fipsrt_pbkdf2(o.alg, pw, pw_len, o.salt, o.salt_len, o.iterations, out, o.length);
    if (rv < 0) {
        cli_error("kdf", rv, argv[1]);
        status = CLI_FAIL;
    } else {
        print_hex(stdout, out, o.length);
        putchar('\n');
        status = CLI_OK;
    }
done:
    free_secret(out, out ? o.length : 0);
    free_secret(pw, pw_len);
    free_secret(o.ikm, o.ikm_len);
    free(o.salt);
    free(o.info);
    return status;
}
