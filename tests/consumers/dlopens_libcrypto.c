/* SPDX-License-Identifier: Apache-2.0 */
/* A program that loads libcrypto with dlopen (so it has no DT_NEEDED on it and imports no
 * crypto function) and does not link libfipsrt: route "openssl-dlopen", a finding.
 * Built only, never run. */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *h = dlopen("libcrypto.so.3", RTLD_NOW);
    void *fn = h ? dlsym(h, "EVP_sha256") : NULL;
    printf("%p\n", fn);
    return 0;
}
