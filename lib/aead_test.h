/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only hooks of lib/aead.c. Hidden: not exported from the shared library and not in
 * fipsrt.map; only the static library (linked by tests/test_aead.c) reaches them.
 */
#ifndef FIPSRT_AEAD_TEST_H
#define FIPSRT_AEAD_TEST_H

#include <fipsrt/aead.h>

#include "internal.h"

/*
 * Encrypt with a caller-chosen IV of 1..128 bytes and a tag of 4..16 bytes, for the NIST
 * CAVP encrypt vectors (gcmEncryptExtIV*.rsp). An external encryption IV is exactly what
 * the public API forbids; this path exists only to prove the seal plumbing against KATs.
 */
FRT_HIDDEN int frt_aead_seal_external_iv(fipsrt_aead_key *key, const uint8_t *iv,
                                         size_t iv_len, const void *aad, size_t aad_len,
                                         const void *pt, size_t pt_len, uint8_t *ct,
                                         uint8_t *tag, size_t tag_len);

/* Set a key's invocation count, to drive the 2^32 limit without 2^32 encryptions. */
FRT_HIDDEN void frt_aead_key_set_invocations(fipsrt_aead_key *key, uint64_t count);

/* Fork tests: take the calling thread's slot with a copy of `key` and keep it SLOT_BUSY (a
 * thread in the middle of a seal), give it back, and count the slots holding a key schedule. */
FRT_HIDDEN void frt_aead_test_hold_slot(fipsrt_aead_key *key);
FRT_HIDDEN void frt_aead_test_release_slot(fipsrt_aead_key *key);
FRT_HIDDEN size_t frt_aead_test_keyed_slots(void);

#endif /* FIPSRT_AEAD_TEST_H */
