/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fipsrt keygen / pubkey / sign / verify / encrypt / decrypt: key files and signatures that
 * the openssl command line reads and writes too (PKCS#8 and SPKI PEM, DER signatures).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"

/* Passwords and private keys pass through here: wipe before free (no libcrypto in the CLI). */
static void clear_free(void *p, size_t n)
{
    if (p != NULL) {
        explicit_bzero(p, n);
        free(p);
    }
}

struct opts {
    const char *key, *pubkey, *sig, *out, *hash, *format, *curve, *pass_file, *label;
    unsigned bits;
    bool pss, oaep, der;
    const char *args[4];
    int nargs;
};

/* Options that take a value, and flags; anything else not starting with '-' is positional. */
static int parse(const char *cmd, int argc, char **argv, struct opts *o)
{
    static const struct { const char *name; size_t off; } vals[] = {
        {"--key", offsetof(struct opts, key)},         {"--pubkey", offsetof(struct opts, pubkey)},
        {"--sig", offsetof(struct opts, sig)},         {"-o", offsetof(struct opts, out)},
        {"--out", offsetof(struct opts, out)},         {"--hash", offsetof(struct opts, hash)},
        {"--format", offsetof(struct opts, format)},   {"--curve", offsetof(struct opts, curve)},
        {"--pass-file", offsetof(struct opts, pass_file)}, {"--label", offsetof(struct opts, label)},
    };
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool done = false;
        for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]) && !done; v++) {
            if (strcmp(a, vals[v].name) == 0) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "fipsrt %s: %s needs a value\n", cmd, a);
                    return -1;
                }
                *(const char **)((char *)o + vals[v].off) = argv[++i];
                done = true;
            }
        }
        if (done)
            continue;
        if (strcmp(a, "--bits") == 0 && i + 1 < argc) {
            char *end;
            const char *v = argv[++i];
            unsigned long b = v[0] >= '1' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
            if (b == 0 || *end != '\0' || b > 16384) {   /* never a silent default */
                fprintf(stderr, "fipsrt %s: --bits takes a number of bits, not '%s'\n", cmd, v);
                return -1;
            }
            o->bits = (unsigned)b;
        } else if (strcmp(a, "--pss") == 0) {
            o->pss = true;
        } else if (strcmp(a, "--oaep") == 0) {
            o->oaep = true;
        } else if (strcmp(a, "--der") == 0) {
            o->der = true;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && o->nargs < 4) {
            o->args[o->nargs++] = a;
        } else {
            fprintf(stderr, "fipsrt %s: unknown option '%s'\n", cmd, a);
            return -1;
        }
    }
    return 0;
}

static bool parse_hash(const char *cmd, const char *name, fipsrt_hash_alg *alg)
{
    static const struct { const char *n; fipsrt_hash_alg a; } t[] = {
        {"sha1", FIPSRT_HASH_SHA1},           {"sha224", FIPSRT_HASH_SHA224},
        {"sha256", FIPSRT_HASH_SHA256},       {"sha384", FIPSRT_HASH_SHA384},
        {"sha512", FIPSRT_HASH_SHA512},       {"sha512-224", FIPSRT_HASH_SHA512_224},
        {"sha512-256", FIPSRT_HASH_SHA512_256}, {"sha3-224", FIPSRT_HASH_SHA3_224},
        {"sha3-256", FIPSRT_HASH_SHA3_256},   {"sha3-384", FIPSRT_HASH_SHA3_384},
        {"sha3-512", FIPSRT_HASH_SHA3_512},   {"md5", FIPSRT_HASH_MD5},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcasecmp(name ? name : "sha256", t[i].n) == 0) {
            *alg = t[i].a;
            return true;
        }
    fprintf(stderr, "fipsrt %s: unknown hash '%s' (sha224 sha256 sha384 sha512 sha512-224 "
                    "sha512-256 sha3-224 sha3-256 sha3-384 sha3-512)\n", cmd, name);
    return false;
}

/* The first line of --pass-file (a password never goes on the command line). */
static int read_password(const char *cmd, const char *path, char **pass, size_t *len)
{
    uint8_t *buf;
    size_t n;
    *pass = NULL;
    *len = 0;
    if (path == NULL)
        return 0;
    if (read_file(path, &buf, &n) != 0) {
        fprintf(stderr, "fipsrt %s: %s: %s\n", cmd, path, strerror(errno));
        return -1;
    }
    size_t l = 0;
    while (l < n && buf[l] != '\n' && buf[l] != '\r')
        l++;
    *pass = malloc(l + 1);
    if (*pass == NULL) {
        explicit_bzero(buf, n);
        free(buf);
        return -1;
    }
    memcpy(*pass, buf, l);
    (*pass)[l] = '\0';
    *len = l;
    explicit_bzero(buf, n);
    free(buf);
    return 0;
}

