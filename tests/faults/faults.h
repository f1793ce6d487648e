/* SPDX-License-Identifier: Apache-2.0 */
/* The allocation-failure sweep (alloc_fail.c) and its scripted workload (workload.c). */
#ifndef FIPSRT_FAULTS_H
#define FIPSRT_FAULTS_H

#include <stddef.h>
#include <stdint.h>

/* A workload step's result when it returned 0 but its output was wrong. */
#define WRONG_OUTPUT (-999)

/* Bracket one public call: step_begin() notes the allocation count, step_end() checks the
 * result (see alloc_fail.c) and returns non-zero when the segment must stop. */
void step_begin(void);
int step_end(const char *call, int line, int rc);
/* As step_end() for a call making an object: on failure *obj must be NULL (it is then left
 * NULL so the segment's cleanup frees nothing). */
int step_end_new(const char *call, int line, int rc, void **obj);

#define STEP(call)                                                                           \
    do {                                                                                     \
        step_begin();                                                                        \
        rc = (call);                                                                         \
        if (step_end(#call, __LINE__, rc))                                                   \
            goto out;                                                                        \
    } while (0)

/* The out-param is preset to a non-NULL sentinel so "left as it was" is caught too. */
#define STEP_NEW(obj, call)                                                                  \
    do {                                                                                     \
        *(void **)&(obj) = (void *)&fault_sentinel;                                          \
        step_begin();                                                                        \
        rc = (call);                                                                         \
        if (step_end_new(#call, __LINE__, rc, (void **)&(obj)))                              \
            goto out;                                                                        \
    } while (0)

extern char fault_sentinel;

struct fault_segment {
    const char *name;
    int (*run)(void);
};
extern const struct fault_segment fault_segments[];

/* Fixtures made by the parent before the sweep (unarmed). */
extern uint8_t fault_rsa_der[4096];
extern size_t fault_rsa_der_len;
extern char fault_tmpdir[256];
extern const char *fault_check_target;

/* tools/fipsrt.c's main(), compiled in under this name. */
int fipsrt_cli_main(int argc, char **argv);

#endif
