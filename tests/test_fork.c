/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fork() and AES-GCM (issue 9 §4), with real fork(): a counter context or a seal stream made
 * before the fork must not seal in the child (the parent goes on with the same nonces), and
 * a slot another thread held at fork time is still wiped when the key is freed in the child.
 * Linked against the static library for the slot hooks of lib/aead_test.h.
 */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aead_test.h"
#include "testutil.h"

static const uint8_t key16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* What a child reports through a pipe. */
struct report {
    int seal_rv, open_rv, update_rv, final_rv;
    uint8_t ct[32];
    size_t ct_len;
    size_t keyed_before, keyed_after;
};

static pid_t fork_child(int fds[2])
{
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    return pid;
}

static void child_send(int fds[2], const struct report *r)
{
    close(fds[0]);
    ssize_t n = write(fds[1], r, sizeof(*r));
    test_gcov_dump();
    _exit(n == (ssize_t)sizeof(*r) ? 0 : 3);
}

static void parent_receive(int fds[2], pid_t pid, struct report *r)
{
    int status;
    close(fds[1]);
    ck_assert_int_eq(read(fds[0], r, sizeof(*r)), (ssize_t)sizeof(*r));
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

/* The reported bug: parent and child both sealed counter 2 (same nonce, same keystream). */
START_TEST(counter_refused_in_child)
{
    fipsrt_aead_counter *c;
    uint8_t ct[32], pt[32];
    size_t n, m;
    int fds[2];
    ck_assert_ok(fipsrt_aead_counter_new(&c, FIPSRT_AEAD_AES_128_GCM, key16, 16,
                                         FIPSRT_AEAD_NONCE_XOR, NULL, 0));
    ck_assert_ok(fipsrt_aead_counter_seal(c, 1, NULL, 0, "one", 3, ct, sizeof(ct), &n));
    pid_t pid = fork_child(fds);
    if (pid == 0) {
        struct report r = {0};
        r.seal_rv = fipsrt_aead_counter_seal(c, 2, NULL, 0, "child", 5, r.ct, sizeof(r.ct),
                                             &r.ct_len);
        r.open_rv = fipsrt_aead_counter_open(c, 1, NULL, 0, ct, n, pt, sizeof(pt), &m);
        child_send(fds, &r);
    }
    struct report r;
    parent_receive(fds, pid, &r);
    ck_assert_fipsrt(r.seal_rv, FIPSRT_E_STATE);
    ck_assert_ok(r.open_rv);   /* opening is harmless and still works */
    ck_assert_ok(fipsrt_aead_counter_seal(c, 2, NULL, 0, "parent", 6, ct, sizeof(ct), &n));
    /* a context made in the child seals there */
    pid = fork_child(fds);
    if (pid == 0) {
        struct report cr = {0};
        fipsrt_aead_counter *d = NULL;
        cr.open_rv = fipsrt_aead_counter_new(&d, FIPSRT_AEAD_AES_128_GCM, key16, 16,
                                             FIPSRT_AEAD_NONCE_XOR, NULL, 0);
        cr.seal_rv = d ? fipsrt_aead_counter_seal(d, 2, NULL, 0, "x", 1, cr.ct, sizeof(cr.ct),
                                                  &cr.ct_len) : -100;
        fipsrt_aead_counter_free(d);
        child_send(fds, &cr);
    }
    parent_receive(fds, pid, &r);
    ck_assert_ok(r.open_rv);
    ck_assert_ok(r.seal_rv);
    fipsrt_aead_counter_free(c);
}
END_TEST

/* A seal stream started before the fork: its nonce is fixed; only the parent may finish. */
START_TEST(seal_stream_refused_in_child)
{
    fipsrt_aead_key *k;
    fipsrt_aead_stream *s, *fresh, *o;
    uint8_t ct[32], nonce[FIPSRT_AEAD_NONCE_SIZE], tag[FIPSRT_AEAD_TAG_SIZE];
    size_t n;
    int fds[2];
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, key16, 16));
    ck_assert_ok(fipsrt_aead_seal_stream_new(&s, k, NULL, 0));
    ck_assert_ok(fipsrt_aead_stream_update(s, "before", 6, ct, sizeof(ct), &n));
    ck_assert_ok(fipsrt_aead_seal_stream_new(&fresh, k, NULL, 0));   /* no data yet */
    memset(nonce, 7, sizeof(nonce));
    ck_assert_ok(fipsrt_aead_open_stream_new(&o, k, nonce, NULL, 0));
    pid_t pid = fork_child(fds);
    if (pid == 0) {
        struct report r = {0};
        r.update_rv = fipsrt_aead_stream_update(s, "child", 5, r.ct, sizeof(r.ct), &r.ct_len);
        r.final_rv = fipsrt_aead_seal_stream_final(s, nonce, tag);
        r.seal_rv = fipsrt_aead_stream_update(fresh, "x", 1, r.ct, sizeof(r.ct), &r.ct_len);
        r.open_rv = fipsrt_aead_stream_update(o, "x", 1, r.ct, sizeof(r.ct), &r.ct_len);
        child_send(fds, &r);
    }
    struct report r;
    parent_receive(fds, pid, &r);
    ck_assert_fipsrt(r.update_rv, FIPSRT_E_STATE);
    ck_assert_fipsrt(r.final_rv, FIPSRT_E_STATE);
    ck_assert_fipsrt(r.seal_rv, FIPSRT_E_STATE);
    ck_assert_ok(r.open_rv);
    ck_assert_ok(fipsrt_aead_stream_update(s, "parent", 6, ct, sizeof(ct), &n));
    ck_assert_ok(fipsrt_aead_seal_stream_final(s, nonce, tag));
    fipsrt_aead_stream_free(s);
    fipsrt_aead_stream_free(fresh);
    fipsrt_aead_stream_free(o);
    fipsrt_aead_key_free(k);
}
END_TEST