/* Load a key file, PEM or DER by content. A private key serves where a public one is asked. */
static int load_key(const char *cmd, const char *path, bool want_private, const char *pass_file,
                    fipsrt_key **key)
{
    uint8_t *buf;
    size_t len;
    char *pass = NULL;
    size_t pass_len = 0;
    if (read_file(path, &buf, &len) != 0) {
        fprintf(stderr, "fipsrt %s: %s: %s\n", cmd, path, strerror(errno));
        return CLI_USAGE;
    }
    if (read_password(cmd, pass_file, &pass, &pass_len) != 0) {
        free(buf);
        return CLI_USAGE;
    }
    fipsrt_key_encoding enc = memmem(buf, len, "-----BEGIN", 10) ? FIPSRT_KEY_PEM : FIPSRT_KEY_DER;
    int rv = want_private ? FIPSRT_E_KEY_TYPE : fipsrt_key_import_public(key, enc, buf, len);
    if (rv == FIPSRT_E_KEY_TYPE || (rv == FIPSRT_E_MALFORMED && enc == FIPSRT_KEY_DER))
        rv = fipsrt_key_import_private(key, enc, buf, len, pass, pass_len);
    explicit_bzero(buf, len);
    free(buf);
    clear_free(pass, pass_len);
    if (rv < 0) {
        cli_error(cmd, rv, path);
        return rv == FIPSRT_E_INVALID_ARG && pass_file == NULL ? CLI_USAGE : CLI_FAIL;
    }
    return CLI_OK;
}

/* Write the output (-o FILE, or stdout); secret files are created 0600. */
static int write_out(const char *cmd, const char *path, const uint8_t *data, size_t len,
                     bool secret)
{
    /* all or nothing: a temporary file renamed into place (tools/cli_out.c) */
    if (cli_write_file(path, data, len, secret) != 0) {
        fprintf(stderr, "fipsrt %s: %s: %s\n", cmd, path && strcmp(path, "-") ? path : "stdout",
                strerror(errno));
        return CLI_USAGE;
    }
    return CLI_OK;
}

int cmd_keygen(int argc, char **argv)
{
    struct opts o;
    fipsrt_key *key = NULL;
    char *pass = NULL;
    size_t pass_len = 0, len = 0;
    uint8_t *buf = NULL;
    int rv, status = CLI_USAGE;
    if (parse("keygen", argc, argv, &o) != 0 || o.nargs != 1 || o.out == NULL) {
        fprintf(stderr, "usage: fipsrt keygen ec|rsa [--curve p256|p384|p521] [--bits 2048|3072|4096]\n"
                        "                     [--pass-file FILE] [--der] -o KEY\n");
        return CLI_USAGE;
    }
    if (strcmp(o.args[0], "ec") == 0) {
        fipsrt_ec_curve c = 0;
        const char *cv = o.curve ? o.curve : "p256";
        if (strcasecmp(cv, "p256") == 0 || strcasecmp(cv, "P-256") == 0 || strcmp(cv, "prime256v1") == 0)
            c = FIPSRT_EC_P256;
        else if (strcasecmp(cv, "p384") == 0 || strcasecmp(cv, "P-384") == 0 || strcmp(cv, "secp384r1") == 0)
            c = FIPSRT_EC_P384;
        else if (strcasecmp(cv, "p521") == 0 || strcasecmp(cv, "P-521") == 0 || strcmp(cv, "secp521r1") == 0)
            c = FIPSRT_EC_P521;
        if (c == 0 || o.bits) {
            fprintf(stderr, "fipsrt keygen: --curve p256|p384|p521 (approved curves only)\n");
            return CLI_USAGE;
        }
        rv = fipsrt_key_generate_ec(&key, c);
    } else if (strcmp(o.args[0], "rsa") == 0 && o.curve == NULL) {
        rv = fipsrt_key_generate_rsa(&key, o.bits ? o.bits : 3072);
    } else {
        fprintf(stderr, "fipsrt keygen: the key type is ec or rsa\n");
        return CLI_USAGE;
    }
    if (rv < 0) {
        cli_error("keygen", rv, o.args[0]);
        return CLI_FAIL;
    }
    if (read_password("keygen", o.pass_file, &pass, &pass_len) != 0)
        goto out;
    fipsrt_key_encoding enc = o.der ? FIPSRT_KEY_DER : FIPSRT_KEY_PEM;
    rv = fipsrt_key_export_private(key, enc, pass, pass_len, NULL, 0, &len);
    if (rv == FIPSRT_E_BUFFER_TOO_SMALL && (buf = malloc(len)) != NULL)
        rv = fipsrt_key_export_private(key, enc, pass, pass_len, buf, len, &len);
    if (rv < 0) {
        cli_error("keygen", rv, "export");
        status = CLI_FAIL;
        goto out;
    }
    status = write_out("keygen", o.out, buf, len, true);
out:
    clear_free(buf, len);
    clear_free(pass, pass_len);
    fipsrt_key_free(key);
    return status;
}

