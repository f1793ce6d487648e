/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What other code did to OpenSSL's process-wide state after start-up (fipsrt_process_changes,
 * shown by `fipsrt status`). libfipsrt's own operations do not depend on it (they run in the
 * library's private context, see lib/runtime.c); other OpenSSL users in the process do.
 */
#include <pthread.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/provider.h>

#include <fipsrt/runtime.h>

#include "internal.h"

#define MAX_START 16
static char start_names[MAX_START][64];   /* providers active at start-up, set once */
static size_t start_count;

static bool ours(const char *name) { return strcmp(name, "fips") == 0 || strcmp(name, "base") == 0; }

static int record(OSSL_PROVIDER *prov, void *arg)
{
    (void)arg;
    const char *name = OSSL_PROVIDER_get0_name(prov);
    if (!ours(name) && start_count < MAX_START)
        snprintf(start_names[start_count++], sizeof(start_names[0]), "%s", name);
    return 1;
}

void frt_process_snapshot(void)
{
    OSSL_PROVIDER_do_all(OSSL_LIB_CTX_get0_global_default(), record, NULL);
}

static bool at_start(const char *name)
{
    for (size_t i = 0; i < start_count; i++)
        if (strcmp(start_names[i], name) == 0)
            return true;
    return false;
}

static int classify(OSSL_PROVIDER *prov, void *arg)
{
    unsigned *bits = arg;
    const char *name = OSSL_PROVIDER_get0_name(prov);
    if (!ours(name))
        *bits |= at_start(name) ? FIPSRT_PROCESS_CONFIG_PROVIDERS : FIPSRT_PROCESS_PROVIDERS;
    return 1;
}

FIPSRT_API unsigned int fipsrt_process_changes(void)
{
    frt_init();
    unsigned bits = 0;
    OSSL_LIB_CTX *global = OSSL_LIB_CTX_get0_global_default();
    ERR_set_mark();
    if (!EVP_default_properties_is_fips_enabled(global))
        bits |= FIPSRT_PROCESS_PROPERTIES;
    OSSL_PROVIDER_do_all(global, classify, &bits);
    /* set0_default(NULL) changes nothing and returns the thread's current default */
    if (OSSL_LIB_CTX_set0_default(NULL) != global)
        bits |= FIPSRT_PROCESS_THREAD_CONTEXT;
    ERR_pop_to_mark();
    return bits;
}
