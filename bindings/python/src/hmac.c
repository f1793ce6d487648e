/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hmac-like HMAC (FIPS 198-1): the streaming fipsrt.hmac.HMAC (fipsrt_hmac_ctx), the one-shot
 * fipsrt.hmac.digest() (fipsrt_hmac) and prepared keys, fipsrt.hmac.Key (fipsrt_hmac_key).
 */
#include <string.h>

#include "ext.h"

typedef struct {
    PyObject_HEAD
    int alg;
    bool closed;
    fipsrt_hmac_ctx *ctx;
    PyThread_type_lock lock;
} HMACObject;

typedef struct {
    PyObject_HEAD
    int alg;
    struct frtpy_guard g;  /* fipsrt_hmac_key */
} KeyObject;

static PyTypeObject HMACType, KeyType;

/* The algorithm for a digestmod: required, a hash name or constructor, not an XOF. */
static int mac_alg(PyObject *digestmod, int *alg)
{
    if (digestmod == NULL || digestmod == Py_None
        || (PyUnicode_Check(digestmod) && PyUnicode_GetLength(digestmod) == 0)) {
        PyErr_SetString(PyExc_TypeError, "Missing required parameter 'digestmod'.");
        return -1;
    }
    if (frtpy_alg(digestmod, alg) < 0)
        return -1;
    if (*alg == FIPSRT_HASH_SHAKE128 || *alg == FIPSRT_HASH_SHAKE256) {
        PyErr_Format(PyExc_ValueError, "HMAC is not defined over %U", frtpy_alg_name(*alg));
        return -1;
    }
    return 0;
}

static HMACObject *hmac_alloc(PyTypeObject *type, int alg)
{
    HMACObject *h = (HMACObject *)type->tp_alloc(type, 0);
    if (h != NULL)
        h->alg = alg;
    return h;
}

static int hmac_enter(HMACObject *h, Py_ssize_t len, bool *nogil)
{
    *nogil = len >= FRTPY_GIL_MIN;
    if (*nogil && frtpy_lock_ensure(&h->lock) < 0)
        return -1;
    frtpy_lock_enter(h->lock);
    if (h->closed) {
        frtpy_lock_leave(h->lock);
        frtpy_closed("HMAC object");
        return -1;
    }
    *nogil = *nogil && h->lock != NULL;
    return 0;
}

static int hmac_absorb(HMACObject *h, PyObject *msg, bool shared)
{
    Py_buffer view;
    bool nogil = false;
    int rv;
    if (frtpy_buffer(msg, &view) < 0)
        return -1;
    if (shared && hmac_enter(h, view.len, &nogil) < 0) {
        frtpy_release(&view);
        return -1;
    }
    if (!shared)
        nogil = view.len >= FRTPY_GIL_MIN;  /* not visible to other threads yet */
    FRTPY_NOGIL(nogil, rv = fipsrt_hmac_update(h->ctx, view.buf, (size_t)view.len));
    if (shared)
        frtpy_lock_leave(h->lock);
    frtpy_release(&view);
    return frtpy_check(rv);
}

static PyObject *hmac_make(PyTypeObject *type, PyObject *key, PyObject *msg, PyObject *digestmod)
{
    int alg;
    Py_buffer kv;
    if (mac_alg(digestmod, &alg) < 0 || frtpy_buffer(key, &kv) < 0)
        return NULL;
    HMACObject *h = hmac_alloc(type, alg);
    int rv = h == NULL ? -1 : frtpy_check(fipsrt_hmac_new(&h->ctx, alg, kv.buf, (size_t)kv.len));
    frtpy_release(&kv);
    if (rv == 0 && msg != NULL && msg != Py_None)
        rv = hmac_absorb(h, msg, false);
    if (rv < 0) {
        Py_XDECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static PyObject *hmac_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"key", "msg", "digestmod", NULL};
    PyObject *key, *msg = NULL, *digestmod = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:HMAC", kwlist, &key, &msg, &digestmod))
        return NULL;
    return hmac_make(type, key, msg, digestmod);
}