int cmd_pubkey(int argc, char **argv)
{
    struct opts o;
    fipsrt_key *key = NULL;
    uint8_t buf[8192];
    size_t len;
    if (parse("pubkey", argc, argv, &o) != 0 || o.nargs != 1) {
        fprintf(stderr, "usage: fipsrt pubkey KEY [--pass-file FILE] [--der] [-o PUB]\n");
        return CLI_USAGE;
    }
    int status = load_key("pubkey", o.args[0], false, o.pass_file, &key);
    if (status != CLI_OK)
        return status;
    int rv = fipsrt_key_export_public(key, o.der ? FIPSRT_KEY_DER : FIPSRT_KEY_PEM, buf,
                                      sizeof(buf), &len);
    if (rv < 0) {
        cli_error("pubkey", rv, o.args[0]);
        status = CLI_FAIL;
    } else {
        status = write_out("pubkey", o.out, buf, len, false);
        if (status == CLI_OK && fipsrt_key_is_legacy(key))
            fprintf(stderr, "fipsrt pubkey: note: %u-bit RSA is a legacy key: verification only "
                            "(SP 800-131A)\n", fipsrt_key_get_bits(key));
    }
    fipsrt_key_free(key);
    return status;
}

/* Shared by sign and verify: the padding and encoding options for the key's type. */
static int sig_options(const char *cmd, const struct opts *o, const fipsrt_key *key,
                       fipsrt_ecdsa_format *fmt)
{
    *fmt = FIPSRT_ECDSA_DER;
    if (fipsrt_key_get_type(key) == FIPSRT_KEY_EC) {
        if (o->pss) {
            fprintf(stderr, "fipsrt %s: --pss is for RSA keys\n", cmd);
            return -1;
        }
        if (o->format && strcmp(o->format, "p1363") == 0)
            *fmt = FIPSRT_ECDSA_P1363;
        else if (o->format && strcmp(o->format, "der") != 0) {
            fprintf(stderr, "fipsrt %s: --format der|p1363\n", cmd);
            return -1;
        }
    } else if (o->format && strcmp(o->format, "der") != 0) {
        fprintf(stderr, "fipsrt %s: --format applies to EC keys (RSA signatures have one form)\n", cmd);
        return -1;
    }
    return 0;
}

int cmd_sign(int argc, char **argv)
{
    struct opts o;
    fipsrt_key *key = NULL;
    fipsrt_hash_alg h;
    fipsrt_ecdsa_format fmt;
    uint8_t *msg = NULL, sig[2048];
    size_t msg_len, sig_len;
    if (parse("sign", argc, argv, &o) != 0 || o.key == NULL || o.nargs > 1 ||
        !parse_hash("sign", o.hash, &h)) {
        fprintf(stderr, "usage: fipsrt sign --key KEY [--hash sha256] [--format der|p1363] [--pss]\n"
                        "                   [--pass-file FILE] [FILE] [-o SIG]\n");
        return CLI_USAGE;
    }
    int status = load_key("sign", o.key, true, o.pass_file, &key);
    if (status != CLI_OK)
        return status;
    const char *path = o.nargs ? o.args[0] : "-";
    if (sig_options("sign", &o, key, &fmt) != 0) {
        status = CLI_USAGE;
    } else if (read_file(path, &msg, &msg_len) != 0) {
        fprintf(stderr, "fipsrt sign: %s: %s\n", path, strerror(errno));
        status = CLI_USAGE;
    } else {
        int rv = fipsrt_key_get_type(key) == FIPSRT_KEY_EC
                     ? fipsrt_ecdsa_sign(key, h, fmt, msg, msg_len, sig, sizeof(sig), &sig_len)
                     : fipsrt_rsa_sign(key, o.pss ? FIPSRT_RSA_PSS : FIPSRT_RSA_PKCS1_V15, h, msg,
                                       msg_len, sig, sizeof(sig), &sig_len);
        if (rv < 0) {
            cli_error("sign", rv, path);
            status = CLI_FAIL;
        } else {
            status = write_out("sign", o.out, sig, sig_len, false);
        }
    }
    free(msg);
    fipsrt_key_free(key);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    struct opts o;
    fipsrt_key *key = NULL;
    fipsrt_hash_alg h;
    fipsrt_ecdsa_format fmt;
    uint8_t *msg = NULL, *sig = NULL;
    size_t msg_len, sig_len;
    if (parse("verify", argc, argv, &o) != 0 || o.pubkey == NULL || o.sig == NULL ||
        o.nargs > 1 || !parse_hash("verify", o.hash, &h)) {
        fprintf(stderr, "usage: fipsrt verify --pubkey KEY --sig SIG [--hash sha256]\n"
                        "                     [--format der|p1363] [--pss] [FILE]\n"
                        "exit status: 0 valid, 1 invalid or refused, 2 usage or I/O error\n");
        return CLI_USAGE;
    }
    int status = load_key("verify", o.pubkey, false, o.pass_file, &key);
    if (status != CLI_OK)
        return status;
    const char *path = o.nargs ? o.args[0] : "-";
    if (sig_options("verify", &o, key, &fmt) != 0) {
        status = CLI_USAGE;
    } else if (read_file(o.sig, &sig, &sig_len) != 0 || read_file(path, &msg, &msg_len) != 0) {
        fprintf(stderr, "fipsrt verify: %s: %s\n", sig ? path : o.sig, strerror(errno));
        status = CLI_USAGE;
    } else {
        bool ec = fipsrt_key_get_type(key) == FIPSRT_KEY_EC;
        int rv = ec ? fipsrt_ecdsa_verify(key, h, fmt, msg, msg_len, sig, sig_len)
                    : fipsrt_rsa_verify(key, o.pss ? FIPSRT_RSA_PSS : FIPSRT_RSA_PKCS1_V15, h,
                                        msg, msg_len, sig, sig_len);
        if (rv == 0) {
            printf("Verified OK\n");
            if (ec ? fipsrt_ecdsa_verify_is_legacy(h) : fipsrt_rsa_verify_is_legacy(key, h))
                fprintf(stderr, "fipsrt verify: note: legacy verification (SHA-1 or RSA under "
                                "2048 bits; SP 800-131A)\n");
            status = CLI_OK;
        } else if (rv == FIPSRT_E_VERIFY_FAILED) {
            printf("Verification failure\n");
            status = CLI_FAIL;
        } else {
            cli_error("verify", rv, path);
            status = CLI_FAIL;
        }
    }
    free(msg);
    free(sig);
    fipsrt_key_free(key);
    return status;
}

