/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over the fipsrt CLI's own file formats, run in-process (tools/ compiled
 * in with main renamed): the sealed file of `fipsrt aead open` (binary, --hex, --base64),
 * the AES key file (raw or hex), and the signature file of `fipsrt verify` (DER and P1363).
 * The first input byte picks the format; the rest is the file. The command must exit 0, 1
 * or 2, never crash. Seeds: real files made by the same commands (FIPSRT_FUZZ_SEEDS).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

int fipsrt_cli_main(int argc, char **argv);

static char dir[] = "/tmp/fipsrt-fuzz-cli-XXXXXX";
static char p_key[64], p_in[64], p_data[64], p_sig[64], p_ec[64], p_pub[64], p_out[64];

static int run(const char *const *args)
{
    char *argv[16];
    int argc = 0, out = dup(1), err = dup(2), null = open("/dev/null", O_WRONLY);
    for (; args[argc] != NULL; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    fflush(NULL);
    dup2(null, 1);
    dup2(null, 2);
    int st = fipsrt_cli_main(argc, argv);
    fflush(NULL);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    close(null);
    if (st < 0 || st > 2 || ERR_peek_error() != 0)
        __builtin_trap();
    return st;
}

static void put(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        abort();
}

static void seed_from(const char *path, uint8_t format, const char *name)
{
    uint8_t buf[8192];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        abort();
    buf[0] = format;
    size_t n = fread(buf + 1, 1, sizeof(buf) - 1, f);
    fclose(f);
    fuzz_seed(name, buf, n + 1);
}

static const char *const fmt_flag[] = {NULL, "--hex", "--base64"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(p_key, sizeof(p_key), "%s/key", dir);
    snprintf(p_in, sizeof(p_in), "%s/in", dir);
    snprintf(p_data, sizeof(p_data), "%s/data", dir);
    snprintf(p_sig, sizeof(p_sig), "%s/sig", dir);
    snprintf(p_ec, sizeof(p_ec), "%s/ec.key", dir);
    snprintf(p_pub, sizeof(p_pub), "%s/ec.pub", dir);
    snprintf(p_out, sizeof(p_out), "%s/out", dir);
    put(p_key, "000102030405060708090a0b0c0d0e0f\n", 33);
    put(p_data, "fuzz me\n", 8);
    const char *keygen[] = {"fipsrt", "keygen", "ec", "-o", p_ec, NULL};
    const char *pubkey[] = {"fipsrt", "pubkey", p_ec, "-o", p_pub, NULL};
    if (run(keygen) != 0 || run(pubkey) != 0)
        abort();
    for (int f = 0; f < 3; f++) {
        const char *seal[] = {"fipsrt", "aead", "seal", "--key-file", p_key, "--in", p_data,
                              "--out", p_out, fmt_flag[f], NULL};
        if (run(seal) != 0)
            abort();
        char name[16];
        snprintf(name, sizeof(name), "sealed%d", f);
        seed_from(p_out, (uint8_t)f, name);
    }
    seed_from(p_key, 3, "keyfile");
    const char *sign[] = {"fipsrt", "sign", "--key", p_ec, p_data, "-o", p_out, NULL};
    const char *sign2[] = {"fipsrt", "sign", "--key", p_ec, "--format", "p1363", p_data, "-o",
                           p_out, NULL};
    if (run(sign) != 0)
        abort();
    seed_from(p_out, 4, "sig-der");
    if (run(sign2) != 0)
        abort();
    seed_from(p_out, 5, "sig-p1363");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int format = data[0] % 6;
    if (format <= 2) {
        put(p_in, data + 1, size - 1);
        const char *open[] = {"fipsrt", "aead", "open", "--key-file", p_key, "--in", p_in,
                              "--out", p_out, fmt_flag[format], NULL};
        run(open);
    } else if (format == 3) {
        put(p_in, data + 1, size - 1);
        const char *seal[] = {"fipsrt", "aead", "seal", "--key-file", p_in, "--in", p_data,
                              "--out", p_out, NULL};
        run(seal);
    } else {
        put(p_sig, data + 1, size - 1);
        const char *verify[] = {"fipsrt", "verify", "--pubkey", p_pub, "--sig", p_sig,
                                "--format", format == 4 ? "der" : "p1363", p_data, NULL};
        run(verify);
    }
    return 0;
}