/* fipsrt.hmac.new(key, msg=None, digestmod=None) */
static PyObject *py_hmac_new(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    static const char *const kwlist[] = {"key", "msg", "digestmod", NULL};
    PyObject *v[3];
    if (frtpy_args("new", args, nargs, kwnames, kwlist, 3, v) < 0)
        return NULL;
    if (v[0] == NULL) {
        PyErr_SetString(PyExc_TypeError, "new() missing required argument 'key'");
        return NULL;
    }
    return hmac_make(&HMACType, v[0], v[1], v[2]);
}

static void hmac_dealloc(HMACObject *h)
{
    fipsrt_hmac_free(h->ctx);
    if (h->lock)
        PyThread_free_lock(h->lock);
    Py_TYPE(h)->tp_free(h);
}

static PyObject *hmac_update(HMACObject *h, PyObject *msg)
{
    if (hmac_absorb(h, msg, true) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A copy of h's context (the caller frees it); NULL with an exception. */
static fipsrt_hmac_ctx *hmac_clone(HMACObject *h)
{
    bool nogil;
    fipsrt_hmac_ctx *c = NULL;
    if (hmac_enter(h, 0, &nogil) < 0)
        return NULL;
    int rv = fipsrt_hmac_clone(&c, h->ctx);
    frtpy_lock_leave(h->lock);
    return frtpy_check(rv) < 0 ? NULL : c;
}

static PyObject *hmac_digest(HMACObject *h, PyObject *unused)
{
    uint8_t out[FIPSRT_HASH_MAX_SIZE];
    size_t n = 0;
    fipsrt_hmac_ctx *c = hmac_clone(h);  /* digest() does not end the object */
    if (c == NULL)
        return NULL;
    int rv = fipsrt_hmac_final(c, out, sizeof(out), &n);
    fipsrt_hmac_free(c);
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)n);
}

static PyObject *hmac_hexdigest(HMACObject *h, PyObject *unused)
{
    PyObject *b = hmac_digest(h, NULL);
    if (b == NULL)
        return NULL;
    PyObject *s = PyObject_CallMethod(b, "hex", NULL);
    Py_DECREF(b);
    return s;
}