/* encrypt and decrypt: RSA-OAEP only (PKCS#1 v1.5 encryption is not approved). */
static int oaep(const char *cmd, int argc, char **argv, bool decrypting)
{
    struct opts o;
    fipsrt_key *key = NULL;
    fipsrt_hash_alg h;
    uint8_t *in = NULL, out[2048];
    size_t in_len, out_len = 0;
    const char *key_path;
    if (parse(cmd, argc, argv, &o) != 0 || o.nargs > 1 || !parse_hash(cmd, o.hash, &h) ||
        (key_path = decrypting ? o.key : (o.pubkey ? o.pubkey : o.key)) == NULL) {
        fprintf(stderr, "usage: fipsrt %s --oaep %s [--hash sha256] [--label TEXT]%s [FILE] [-o OUT]\n",
                cmd, decrypting ? "--key KEY" : "--pubkey KEY", decrypting ? " [--pass-file FILE]" : "");
        return CLI_USAGE;
    }
    if (!o.oaep) {
        fprintf(stderr, "fipsrt %s: only RSA-OAEP is offered (--oaep): PKCS#1 v1.5 encryption "
                        "and raw RSA are not approved\n", cmd);
        return CLI_USAGE;
    }
    int status = load_key(cmd, key_path, decrypting, o.pass_file, &key);
    if (status != CLI_OK)
        return status;
    const char *path = o.nargs ? o.args[0] : "-";
    if (read_file(path, &in, &in_len) != 0) {
        fprintf(stderr, "fipsrt %s: %s: %s\n", cmd, path, strerror(errno));
        status = CLI_USAGE;
    } else {
        const uint8_t *label = (const uint8_t *)o.label;
        size_t label_len = o.label ? strlen(o.label) : 0;
        int rv = decrypting
                     ? fipsrt_rsa_decrypt(key, FIPSRT_RSA_OAEP, h, label, label_len, in, in_len,
                                          out, sizeof(out), &out_len)
                     : fipsrt_rsa_encrypt(key, FIPSRT_RSA_OAEP, h, label, label_len, in, in_len,
                                          out, sizeof(out), &out_len);
        if (rv < 0) {
            cli_error(cmd, rv, path);
            status = CLI_FAIL;
        } else {
            status = write_out(cmd, o.out, out, out_len, decrypting);
        }
    }
    explicit_bzero(out, sizeof(out));
    free(in);
    fipsrt_key_free(key);
    return status;
}

int cmd_encrypt(int argc, char **argv) { return oaep("encrypt", argc, argv, false); }
int cmd_decrypt(int argc, char **argv) { return oaep("decrypt", argc, argv, true); }
