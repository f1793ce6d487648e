/* SPDX-License-Identifier: Apache-2.0 */
/* A library that links libfipsrt: a program linking only this library reaches libfipsrt
 * indirectly, which `fipsrt check --root` must see. Built only, never run. */
#include <fipsrt/fipsrt.h>

int audit_wrap_init(void);

int audit_wrap_init(void)
{
    return fipsrt_init();
}
