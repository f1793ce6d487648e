/* SPDX-License-Identifier: Apache-2.0 */
/* The revocation and SNI fixtures (tests/tls_revocation_pki.sh) and an in-memory handshake
 * that reports both ends, shared by tests/test_tls_revocation.c and tests/test_tls_certs.c. */
#ifndef FIPSRT_TLS_FIXTURE_H
#define FIPSRT_TLS_FIXTURE_H

#include "tls_testutil.h"

/* Make the fixtures, or reuse the build directory's if they are fresh (call from main,
 * before Check forks). */
void fx_make(void);
/* Path of a fixture file; interned, valid for the whole run. */
const char *fx(const char *name);

typedef struct hs_result {
    int cli, srv;                 /* handshake results */
    char cli_detail[2048], srv_detail[2048];
    int ocsp_stapled;             /* fipsrt_tls_conn_ocsp_stapled() of the client */
    int resumed;                  /* fipsrt_tls_conn_resumed() of the client */
    char peer_subject[256];       /* the server certificate's subject, as the client saw it */
    bool peer_rsa;                /* its key is RSA */
} hs_result;

/* One handshake between a server and a client context over memory; `name` is the client's
 * peer_name (NULL: none, with an insecure client). */
void mem_hs(fipsrt_tls_ctx *srv, fipsrt_tls_ctx *cli, const char *name, hs_result *r);

#endif
