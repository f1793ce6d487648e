/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES-GCM (SP 800-38D): fipsrt.aead.AESGCM over fipsrt_aead_key (nonces chosen inside the
 * FIPS module; thread-shareable) and fipsrt.aead.AESGCMCounter over fipsrt_aead_counter
 * (counter nonces for protocols; one thread at a time, serialised by a lock here).
 */
#include <string.h>

#include "ext.h"

typedef struct {
    PyObject_HEAD
    struct frtpy_guard g;  /* fipsrt_aead_key */
} GCMObject;

typedef struct {
    PyObject_HEAD
    bool closed;
    fipsrt_aead_counter *ctx;
    PyThread_type_lock lock;  /* always present: counters are few and must never race */
} CounterObject;

static PyTypeObject GCMType, CounterType;

/* The AES-GCM algorithm for a raw key's length; -1 with InvalidArgument. */
static int alg_for(Py_ssize_t len, fipsrt_aead_alg *alg)
{
    switch (len) {
    case 16: *alg = FIPSRT_AEAD_AES_128_GCM; return 0;
    case 24: *alg = FIPSRT_AEAD_AES_192_GCM; return 0;
    case 32: *alg = FIPSRT_AEAD_AES_256_GCM; return 0;
    default: {
        char d[96];
        PyOS_snprintf(d, sizeof(d), "AES-GCM keys are 16, 24 or 32 bytes, not %zd", len);
        frtpy_raise_msg(FIPSRT_E_INVALID_ARG, d);
        return -1;
    }
    }
}

static void gcm_free(void *h) { fipsrt_aead_key_free(h); }

static PyObject *gcm_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"key", NULL};
    PyObject *key;
    Py_buffer kv;
    fipsrt_aead_alg alg;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:AESGCM", kwlist, &key)
        || frtpy_buffer(key, &kv) < 0)
        return NULL;
    fipsrt_aead_key *h = NULL;
    int r = alg_for(kv.len, &alg);
    if (r == 0)
        r = frtpy_check(fipsrt_aead_key_new(&h, alg, kv.buf, (size_t)kv.len));
    frtpy_release(&kv);
    if (r < 0)
        return NULL;
    GCMObject *g = (GCMObject *)type->tp_alloc(type, 0);
    if (g == NULL) {
        fipsrt_aead_key_free(h);
        return NULL;
    }
    g->g = (struct frtpy_guard){.h = h, .free = gcm_free};
    return (PyObject *)g;
}

static void gcm_dealloc(GCMObject *g)
{
    if (g->g.h)
        fipsrt_aead_key_free(g->g.h);
    Py_TYPE(g)->tp_free(g);
}

static PyObject *gcm_generate_key(PyObject *cls, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"bit_length", NULL};
    int bits = 256;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|i:generate_key", kwlist, &bits))
        return NULL;
    if (bits != 128 && bits != 192 && bits != 256) {
        PyErr_SetString(PyExc_ValueError, "bit_length must be 128, 192 or 256");
        return NULL;
    }
    PyObject *out = frtpy_bytes(bits / 8);
    if (out != NULL && frtpy_check(fipsrt_random(PyBytes_AS_STRING(out), (size_t)bits / 8)) < 0)
        Py_CLEAR(out);
    return out;
}

/* seal(data, associated_data=b"") -> (nonce, ciphertext || tag) */
static PyObject *gcm_seal(GCMObject *g, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    static const char *const kwlist[] = {"data", "associated_data", NULL};
    PyObject *v[2];
    Py_buffer pv, av;
    if (frtpy_args("seal", args, nargs, kwnames, kwlist, 2, v) < 0)
        return NULL;
    if (v[0] == NULL) {
        PyErr_SetString(PyExc_TypeError, "seal() missing required argument 'data'");
        return NULL;
    }
    if (frtpy_buffer(v[0], &pv) < 0)
        return NULL;
    if (frtpy_buffer_opt(v[1], &av) < 0) {
        frtpy_release(&pv);
        return NULL;
    }
    PyObject *nonce = frtpy_bytes(FIPSRT_AEAD_NONCE_SIZE);
    PyObject *ct = pv.len > PY_SSIZE_T_MAX - FIPSRT_AEAD_TAG_SIZE
                       ? PyErr_NoMemory() : frtpy_bytes(pv.len + FIPSRT_AEAD_TAG_SIZE);
    fipsrt_aead_key *k = nonce && ct ? frtpy_guard_enter(&g->g, "AES-GCM key") : NULL;
    int rv = 0;
    if (k != NULL) {
        size_t n = 0;
        FRTPY_NOGIL(pv.len + av.len >= FRTPY_GIL_MIN,
                    rv = fipsrt_aead_seal(k, av.buf, (size_t)av.len, pv.buf, (size_t)pv.len,
                                          (uint8_t *)PyBytes_AS_STRING(nonce),
                                          (uint8_t *)PyBytes_AS_STRING(ct),
                                          (size_t)PyBytes_GET_SIZE(ct), &n));
        frtpy_guard_leave(&g->g);
    }
    frtpy_release(&pv);
    frtpy_release(&av);
    if (k == NULL || frtpy_check(rv) < 0) {
        Py_XDECREF(nonce);
        Py_XDECREF(ct);
        return NULL;
    }
    PyObject *t = PyTuple_New(2);
    if (t == NULL) {
        Py_DECREF(nonce);
        Py_DECREF(ct);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, nonce);
    PyTuple_SET_ITEM(t, 1, ct);
    return t;
}