static PyObject *hmac_verify(HMACObject *h, PyObject *tag)
{
    Py_buffer tv;
    if (frtpy_buffer(tag, &tv) < 0)
        return NULL;
    fipsrt_hmac_ctx *c = hmac_clone(h);
    int rv = c == NULL ? -1 : fipsrt_hmac_final_verify(c, tv.buf, (size_t)tv.len);
    fipsrt_hmac_free(c);
    frtpy_release(&tv);
    if (c == NULL || frtpy_check(rv) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *hmac_copy(HMACObject *h, PyObject *unused)
{
    fipsrt_hmac_ctx *c = hmac_clone(h);
    if (c == NULL)
        return NULL;
    HMACObject *o = hmac_alloc(Py_TYPE(h), h->alg);
    if (o == NULL) {
        fipsrt_hmac_free(c);
        return NULL;
    }
    o->ctx = c;
    return (PyObject *)o;
}

static PyObject *hmac_close(HMACObject *h, PyObject *unused)
{
    frtpy_lock_enter(h->lock);
    fipsrt_hmac_free(h->ctx);
    h->ctx = NULL;
    h->closed = true;
    frtpy_lock_leave(h->lock);
    Py_RETURN_NONE;
}

static PyObject *hmac_name(HMACObject *h, void *unused)
{
    return PyUnicode_FromFormat("hmac-%U", frtpy_alg_name(h->alg));
}

static PyObject *hmac_digest_size(HMACObject *h, void *unused)
{
    return PyLong_FromSize_t(fipsrt_hash_size(h->alg));
}

static PyObject *hmac_block_size(HMACObject *h, void *unused)
{
    return PyLong_FromSize_t(fipsrt_hash_block_size(h->alg));
}

static PyMethodDef hmac_methods[] = {
    {"update", (PyCFunction)hmac_update, METH_O, "Absorb bytes-like data."},
    {"digest", (PyCFunction)hmac_digest, METH_NOARGS, "The MAC so far; the object stays usable."},
    {"hexdigest", (PyCFunction)hmac_hexdigest, METH_NOARGS, "digest() as hex."},
    {"verify", (PyCFunction)hmac_verify, METH_O,
     "Compare the MAC with tag (full, or truncated to >= 16 bytes) in constant time inside "
     "the library; raises fipsrt.VerificationError if it does not match."},
    {"copy", (PyCFunction)hmac_copy, METH_NOARGS, "An independent copy of the state."},
    {"close", (PyCFunction)hmac_close, METH_NOARGS, "Free the state (and its key) now."},
    {"__reduce__", frtpy_no_pickle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef hmac_getset[] = {
    {"name", (getter)hmac_name, NULL, "'hmac-' + the hash name", NULL},
    {"digest_size", (getter)hmac_digest_size, NULL, NULL, NULL},
    {"block_size", (getter)hmac_block_size, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject HMACType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.hmac.HMAC",
    .tp_doc = "HMAC(key, msg=None, digestmod=None)\n--\n\nStreaming HMAC with the interface "
              "of Python's hmac.HMAC, in the FIPS provider. Keys under 112 bits are refused "
              "(NotApproved), MD5 with MD5SecurityError.",
    .tp_basicsize = sizeof(HMACObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = hmac_tp_new,
    .tp_dealloc = (destructor)hmac_dealloc,
    .tp_methods = hmac_methods,
    .tp_getset = hmac_getset,
};

/* fipsrt.hmac.digest(key, msg, digest): one-shot. */
static PyObject *py_hmac_digest(PyObject *m, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    static const char *const kwlist[] = {"key", "msg", "digest", NULL};
    PyObject *v[3];
    if (kwnames == NULL && nargs == 3) {
        v[0] = args[0], v[1] = args[1], v[2] = args[2];
    } else if (frtpy_args("digest", args, nargs, kwnames, kwlist, 3, v) < 0) {
        return NULL;
    } else if (v[0] == NULL || v[1] == NULL || v[2] == NULL) {
        PyErr_SetString(PyExc_TypeError, "digest() needs key, msg and digest");
        return NULL;
    }
    int alg, rv;
    Py_buffer kv, mv;
    uint8_t out[FIPSRT_HASH_MAX_SIZE];
    size_t n = 0;
    if (mac_alg(v[2], &alg) < 0 || frtpy_buffer(v[0], &kv) < 0)
        return NULL;
    if (frtpy_buffer(v[1], &mv) < 0) {
        frtpy_release(&kv);
        return NULL;
    }
    FRTPY_NOGIL(mv.len >= FRTPY_GIL_MIN,
                rv = fipsrt_hmac(alg, kv.buf, (size_t)kv.len, mv.buf, (size_t)mv.len, out,
                                 sizeof(out), &n));
    frtpy_release(&kv);
    frtpy_release(&mv);
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)n);
}

/* ---- prepared keys -------------------------------------------------------------------- */

static void key_free(void *h) { fipsrt_hmac_key_free(h); }

static PyObject *key_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"key", "digestmod", NULL};
    PyObject *key, *digestmod = NULL;
    int alg;
    Py_buffer kv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:Key", kwlist, &key, &digestmod)
        || mac_alg(digestmod, &alg) < 0 || frtpy_buffer(key, &kv) < 0)
        return NULL;
    KeyObject *k = (KeyObject *)type->tp_alloc(type, 0);
    fipsrt_hmac_key *h = NULL;
    int rv = k == NULL ? -1 : frtpy_check(fipsrt_hmac_key_new(&h, alg, kv.buf, (size_t)kv.len));
    frtpy_release(&kv);
    if (rv < 0) {
        Py_XDECREF(k);
        return NULL;
    }
    k->alg = alg;
    k->g = (struct frtpy_guard){.h = h, .free = key_free};
    return (PyObject *)k;
}

static void key_dealloc(KeyObject *k)
{
    if (k->g.h)
        fipsrt_hmac_key_free(k->g.h);
    Py_TYPE(k)->tp_free(k);
}

/* MAC of msg under k, verified against tag when tag != NULL. */
static PyObject *key_run(KeyObject *k, PyObject *msg, PyObject *tag)
{
    Py_buffer mv, tv = {0};
    uint8_t out[FIPSRT_HASH_MAX_SIZE];
    size_t n = 0;
    int rv;
    if (frtpy_buffer(msg, &mv) < 0)
        return NULL;
    if (tag != NULL && frtpy_buffer(tag, &tv) < 0) {
        frtpy_release(&mv);
        return NULL;
    }
    fipsrt_hmac_key *h = frtpy_guard_enter(&k->g, "HMAC key");
    if (h != NULL) {
        bool nogil = mv.len >= FRTPY_GIL_MIN;
        if (tag == NULL)
            FRTPY_NOGIL(nogil, rv = fipsrt_hmac_key_mac(h, mv.buf, (size_t)mv.len, out,
                                                        sizeof(out), &n));
        else
            FRTPY_NOGIL(nogil, rv = fipsrt_hmac_key_verify(h, mv.buf, (size_t)mv.len, tv.buf,
                                                           (size_t)tv.len));
        frtpy_guard_leave(&k->g);
    }
    frtpy_release(&mv);
    frtpy_release(&tv);
    if (h == NULL || frtpy_check(rv) < 0)
        return NULL;
    if (tag != NULL)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)n);
}

