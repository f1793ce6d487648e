/* SPDX-License-Identifier: Apache-2.0 */
/* A program with no cryptography at all: no libfipsrt, no crypto library, no crypto
 * imports. `fipsrt check` must call it clean (route "none"). Built only, never run. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("%d %s\n", argc, argv[0]);
    return 0;
}