/* open(nonce, data, associated_data=b"") -> plaintext */
static PyObject *gcm_open(GCMObject *g, PyObject *const *args, Py_ssize_t nargs,
                          PyObject *kwnames)
{
    static const char *const kwlist[] = {"nonce", "data", "associated_data", NULL};
    PyObject *v[3];
    Py_buffer nv, cv, av;
    if (frtpy_args("open", args, nargs, kwnames, kwlist, 3, v) < 0)
        return NULL;
    if (v[0] == NULL || v[1] == NULL) {
        PyErr_SetString(PyExc_TypeError, "open() needs nonce and data");
        return NULL;
    }
    if (frtpy_buffer(v[0], &nv) < 0)
        return NULL;
    if (nv.len != FIPSRT_AEAD_NONCE_SIZE) {
        frtpy_release(&nv);
        return frtpy_raise_msg(FIPSRT_E_INVALID_ARG, "AES-GCM nonces are 12 bytes");
    }
    if (frtpy_buffer(v[1], &cv) < 0) {
        frtpy_release(&nv);
        return NULL;
    }
    if (frtpy_buffer_opt(v[2], &av) < 0) {
        frtpy_release(&nv);
        frtpy_release(&cv);
        return NULL;
    }
    Py_ssize_t cap = cv.len > FIPSRT_AEAD_TAG_SIZE ? cv.len - FIPSRT_AEAD_TAG_SIZE : 0;
    PyObject *pt = frtpy_bytes(cap);
    fipsrt_aead_key *k = pt ? frtpy_guard_enter(&g->g, "AES-GCM key") : NULL;
    int rv = 0;
    size_t n = 0;
    if (k != NULL) {
        /* (an empty bytes object is shared: never written, as cap is 0 then) */
        FRTPY_NOGIL(cv.len + av.len >= FRTPY_GIL_MIN,
                    rv = fipsrt_aead_open(k, nv.buf, av.buf, (size_t)av.len, cv.buf,
                                          (size_t)cv.len, (uint8_t *)PyBytes_AS_STRING(pt),
                                          (size_t)cap, &n));
        frtpy_guard_leave(&g->g);
    }
    frtpy_release(&nv);
    frtpy_release(&cv);
    frtpy_release(&av);
    if (k == NULL || frtpy_check(rv) < 0) {
        Py_XDECREF(pt);
        return NULL;
    }
    return pt;
}

static PyObject *gcm_invocations(GCMObject *g, void *unused)
{
    return PyLong_FromUnsignedLongLong(g->g.h ? fipsrt_aead_key_invocations(g->g.h) : 0);
}

static PyObject *gcm_close(GCMObject *g, PyObject *unused)
{
    frtpy_guard_close(&g->g);
    Py_RETURN_NONE;
}

