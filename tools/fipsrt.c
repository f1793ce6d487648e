/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt: inspect and use the forced-FIPS runtime from the shell. */
#include <string.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *usage;
} commands[] = {
    {"status", cmd_status, "status [--json]            runtime, provider, algorithm table, policy"},
    {"selftest", cmd_selftest, "selftest                   re-run provider self-tests and library KATs"},
    {"hash", cmd_hash, "hash [--insecure] ALG [FILE...]  digest files (sha256sum-style)"},
    {"hmac", cmd_hmac, "hmac ALG --key-hex HEX [FILE...]  HMAC of files"},
    {"random", cmd_random, "random N [--hex]           N random bytes from the FIPS DRBG"},
    {"passwd", cmd_passwd, "passwd [--rounds N | --verify HASH]  hash or check a password (pbkdf2-sha512)"},
    {"kdf", cmd_kdf, "kdf hkdf|pbkdf2 --hash H ...  derive a key (HKDF, PBKDF2)"},
    {"check", cmd_check, "check [--json] FILE...     audit binaries: crypto only through libfipsrt?"},
    {"cert", cmd_cert, "cert selfsign --cn NAME [--dns N] [--ip A] --out F --key-out F  self-signed certificate"},
    {"aead", cmd_aead, "aead seal|open --key-file F [--in F] [--out F]  AES-GCM files (module nonce)"},
    {"keygen", cmd_keygen, "keygen ec|rsa [--curve p256|p384|p521] [--bits N] -o KEY  new PKCS#8 key"},
    {"pubkey", cmd_pubkey, "pubkey KEY [-o PUB]        public key (SPKI PEM) of a key"},
    {"sign", cmd_sign, "sign --key KEY [--hash H] [--format der|p1363] [--pss] FILE -o SIG  ECDSA/RSA"},
    {"verify", cmd_verify, "verify --pubkey KEY --sig SIG [--hash H] [--pss] FILE  exit 0 valid, 1 not"},
    {"encrypt", cmd_encrypt, "encrypt --oaep --pubkey KEY [--hash H] [--label L] FILE -o OUT  RSA-OAEP"},
    {"decrypt", cmd_decrypt, "decrypt --oaep --key KEY [--hash H] [--label L] FILE -o OUT  RSA-OAEP"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: fipsrt COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %s\n", commands[i].usage);
    fprintf(f, "\nfipsrt %s; every operation runs in the OpenSSL FIPS provider.\n",
            fipsrt_version());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return cli_finish_stdout(CLI_OK);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("fipsrt %s\n", fipsrt_version());
        return cli_finish_stdout(CLI_OK);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return cli_finish_stdout(commands[i].run(argc - 1, argv + 1));
    fprintf(stderr, "fipsrt: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
