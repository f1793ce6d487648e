/* SPDX-License-Identifier: Apache-2.0 */
#include "tls_fixture.h"
static Suite *make_suite(void) { fx_make(); return suite_create("tls_certs"); }
int main(void) { return run_suite(make_suite); }