static PyMethodDef gcm_methods[] = {
    {"seal", (PyCFunction)(void (*)(void))gcm_seal, METH_FASTCALL | METH_KEYWORDS,
     "seal(data, associated_data=b'')\n--\n\nEncrypt: returns (nonce, ciphertext || 16-byte "
     "tag); the nonce was chosen by the FIPS module. Send both; open() needs the nonce."},
    {"open", (PyCFunction)(void (*)(void))gcm_open, METH_FASTCALL | METH_KEYWORDS,
     "open(nonce, data, associated_data=b'')\n--\n\nDecrypt and verify ciphertext || tag; "
     "raises VerificationError if it was tampered with (or nonce, key or AAD differ)."},
    {"generate_key", (PyCFunction)(void (*)(void))gcm_generate_key,
     METH_VARARGS | METH_KEYWORDS | METH_STATIC, "A fresh key from the FIPS DRBG."},
    {"close", (PyCFunction)gcm_close, METH_NOARGS, "Free the key now."},
    {"__reduce__", frtpy_no_pickle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef gcm_getset[] = {
    {"invocations", (getter)gcm_invocations, NULL,
     "Encryptions done with this key (at most 2^32).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject GCMType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.aead.AESGCM",
    .tp_doc = "AESGCM(key)\n--\n\nAn AES-128/192/256-GCM key (by its length: 16, 24 or 32 "
              "bytes). Thread-safe. A key allows 2^32 encryptions (then LimitReached).",
    .tp_basicsize = sizeof(GCMObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_new = gcm_tp_new,
    .tp_dealloc = (destructor)gcm_dealloc,
    .tp_methods = gcm_methods,
    .tp_getset = gcm_getset,
};

/* ---- counter nonces ------------------------------------------------------------------- */

static PyObject *counter_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"key", "mode", "fixed", NULL};
    PyObject *key, *fixed = NULL;
    const char *mode = "xor";
    Py_buffer kv, fv;
    fipsrt_aead_alg alg;
    fipsrt_aead_nonce_mode m;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|sO:AESGCMCounter", kwlist, &key, &mode,
                                     &fixed))
        return NULL;
    if (strcmp(mode, "xor") == 0) {
        m = FIPSRT_AEAD_NONCE_XOR;
    } else if (strcmp(mode, "prefix") == 0) {
        m = FIPSRT_AEAD_NONCE_PREFIX;
    } else {
        PyErr_SetString(PyExc_ValueError, "mode must be 'xor' (TLS 1.3) or 'prefix' (TLS 1.2)");
        return NULL;
    }
    if (frtpy_buffer(key, &kv) < 0)
        return NULL;
    if (frtpy_buffer_opt(fixed, &fv) < 0) {
        frtpy_release(&kv);
        return NULL;
    }
    CounterObject *c = (CounterObject *)type->tp_alloc(type, 0);
    int r = c == NULL ? -1 : alg_for(kv.len, &alg);
    if (r == 0 && (c->lock = PyThread_allocate_lock()) == NULL) {
        PyErr_NoMemory();
        r = -1;
    }
    if (r == 0)
        r = frtpy_check(fipsrt_aead_counter_new(&c->ctx, alg, kv.buf, (size_t)kv.len, m,
                                                fv.len ? fv.buf : NULL, (size_t)fv.len));
    frtpy_release(&kv);
    frtpy_release(&fv);
    if (r < 0) {
        Py_XDECREF(c);
        return NULL;
    }
    return (PyObject *)c;
}

static void counter_dealloc(CounterObject *c)
{
    fipsrt_aead_counter_free(c->ctx);
    if (c->lock)
        PyThread_free_lock(c->lock);
    Py_TYPE(c)->tp_free(c);
}

static int counter_enter(CounterObject *c)
{
    frtpy_lock_enter(c->lock);
    if (c->closed) {
        frtpy_lock_leave(c->lock);
        frtpy_closed("AES-GCM counter");
        return -1;
    }
    return 0;
}