/* Random-nonce one-shot seals keep working in the child (the DRBG is reseeded), with
 * nonces different from the parent's. */
START_TEST(random_seal_in_child)
{
    fipsrt_aead_key *k;
    uint8_t ct[32], nonce[FIPSRT_AEAD_NONCE_SIZE];
    size_t n;
    int fds[2];
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_128_GCM, key16, 16));
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "x", 1, nonce, ct, sizeof(ct), &n));
    pid_t pid = fork_child(fds);
    if (pid == 0) {
        struct report r = {0};
        r.seal_rv = fipsrt_aead_seal(k, NULL, 0, "x", 1, r.ct, r.ct + 12, 20, &r.ct_len);
        child_send(fds, &r);
    }
    struct report r;
    parent_receive(fds, pid, &r);
    ck_assert_ok(r.seal_rv);
    ck_assert_ok(fipsrt_aead_seal(k, NULL, 0, "x", 1, nonce, ct, sizeof(ct), &n));
    ck_assert_msg(memcmp(nonce, r.ct, 12) != 0, "parent and child drew the same nonce");
    fipsrt_aead_key_free(k);
}
END_TEST

/* A thread is in the middle of a seal (its slot busy with the key) when another forks. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int phase;

static void *holder(void *arg)
{
    fipsrt_aead_key *k = arg;
    frt_aead_test_hold_slot(k);
    pthread_mutex_lock(&mu);
    phase = 1;
    pthread_cond_broadcast(&cv);
    while (phase != 2)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    frt_aead_test_release_slot(k);
    return NULL;
}

START_TEST(busy_slot_wiped_in_child)
{
    fipsrt_aead_key *k;
    pthread_t t;
    int fds[2];
    uint8_t key32[32] = {9};
    ck_assert_ok(fipsrt_aead_key_new(&k, FIPSRT_AEAD_AES_256_GCM, key32, 32));
    phase = 0;
    ck_assert_int_eq(pthread_create(&t, NULL, holder, k), 0);
    pthread_mutex_lock(&mu);
    while (phase != 1)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    pid_t pid = fork_child(fds);
    if (pid == 0) {
        struct report r = {0};
        r.keyed_before = frt_aead_test_keyed_slots();
        fipsrt_aead_key_free(k);
        r.keyed_after = frt_aead_test_keyed_slots();
        child_send(fds, &r);
    }
    struct report r;
    parent_receive(fds, pid, &r);
    ck_assert_uint_ge(r.keyed_before, 1);   /* the holder's slot, copied into the child */
    ck_assert_uint_eq(r.keyed_after, 0);    /* wiped with the key */
    pthread_mutex_lock(&mu);
    phase = 2;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    fipsrt_aead_key_free(k);
    ck_assert_uint_eq(frt_aead_test_keyed_slots(), 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("fork");
    TCase *tc = tcase_create("fork");
    tcase_add_test(tc, counter_refused_in_child);
    tcase_add_test(tc, seal_stream_refused_in_child);
    tcase_add_test(tc, random_seal_in_child);
    tcase_add_test(tc, busy_slot_wiped_in_child);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return run_suite(make_suite); }
