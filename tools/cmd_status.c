/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt status [--json] and fipsrt selftest: what the runtime is, and whether it works. */
#include <string.h>

#include <fipsrt/fipsrt.h>

#include "cli.h"
#include "services_table.h"

/* The service table of docs/SERVICES.md, compiled in: rows per status. */
static const char *const statuses[] = {"approved", "approved-legacy", "non-approved", "none"};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

static size_t count_status(const char *status)
{
    size_t n = 0;
    for (size_t i = 0; i < FIPSRT_SERVICE_COUNT; i++)
        n += strcmp(fipsrt_services[i].status, status) == 0;
    return n;
}

static void print_services_json(void)
{
    printf("  \"services\": {\"source\": \"docs/SERVICES.md\", \"indicator\": "
           "\"fipsrt_service_indicator\", \"functions\": %zu,\n    \"by_status\": {",
           (size_t)FIPSRT_SERVICE_COUNT);
    for (size_t s = 0; s < NSTATUS; s++)
        printf("%s\"%s\": %zu", s ? ", " : "", statuses[s], count_status(statuses[s]));
    printf("}");
    /* The names of every status but "none", so a dashboard can list what counts. */
    for (size_t s = 0; s + 1 < NSTATUS; s++) {
        printf(",\n    \"%s\": [", statuses[s]);
        bool first = true;
        for (size_t i = 0; i < FIPSRT_SERVICE_COUNT; i++) {
            if (strcmp(fipsrt_services[i].status, statuses[s]) != 0)
                continue;
            printf("%s", first ? "" : ", ");
            json_string(stdout, fipsrt_services[i].function);
            first = false;
        }
        printf("]");
    }
    printf("},\n");
}

/* fipsrt_process_changes() in words. */
static const struct {
    unsigned bit;
    const char *key, *text;
} changes[] = {
    {FIPSRT_PROCESS_PROPERTIES, "default_properties",
     "the process's default properties no longer include fips=yes"},
    {FIPSRT_PROCESS_PROVIDERS, "providers",
     "a provider other than fips and base was activated in the process's default context"},
    {FIPSRT_PROCESS_THREAD_CONTEXT, "thread_context",
     "this thread's default library context was replaced"},
};

static void print_process_text(unsigned bits)
{
    bool changed = false;
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
        if (bits & changes[i].bit) {
            printf("%s %s\n", changed ? "                 " : "process state:    CHANGED after start-up:",
                   changes[i].text);
            changed = true;
        }
    }
    if (changed)
        printf("                  other OpenSSL users in this process are no longer forced into "
               "FIPS mode;\n                  libfipsrt itself still is (its own library context)\n");
    else
        printf("process state:    as set up at start-up (fips + base, fips=yes)\n");
    if (bits & FIPSRT_PROCESS_CONFIG_PROVIDERS)
        printf("                  note: the OpenSSL configuration also activates other providers "
               "(held to fips=yes by the default properties)\n");
}

static void print_text(const fipsrt_runtime_info *in, unsigned bits)
{
    printf("libfipsrt:        %s\n", in->library_version);
    printf("OpenSSL built:    %s\n", in->openssl_built);
    printf("OpenSSL running:  %s\n", in->openssl_running);
    printf("FIPS provider:    %s %s (%s)\n", in->provider_name, in->provider_version,
           in->provider_active ? "active, self-tests passed" : "NOT ACTIVE");
    printf("provider build:   %s\n", in->provider_buildinfo);
    printf("FIPS mode:        %s\n", in->fips_properties ? "on (default properties fips=yes, forced)" : "OFF");
    printf("config file:      %s\n", in->config_file);
    printf("modules dir:      %s\n", in->modules_dir);
    print_process_text(bits);
    printf("\nalgorithms (fetched once at start, each checked to come from provider 'fips'):\n");
    printf("  %-14s %-13s %s\n", "ALGORITHM", "KIND", "PROVIDER");
    for (size_t i = 0; i < fipsrt_algorithm_count(); i++) {
        const char *name, *kind, *prov;
        fipsrt_algorithm_get(i, &name, &kind, &prov);
        printf("  %-14s %-13s %s\n", name, kind, prov);
    }
    printf("\npolicy: MD5 refused in security APIs (non-security MD5 only via fipsrt/insecure.h);\n"
           "        SHA-1 hash/verify only; HMAC keys >= 112 bits\n");
    printf("\nservices (docs/SERVICES.md; fipsrt_service_indicator() counts the approved ones):\n"
           "  %zu functions: %zu approved, %zu approved-legacy, %zu non-approved, "
           "%zu not security services\n",
           (size_t)FIPSRT_SERVICE_COUNT, count_status("approved"),
           count_status("approved-legacy"), count_status("non-approved"), count_status("none"));
    print_tls_policy(false);
}