/* seal(counter, data, associated_data=b"") / open(counter, data, associated_data=b"") */
static PyObject *counter_run(CounterObject *c, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames, bool seal)
{
    static const char *const kwlist[] = {"counter", "data", "associated_data", NULL};
    PyObject *v[3];
    Py_buffer dv, av;
    unsigned long long counter;
    if (frtpy_args(seal ? "seal" : "open", args, nargs, kwnames, kwlist, 3, v) < 0)
        return NULL;
    if (v[0] == NULL || v[1] == NULL) {
        PyErr_SetString(PyExc_TypeError, "needs counter and data");
        return NULL;
    }
    counter = PyLong_AsUnsignedLongLong(v[0]);  /* negative or >= 2**64: OverflowError */
    if (counter == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    if (frtpy_buffer(v[1], &dv) < 0)
        return NULL;
    if (frtpy_buffer_opt(v[2], &av) < 0) {
        frtpy_release(&dv);
        return NULL;
    }
    Py_ssize_t cap = seal ? dv.len + FIPSRT_AEAD_TAG_SIZE
                          : (dv.len > FIPSRT_AEAD_TAG_SIZE ? dv.len - FIPSRT_AEAD_TAG_SIZE : 0);
    PyObject *out = frtpy_bytes(cap);
    int rv = 0, entered = out ? counter_enter(c) : -1;
    if (entered == 0) {
        size_t n = 0;
        uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
        bool nogil = dv.len + av.len >= FRTPY_GIL_MIN;
        if (seal)
            FRTPY_NOGIL(nogil, rv = fipsrt_aead_counter_seal(c->ctx, counter, av.buf,
                                                             (size_t)av.len, dv.buf,
                                                             (size_t)dv.len, o, (size_t)cap, &n));
        else
            FRTPY_NOGIL(nogil, rv = fipsrt_aead_counter_open(c->ctx, counter, av.buf,
                                                             (size_t)av.len, dv.buf,
                                                             (size_t)dv.len, o, (size_t)cap, &n));
        frtpy_lock_leave(c->lock);
    }
    frtpy_release(&dv);
    frtpy_release(&av);
    if (entered < 0 || frtpy_check(rv) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *counter_seal(CounterObject *c, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    return counter_run(c, a, n, k, true);
}

static PyObject *counter_open(CounterObject *c, PyObject *const *a, Py_ssize_t n, PyObject *k)
{
    return counter_run(c, a, n, k, false);
}

static PyObject *counter_nonce(CounterObject *c, PyObject *arg)
{
    uint8_t nonce[FIPSRT_AEAD_NONCE_SIZE];
    unsigned long long counter = PyLong_AsUnsignedLongLong(arg);
    if (counter == (unsigned long long)-1 && PyErr_Occurred())
        return NULL;
    if (counter_enter(c) < 0)
        return NULL;
    int rv = fipsrt_aead_counter_nonce(c->ctx, counter, nonce);
    frtpy_lock_leave(c->lock);
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyBytes_FromStringAndSize((const char *)nonce, sizeof(nonce));
}

static PyObject *counter_fixed(CounterObject *c, void *unused)
{
    uint8_t fixed[FIPSRT_AEAD_NONCE_SIZE];
    size_t n = 0;
    if (counter_enter(c) < 0)
        return NULL;
    int rv = fipsrt_aead_counter_fixed(c->ctx, fixed, sizeof(fixed), &n);
    frtpy_lock_leave(c->lock);
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyBytes_FromStringAndSize((const char *)fixed, (Py_ssize_t)n);
}

static PyObject *counter_last(CounterObject *c, void *unused)
{
    uint64_t last = 0;
    if (counter_enter(c) < 0)
        return NULL;
    int rv = fipsrt_aead_counter_last(c->ctx, &last);
    frtpy_lock_leave(c->lock);
    if (rv == FIPSRT_E_STATE)
        Py_RETURN_NONE;
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyLong_FromUnsignedLongLong(last);
}

static PyObject *counter_close(CounterObject *c, PyObject *unused)
{
    frtpy_lock_enter(c->lock);
    fipsrt_aead_counter_free(c->ctx);
    c->ctx = NULL;
    c->closed = true;
    frtpy_lock_leave(c->lock);
    Py_RETURN_NONE;
}

static PyMethodDef counter_methods[] = {
    {"seal", (PyCFunction)(void (*)(void))counter_seal, METH_FASTCALL | METH_KEYWORDS,
     "seal(counter, data, associated_data=b'')\n--\n\nEncrypt message number counter "
     "(greater than every counter sealed before: else NonceReuse); ciphertext || tag."},
    {"open", (PyCFunction)(void (*)(void))counter_open, METH_FASTCALL | METH_KEYWORDS,
     "open(counter, data, associated_data=b'')\n--\n\nDecrypt and verify message number "
     "counter (any counter: rejecting replays is the protocol's job)."},
    {"nonce", (PyCFunction)counter_nonce, METH_O, "The nonce used for a counter value."},
    {"close", (PyCFunction)counter_close, METH_NOARGS, "Free the context now."},
    {"__reduce__", frtpy_no_pickle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef counter_getset[] = {
    {"fixed", (getter)counter_fixed, NULL, "The fixed nonce field (4 or 12 bytes).", NULL},
    {"last", (getter)counter_last, NULL, "The last counter sealed, None before the first.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.aead.AESGCMCounter",
    .tp_doc = "AESGCMCounter(key, mode='xor', fixed=None)\n--\n\nAES-GCM with counter nonces "
              "(fipsrt_aead_counter): mode 'xor' = fixed[12] XOR counter (TLS 1.3), 'prefix' "
              "= fixed[4] || counter (TLS 1.2); fixed None draws it from the FIPS DRBG. One "
              "sealing context per (key, fixed).",
    .tp_basicsize = sizeof(CounterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = counter_tp_new,
    .tp_dealloc = (destructor)counter_dealloc,
    .tp_methods = counter_methods,
    .tp_getset = counter_getset,
};

int frtpy_aead_init(PyObject *m)
{
    if (PyType_Ready(&GCMType) < 0 || PyType_Ready(&CounterType) < 0
        || PyModule_AddObjectRef(m, "AESGCM", (PyObject *)&GCMType) < 0
        || PyModule_AddObjectRef(m, "AESGCMCounter", (PyObject *)&CounterType) < 0)
        return -1;
    return 0;
}
