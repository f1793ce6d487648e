/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fipsrt._fipsrt, the compiled CPython extension of the Python binding: shared helpers.
 *
 * Conventions of every file here:
 * - Inputs are read through the buffer protocol (bytes, bytearray, memoryview, mmap, ...),
 *   never copied; str is refused with TypeError as hashlib does.
 * - The GIL is released around library calls on inputs of FRTPY_GIL_MIN bytes or more, and
 *   around every slow operation (public-key, PBKDF2, password hashing).
 * - Lifetimes: objects owned by one thread at a time in the C library (hash, HMAC, MD5 and
 *   counter contexts) have a lock that every operation which releases the GIL holds, and
 *   close() takes it too; objects the C library lets threads share (AES-GCM keys, prepared
 *   HMAC keys, EC/RSA keys) count the operations in flight, and close() only marks them
 *   closed when some are: the last one out frees the handle. Either way close() racing an
 *   operation never frees memory under it.
 */
#ifndef FRTPY_EXT_H
#define FRTPY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <stdbool.h>

#include <fipsrt/fipsrt.h>
#include <fipsrt/insecure.h>

/* Inputs this long and longer are processed with the GIL released (as hashlib does). */
#define FRTPY_GIL_MIN 2048

/* Run `stmt` without the GIL when `cond` holds, else with it. */
#define FRTPY_NOGIL(cond, stmt)                                                              \
    do {                                                                                     \
        if (cond) {                                                                          \
            Py_BEGIN_ALLOW_THREADS stmt;                                                     \
            Py_END_ALLOW_THREADS                                                             \
        } else {                                                                             \
            stmt;                                                                            \
        }                                                                                    \
    } while (0)

/* ---- errors (module.c) -------------------------------------------------------------- */
/* Raise the fipsrt.Error subclass for `code` with the library's detail text; NULL. */
PyObject *frtpy_raise(int code);
/* Raise the fipsrt.Error subclass for `code` with our own detail text; NULL. */
PyObject *frtpy_raise_msg(int code, const char *detail);
/* 0 if rv >= 0, else raise for rv and return -1. */
static inline int frtpy_check(int rv)
{
    if (rv < 0) {
        frtpy_raise(rv);
        return -1;
    }
    return 0;
}
/* StateError: the object was closed. NULL. */
PyObject *frtpy_closed(const char *what);

/* ---- inputs ------------------------------------------------------------------------- */
/* A read-only contiguous view of obj (str refused); -1 with an exception. */
int frtpy_buffer(PyObject *obj, Py_buffer *view);
/* As frtpy_buffer, but None or NULL give an empty view. */
int frtpy_buffer_opt(PyObject *obj, Py_buffer *view);
/* Release a view made by either (safe on an empty one). */
void frtpy_release(Py_buffer *view);
/* The fipsrt_hash_alg for a hash name ('sha256', 'SHA-256', 'sha3-256', ...) or
 * constructor (fipsrt.sha256, hashlib.sha256); -1 with ValueError if unknown. */
int frtpy_alg(PyObject *name, int *alg);
/* The hashlib name of an algorithm (borrowed str). */
PyObject *frtpy_alg_name(int alg);
/* An output length: 0 <= n < 2**64 (ValueError otherwise); -1 with an exception. */
int frtpy_length(PyObject *obj, Py_ssize_t *out);

/* Vectorcall argument parsing: vals[i] gets the argument named kwlist[i] (NULL-terminated
 * list; the first maxpos may be positional) or NULL if absent; -1 with TypeError. */
int frtpy_args(const char *func, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
               const char *const *kwlist, Py_ssize_t maxpos, PyObject **vals);
/* Register a constructor object as a name of alg. */
int frtpy_register_name(PyObject *obj, int alg);

/* ---- object locks (hash, HMAC, MD5, counter contexts) -------------------------------- */
/* Create the lock if missing (under the GIL); -1 with MemoryError. */
int frtpy_lock_ensure(PyThread_type_lock *lock);
/* Take the object's lock if it has one, waiting without the GIL. */
void frtpy_lock_enter(PyThread_type_lock lock);
static inline void frtpy_lock_leave(PyThread_type_lock lock)
{
    if (lock != NULL)
        PyThread_release_lock(lock);
}

/* ---- in-flight counts (shareable keys) ----------------------------------------------- */
struct frtpy_guard {
    void *h;
    Py_ssize_t busy;
    bool closed;
    void (*free)(void *);
};
/* The handle for an operation (counted), or NULL with StateError if closed. */
void *frtpy_guard_enter(struct frtpy_guard *g, const char *what);
void frtpy_guard_leave(struct frtpy_guard *g);
void frtpy_guard_close(struct frtpy_guard *g);

/* Non-approved services the binding ran in this thread (InsecureMD5, legacy password
 * verification): fipsrt.approved() reads it beside the library's approved-service count. */
extern _Thread_local unsigned long long frtpy_non_approved;

/* Refuse pickling (__reduce__/__reduce_ex__ of secret-holding objects). */
PyObject *frtpy_no_pickle(PyObject *self, PyObject *unused);

/* ---- the families: each adds its types and functions to the module ----------------- */
int frtpy_hash_init(PyObject *m);
int frtpy_hmac_init(PyObject *m);
int frtpy_aead_init(PyObject *m);
int frtpy_kdf_init(PyObject *m);
int frtpy_keys_init(PyObject *m);

/* An empty bytes object of n bytes to fill (NULL with MemoryError). */
static inline PyObject *frtpy_bytes(Py_ssize_t n)
{
    return PyBytes_FromStringAndSize(NULL, n);
}

#endif /* FRTPY_EXT_H */
