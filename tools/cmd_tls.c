/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt cert selfsign, and the TLS policy lines of fipsrt status. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"

#define MAX_NAMES 32

static const char usage_text[] =
    "usage: fipsrt cert selfsign --cn NAME [--dns NAME]... [--ip ADDR]... [--days N] [--ca]\n"
    "                            [--key-type p256|p384|p521|rsa2048|rsa3072|rsa4096 | --key FILE]\n"
    "                            [--der] --out FILE [--key-out FILE]\n"
    "\n"
    "  Makes a self-signed X.509 certificate in the FIPS provider: ECDSA (SHA-256/384/512\n"
    "  matched to the curve) or RSA PKCS#1 v1.5 with SHA-256, a random 128-bit serial, the\n"
    "  common name and subject alternative names given, valid from now for --days (default 365).\n"
    "  --key FILE signs with an existing PKCS#8 key (PEM or DER); otherwise a new key of\n"
    "  --key-type (default p256) is generated and written to --key-out (PKCS#8 PEM, mode 0600).\n"
    "  --out - writes the certificate to stdout. --ca makes a CA certificate (CA:TRUE).\n";

/* ---- the TLS policy in fipsrt status ------------------------------------------------------ */

static const struct {
    fipsrt_tls_policy_item item;
    const char *label, *key;
} policy_items[] = {
    {FIPSRT_TLS_POLICY_VERSIONS, "versions", "versions"},
    {FIPSRT_TLS_POLICY_TLS13_SUITES, "TLS 1.3 suites", "tls13_suites"},
    {FIPSRT_TLS_POLICY_TLS12_SUITES, "TLS 1.2 suites", "tls12_suites"},
    {FIPSRT_TLS_POLICY_GROUPS, "groups", "groups"},
    {FIPSRT_TLS_POLICY_SIGALGS, "signatures", "signature_schemes"},
    {FIPSRT_TLS_POLICY_RULES, "rules", "rules"},
};
#define NPOLICY (sizeof(policy_items) / sizeof(policy_items[0]))

/* A colon list as a JSON array ("a:b" -> ["a", "b"]); other text as one string. */
static void json_list(const char *s, bool list)
{
    if (!list) {
        json_string(stdout, s);
        return;
    }
    printf("[");
    for (const char *p = s; *p;) {
        size_t n = strcspn(p, ":");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)n, p);
        printf("%s", p == s ? "" : ", ");
        json_string(stdout, item);
        p += n + (p[n] == ':');
    }
    printf("]");
}

void print_tls_policy(bool json)
{
    if (json) {
        printf("  \"tls_policy\": {");
        for (size_t i = 0; i < NPOLICY; i++) {
            printf("%s\n    \"%s\": ", i ? "," : "", policy_items[i].key);
            json_list(fipsrt_tls_policy(policy_items[i].item),
                      policy_items[i].item != FIPSRT_TLS_POLICY_RULES);
        }
        printf("\n  }\n");
        return;
    }
    printf("\ntls policy (the library's own lists, on every context; nothing can widen them):\n");
    for (size_t i = 0; i < NPOLICY; i++) {
        bool rules = policy_items[i].item == FIPSRT_TLS_POLICY_RULES;
        const char *sep = rules ? "; " : ":", *s = fipsrt_tls_policy(policy_items[i].item);
        size_t col = 18;
        printf("  %-15s ", policy_items[i].label);
        /* List entries comma-separated and wrapped at 100 columns; each rule on its line. */
        for (const char *p = s; *p;) {
            const char *end = strstr(p, sep);
            size_t n = end ? (size_t)(end - p) : strlen(p);
            if (p != s && (rules || col + n + 2 > 100)) {
                printf("%s\n%18s", rules ? "" : ",", "");
                col = 18;
            } else if (p != s) {
                printf(", ");
                col += 2;
            }
            printf("%.*s", (int)n, p);
            col += n;
            p += n + (end ? strlen(sep) : 0);
        }
        printf("\n");
    }
}

/* ---- fipsrt cert selfsign ----------------------------------------------------------------- */


static int make_key(const char *type, fipsrt_key **key)
{
    static const struct {
        const char *name;
        fipsrt_ec_curve curve;
        unsigned bits;
    } types[] = {
        {"p256", FIPSRT_EC_P256, 0}, {"p384", FIPSRT_EC_P384, 0}, {"p521", FIPSRT_EC_P521, 0},
        {"rsa2048", 0, 2048}, {"rsa3072", 0, 3072}, {"rsa4096", 0, 4096},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(type, types[i].name) == 0)
            return types[i].bits ? fipsrt_key_generate_rsa(key, types[i].bits)
                                 : fipsrt_key_generate_ec(key, types[i].curve);
    fprintf(stderr, "fipsrt cert: unknown --key-type '%s' (p256, p384, p521, rsa2048, rsa3072, rsa4096)\n",
            type);
    return 1;
}

static int load_key(const char *path, fipsrt_key **key)
{
    uint8_t *data;
    size_t len;
    if (read_file(path, &data, &len) < 0) {
        fprintf(stderr, "fipsrt cert: %s: %s\n", path, strerror(errno));
        return 1;
    }
    bool pem = len >= 10 && memmem(data, len, "-----BEGIN", 10) != NULL;
    int rv = fipsrt_key_import_private(key, pem ? FIPSRT_KEY_PEM : FIPSRT_KEY_DER, data, len, NULL, 0);
    memset(data, 0, len);
    free(data);
    return rv;
}