static PyObject *key_digest(KeyObject *k, PyObject *msg)
{
    return key_run(k, msg, NULL);
}

static PyObject *key_hexdigest(KeyObject *k, PyObject *msg)
{
    PyObject *b = key_run(k, msg, NULL);
    if (b == NULL)
        return NULL;
    PyObject *s = PyObject_CallMethod(b, "hex", NULL);
    Py_DECREF(b);
    return s;
}

static PyObject *key_verify(KeyObject *k, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "verify(msg, tag) takes two arguments");
        return NULL;
    }
    return key_run(k, args[0], args[1]);
}

static PyObject *key_close(KeyObject *k, PyObject *unused)
{
    frtpy_guard_close(&k->g);
    Py_RETURN_NONE;
}

static PyObject *key_name(KeyObject *k, void *unused)
{
    return PyUnicode_FromFormat("hmac-%U", frtpy_alg_name(k->alg));
}

static PyObject *key_digest_size(KeyObject *k, void *unused)
{
    return PyLong_FromSize_t(fipsrt_hash_size(k->alg));
}

static PyMethodDef key_methods[] = {
    {"digest", (PyCFunction)key_digest, METH_O, "digest(msg): the HMAC of msg."},
    {"hexdigest", (PyCFunction)key_hexdigest, METH_O, "hexdigest(msg): digest(msg) as hex."},
    {"verify", (PyCFunction)(void (*)(void))key_verify, METH_FASTCALL,
     "verify(msg, tag): constant-time check of tag (full, or >= 16 bytes); raises "
     "fipsrt.VerificationError if it does not match."},
    {"close", (PyCFunction)key_close, METH_NOARGS,
     "Free the key now (waits for no one: operations in flight finish first)."},
    {"__reduce__", frtpy_no_pickle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef key_getset[] = {
    {"name", (getter)key_name, NULL, NULL, NULL},
    {"digest_size", (getter)key_digest_size, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject KeyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.hmac.Key",
    .tp_doc = "Key(key, digestmod)\n--\n\nA prepared HMAC key (fipsrt_hmac_key): keyed once, "
              "immutable, shareable by threads; digest(msg) and verify(msg, tag) are the "
              "fastest way to MAC many short messages under one key. Cannot be pickled.",
    .tp_basicsize = sizeof(KeyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = key_tp_new,
    .tp_dealloc = (destructor)key_dealloc,
    .tp_methods = key_methods,
    .tp_getset = key_getset,
};

static PyMethodDef funcs[] = {
    {"hmac_new", (PyCFunction)(void (*)(void))py_hmac_new, METH_FASTCALL | METH_KEYWORDS,
     "new(key, msg=None, digestmod=None)\n--\n\nhmac.new(): digestmod is a hash name "
     "('sha256') or constructor (fipsrt.sha256)."},
    {"hmac_digest", (PyCFunction)(void (*)(void))py_hmac_digest, METH_FASTCALL | METH_KEYWORDS,
     "digest(key, msg, digest)\n--\n\nhmac.digest(): one-shot HMAC of msg under key."},
    {NULL, NULL, 0, NULL},
};

int frtpy_hmac_init(PyObject *m)
{
    if (PyType_Ready(&HMACType) < 0 || PyType_Ready(&KeyType) < 0
        || PyModule_AddObjectRef(m, "HMAC", (PyObject *)&HMACType) < 0
        || PyModule_AddObjectRef(m, "HMACKey", (PyObject *)&KeyType) < 0)
        return -1;
    return PyModule_AddFunctions(m, funcs);
}
