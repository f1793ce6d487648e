/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over the password-hash string parser (fipsrt_passwd_verify): modular
 * crypt strings of every scheme ($pbkdf2-sha512$, $5$, $6$, $1$, bcrypt, yescrypt, scrypt,
 * DES, garbage). Every result must be documented; a string the parser accepted must verify
 * the right password only. Seeds: tools/run writes one string per scheme (FIPSRT_FUZZ_SEEDS).
 * Small round counts keep an execution short; larger ones are capped by -max_len anyway.
 */
#include <string.h>

#include "fuzz_util.h"

static const int codes[] = {FIPSRT_E_MALFORMED, FIPSRT_E_NOT_APPROVED, FIPSRT_E_MD5_SECURE,
                            FIPSRT_E_VERIFY_FAILED, FIPSRT_E_INVALID_ARG, FIPSRT_E_UNSUPPORTED,
                            0};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char h[256];
    size_t n;
    if (fipsrt_passwd_hash("pw", 2, 1000, h, sizeof(h), &n) != 0)
        abort();
    fuzz_seed("pbkdf2", h, n);
    static const char *const seeds[] = {
        "$5$rounds=1000$saltsalt$", "$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5",
        ("$6$saltsalt$pauPrmdmG4BTE9h2HPmywiw152IFch6BJCEsaY6D.PLTfpV8sqvXwWdyfsgVgozkYH9B80bAi"
         "p/08R2BPH2xk/"),
        "$1$saltsalt$HjBAAyoqQjv6DZSfJqDk.0", "$2b$04$abcdefghijklmnopqrstuu5Rj1SaMJxQ1tbm4M7s6Zn2YoeCLSlS",
        "$y$j9T$salt$hash", "$7$CU..../....salt$hash", "abJnggxhB/yWI", "$pbkdf2-sha256$1000$c2FsdA$",
        "$pbkdf2-sha512$999$AAAAAAAAAAAAAAAAAAAAAA$"};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char name[16];
        snprintf(name, sizeof(name), "scheme%zu", i);
        fuzz_seed(name, seeds[i], strlen(seeds[i]));
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[1024];
    int rehash = -1;
    if (size >= sizeof(s))
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    /* rounds are what costs: skip strings asking for more than the minimum */
    if (strstr(s, "$pbkdf2-sha512$") == s && strtoul(s + 15, NULL, 10) > 1000)
        return 0;
    if ((strncmp(s, "$5$rounds=", 10) == 0 || strncmp(s, "$6$rounds=", 10) == 0) &&
        strtoul(s + 10, NULL, 10) > 1000)
        return 0;
    int rv = fipsrt_passwd_verify(s, "pw", 2, &rehash);
    fuzz_check(rv, true, codes);
    if (rv == 0 && fipsrt_passwd_verify(s, "px", 2, &rehash) != FIPSRT_E_VERIFY_FAILED)
        __builtin_trap();   /* accepted a wrong password */
    ERR_clear_error();
    return 0;
}