static int selfsign(int argc, char **argv)
{
    const char *cn = NULL, *out = NULL, *key_out = NULL, *key_file = NULL, *key_type = "p256";
    const char *dns[MAX_NAMES], *ips[MAX_NAMES];
    size_t ndns = 0, nips = 0;
    long days = 365;
    bool ca = false, der = false;
    cli_out cert_o = {.fd = -1}, key_o = {.fd = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--ca") == 0) {
            ca = true;
        } else if (strcmp(a, "--der") == 0) {
            der = true;
        } else if (v == NULL) {
            fputs(usage_text, stderr);
            return CLI_USAGE;
        } else if (strcmp(a, "--cn") == 0) {
            cn = argv[++i];
        } else if (strcmp(a, "--dns") == 0 && ndns < MAX_NAMES) {
            dns[ndns++] = argv[++i];
        } else if (strcmp(a, "--ip") == 0 && nips < MAX_NAMES) {
            ips[nips++] = argv[++i];
        } else if (strcmp(a, "--days") == 0) {
            char *end;
            days = strtol(argv[++i], &end, 10);
            if (*end != '\0' || days < 1 || days > 36500) {
                fprintf(stderr, "fipsrt cert: --days must be 1..36500\n");
                return CLI_USAGE;
            }
        } else if (strcmp(a, "--key-type") == 0) {
            key_type = argv[++i];
        } else if (strcmp(a, "--key") == 0) {
            key_file = argv[++i];
        } else if (strcmp(a, "--out") == 0) {
            out = argv[++i];
        } else if (strcmp(a, "--key-out") == 0) {
            key_out = argv[++i];
        } else {
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
    }
    if (cn == NULL || out == NULL || (key_file == NULL) == (key_out == NULL)) {
        fprintf(stderr, "fipsrt cert: --cn and --out are required, and either --key or --key-out\n");
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }

    fipsrt_key *key = NULL;
    fipsrt_cert *cert = NULL;
    uint8_t buf[16384];
    size_t len;
    int status = CLI_FAIL;
    int rv = key_file ? load_key(key_file, &key) : make_key(key_type, &key);
    if (rv > 0)
        return CLI_USAGE;
    if (rv < 0) {
        cli_error("cert", rv, key_file ? "loading the key" : "generating the key");
        return CLI_FAIL;
    }
    fipsrt_cert_params p = FIPSRT_CERT_PARAMS_INIT;
    p.common_name = cn;
    p.dns_names = dns;
    p.dns_count = ndns;
    p.ip_addresses = ips;
    p.ip_count = nips;
    p.not_before = (int64_t)time(NULL) - 300;
    p.not_after = p.not_before + 300 + (int64_t)days * 86400;
    p.is_ca = ca;
    rv = fipsrt_cert_selfsign(&cert, key, &p);
    if (rv < 0) {
        cli_error("cert", rv, "making the certificate");
        goto out;
    }
    rv = fipsrt_cert_export(cert, der ? FIPSRT_CERT_DER : FIPSRT_CERT_PEM, buf, sizeof(buf), &len);
    if (rv < 0) {
        cli_error("cert", rv, "encoding the certificate");
        goto out;
    }
    /* Certificate and key are one result: both are written to temporary files first and
     * renamed into place only when both are complete (tools/cli_out.c), key first. */
    const char *failed = NULL;
    if (cli_out_open(&cert_o, out, false) != 0 || cli_out_write(&cert_o, buf, len) != 0)
        failed = out;
    if (failed == NULL && key_out != NULL) {
        rv = fipsrt_key_export_private(key, FIPSRT_KEY_PEM, NULL, 0, buf, sizeof(buf), &len);
        if (rv < 0) {
            cli_error("cert", rv, "encoding the key");
            goto out;
        }
        if (cli_out_open(&key_o, key_out, true) != 0 || cli_out_write(&key_o, buf, len) != 0 ||
            cli_out_commit(&key_o) != 0)
            failed = key_out;
        memset(buf, 0, sizeof(buf));
    }
    if (failed == NULL && cli_out_commit(&cert_o) != 0)
        failed = out;
    if (failed != NULL) {
        fprintf(stderr, "fipsrt cert: %s: %s\n", strcmp(failed, "-") ? failed : "stdout",
                strerror(errno));
        status = CLI_USAGE;
        goto out;
    }
    char subject[256] = "";
    fipsrt_cert_subject(cert, subject, sizeof(subject), NULL);
    fprintf(stderr, "fipsrt cert: %s: self-signed %s%s certificate for %s, valid %ld days\n",
            strcmp(out, "-") ? out : "stdout",
            fipsrt_key_get_type(key) == FIPSRT_KEY_EC ? "ECDSA" : "RSA", ca ? " CA" : "", subject, days);
    status = CLI_OK;
out:
    cli_out_abort(&key_o);    /* no-ops once committed */
    cli_out_abort(&cert_o);
    fipsrt_cert_free(cert);
    fipsrt_key_free(key);
    return status;
}

int cmd_cert(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "selfsign") == 0)
        return selfsign(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    fputs(usage_text, stderr);
    return CLI_USAGE;
}
