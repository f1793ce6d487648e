/* SPDX-License-Identifier: Apache-2.0 */
/* A program that calls one function of a library (audit_wrap or audit_bad, chosen at build
 * time) and nothing else: its verdict comes from the library it loads. Built only. */
#include <stdio.h>

#ifdef USE_WRAP
int audit_wrap_init(void);
#define CALL() audit_wrap_init()
#else
const void *audit_bad_md(void);
#define CALL() (audit_bad_md() != NULL)
#endif

int main(void)
{
    printf("%d\n", CALL());
    return 0;
}