static void print_json(const fipsrt_runtime_info *in, unsigned bits)
{
    printf("{\n  \"library_version\": ");
    json_string(stdout, in->library_version);
    printf(",\n  \"openssl_built\": ");
    json_string(stdout, in->openssl_built);
    printf(",\n  \"openssl_running\": ");
    json_string(stdout, in->openssl_running);
    printf(",\n  \"provider\": {\"name\": ");
    json_string(stdout, in->provider_name);
    printf(", \"version\": ");
    json_string(stdout, in->provider_version);
    printf(", \"buildinfo\": ");
    json_string(stdout, in->provider_buildinfo);
    printf(", \"status\": %s},\n", in->provider_active ? "\"active\"" : "\"inactive\"");
    printf("  \"fips_mode\": %s,\n", in->fips_properties ? "true" : "false");
    printf("  \"config_file\": ");
    json_string(stdout, in->config_file);
    printf(",\n  \"modules_dir\": ");
    json_string(stdout, in->modules_dir);
    unsigned all = FIPSRT_PROCESS_PROPERTIES | FIPSRT_PROCESS_PROVIDERS |
                   FIPSRT_PROCESS_THREAD_CONTEXT;
    printf(",\n  \"process_state\": {\"changed_after_startup\": %s",
           bits & all ? "true" : "false");
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
        printf(", \"%s\": %s", changes[i].key, bits & changes[i].bit ? "true" : "false");
    printf(", \"config_providers\": %s, \"libfipsrt_forced\": true}",
           bits & FIPSRT_PROCESS_CONFIG_PROVIDERS ? "true" : "false");
    printf(",\n  \"algorithms\": [");
    for (size_t i = 0; i < fipsrt_algorithm_count(); i++) {
        const char *name, *kind, *prov;
        fipsrt_algorithm_get(i, &name, &kind, &prov);
        printf("%s\n    {\"name\": ", i ? "," : "");
        json_string(stdout, name);
        printf(", \"kind\": ");
        json_string(stdout, kind);
        printf(", \"provider\": ");
        json_string(stdout, prov);
        printf("}");
    }
    printf("\n  ],\n  \"policy\": {\"md5\": \"refused (non-security API only)\", "
           "\"sha1\": \"hash and verify only\", \"hmac_min_key_bits\": 112},\n");
    print_services_json();
    print_tls_policy(true);
    printf("}\n");
}

int cmd_status(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            fprintf(stderr, "usage: fipsrt status [--json]\n");
            return CLI_USAGE;
        }
    }
    fipsrt_runtime_info info = {.size = sizeof(info)};
    int rv = fipsrt_runtime_get_info(&info);
    if (rv < 0) {
        cli_error("status", rv, "runtime information");
        return CLI_FAIL;
    }
    unsigned bits = fipsrt_process_changes();
    if (json)
        print_json(&info, bits);
    else
        print_text(&info, bits);
    return info.provider_active && info.fips_properties ? CLI_OK : CLI_FAIL;
}

int cmd_selftest(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: fipsrt selftest\n");
        return CLI_USAGE;
    }
    int rv = fipsrt_selftest();
    if (rv < 0) {
        cli_error("selftest", rv, "self-test");
        return CLI_FAIL;
    }
    printf("selftest: FIPS provider self-tests passed; library known-answer tests passed\n");
    return CLI_OK;
}
