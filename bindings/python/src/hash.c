/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hashlib-like digests: fipsrt.Hash over fipsrt_hash_* (FIPS provider), fipsrt.InsecureMD5
 * over fipsrt_insecure_md5_* (outside the boundary, usedforsecurity=False only), the
 * constructors fipsrt.sha256(...) etc. and fipsrt.new().
 *
 * A Hash made from a bytes object keeps a reference to it instead of starting a digest
 * context: `fipsrt.sha256(data).digest()` is then one fipsrt_hash() call, the fast path of
 * content addressing. The first update() or copy() of such an object starts the context.
 */
#include <string.h>

#include "ext.h"

typedef struct {
    PyObject_HEAD
    int alg;
    bool closed;
    fipsrt_hash_ctx *ctx;      /* NULL until needed */
    PyObject *pending;         /* bytes absorbed lazily while ctx is NULL (NULL: none) */
    PyThread_type_lock lock;   /* made before the first operation without the GIL */
} HashObject;

typedef struct {
    PyObject_HEAD
    bool closed;
    fipsrt_insecure_md5_ctx *ctx;
    PyThread_type_lock lock;
} MD5Object;

static PyTypeObject HashType, MD5Type;
static PyObject *make(int alg, PyObject *data, PyObject *usedforsecurity);

/* Longest XOF output: 2**29 - 1 bytes, CPython's limit for its own SHAKE objects. */
#define XOF_MAX ((Py_ssize_t)1 << 29)

static bool is_xof(int alg)
{
    return alg == FIPSRT_HASH_SHAKE128 || alg == FIPSRT_HASH_SHAKE256;
}

static Py_ssize_t pending_len(const HashObject *h)
{
    return h->pending ? PyBytes_GET_SIZE(h->pending) : 0;
}

static HashObject *hash_alloc(int alg)
{
    HashObject *h = PyObject_New(HashObject, &HashType);
    if (h == NULL)
        return NULL;
    h->alg = alg;
    h->closed = false;
    h->ctx = NULL;
    h->pending = NULL;
    h->lock = NULL;
    return h;
}

static void hash_dealloc(HashObject *h)
{
    fipsrt_hash_free(h->ctx);
    Py_XDECREF(h->pending);
    if (h->lock)
        PyThread_free_lock(h->lock);
    PyObject_Free(h);
}

/* Call `update` on ctx over buf, without the GIL when `nogil`. */
static int absorb(fipsrt_hash_ctx *ctx, const void *buf, Py_ssize_t n, bool nogil)
{
    int rv;
    FRTPY_NOGIL(nogil, rv = fipsrt_hash_update(ctx, buf, (size_t)n));
    return frtpy_check(rv);
}

/* Start the context and absorb the pending bytes. The caller holds the lock if `nogil`. */
static int materialize(HashObject *h, bool nogil)
{
    fipsrt_hash_ctx *ctx = NULL;
    if (frtpy_check(fipsrt_hash_new(&ctx, h->alg)) < 0)
        return -1;
    if (h->pending && absorb(ctx, PyBytes_AS_STRING(h->pending), PyBytes_GET_SIZE(h->pending),
                             nogil) < 0) {
        fipsrt_hash_free(ctx);
        return -1;
    }
    Py_CLEAR(h->pending);
    h->ctx = ctx;
    return 0;
}

/* Enter h for an operation over `extra` more input bytes; *nogil says whether it may drop
 * the GIL. -1 (not entered) if closed or out of memory. */
static int hash_enter(HashObject *h, Py_ssize_t extra, bool *nogil)
{
    *nogil = extra >= FRTPY_GIL_MIN || (h->ctx == NULL && pending_len(h) >= FRTPY_GIL_MIN);
    if (*nogil && frtpy_lock_ensure(&h->lock) < 0)
        return -1;
    frtpy_lock_enter(h->lock);
    if (h->closed) {
        frtpy_lock_leave(h->lock);
        frtpy_closed("hash object");
        return -1;
    }
    /* The lock may have been waited for: pending state may differ now; re-derive. */
    *nogil = h->lock != NULL
             && (extra >= FRTPY_GIL_MIN || (h->ctx == NULL && pending_len(h) >= FRTPY_GIL_MIN));
    return 0;
}

static PyObject *hash_update(HashObject *h, PyObject *data)
{
    Py_buffer view;
    bool nogil;
    if (frtpy_buffer(data, &view) < 0)
        return NULL;
    if (hash_enter(h, view.len, &nogil) < 0) {
        frtpy_release(&view);
        return NULL;
    }
    int r = h->ctx == NULL ? materialize(h, nogil) : 0;
    if (r == 0)
        r = absorb(h->ctx, view.buf, view.len, nogil);
    frtpy_lock_leave(h->lock);
    frtpy_release(&view);
    if (r < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* The digest (or `len` XOF bytes) into out, not ending the object. Caller entered h. */
static int digest_into(HashObject *h, uint8_t *out, Py_ssize_t len, bool nogil)
{
    int rv;
    if (h->ctx == NULL) {
        /* One-shot over the pending bytes: no context at all. */
        const char *p = h->pending ? PyBytes_AS_STRING(h->pending) : "";
        size_t n = (size_t)pending_len(h);
        if (is_xof(h->alg))
            FRTPY_NOGIL(nogil, rv = fipsrt_hash_xof(h->alg, p, n, out, (size_t)len));
        else
            FRTPY_NOGIL(nogil, rv = fipsrt_hash(h->alg, p, n, out, (size_t)len, NULL));
        return frtpy_check(rv);
    }
    fipsrt_hash_ctx *c = NULL;
    if (frtpy_check(fipsrt_hash_clone(&c, h->ctx)) < 0)
        return -1;
    if (is_xof(h->alg))
        rv = fipsrt_hash_final_xof(c, out, (size_t)len);
    else
        rv = fipsrt_hash_final(c, out, (size_t)len, NULL);
    fipsrt_hash_free(c);
    return frtpy_check(rv);
}

/* digest()/hexdigest(): the output length (XOFs need one), -1 on error. */
static Py_ssize_t out_length(HashObject *h, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames, const char *func)
{
    static const char *const kwlist[] = {"length", NULL};
    PyObject *v[1];
    if (frtpy_args(func, args, nargs, kwnames, kwlist, 1, v) < 0)
        return -1;
    if (!is_xof(h->alg)) {
        if (v[0] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() takes no arguments for %U", func,
                         frtpy_alg_name(h->alg));
            return -1;
        }
        return (Py_ssize_t)fipsrt_hash_size(h->alg);
    }
    if (v[0] == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() missing required argument 'length'", func);
        return -1;
    }
    Py_ssize_t n;
    if (frtpy_length(v[0], &n) < 0)
        return -1;
    if (n >= XOF_MAX) {  /* as CPython's own SHAKE: no half-gigabyte outputs by mistake */
        PyErr_SetString(PyExc_ValueError, "length is too large (at most 2**29 - 1 bytes)");
        return -1;
    }
    return n;
}

static PyObject *finish(HashObject *h, Py_ssize_t len, bool hex)
{
    bool nogil;
    uint8_t small[FIPSRT_HASH_MAX_SIZE];
    uint8_t *buf = small;
    PyObject *out = NULL;
    if (len > (Py_ssize_t)sizeof(small) && (buf = PyMem_Malloc((size_t)len)) == NULL)
        return PyErr_NoMemory();
    if (hash_enter(h, 0, &nogil) < 0)
        goto out;
    int r = len == 0 ? 0 : digest_into(h, buf, len, nogil);
    frtpy_lock_leave(h->lock);
    if (r < 0)
        goto out;
    if (!hex) {
        out = PyBytes_FromStringAndSize((const char *)buf, len);
    } else if ((out = PyUnicode_New(2 * len, 127)) != NULL) {
        static const char digits[] = "0123456789abcdef";
        Py_UCS1 *d = PyUnicode_1BYTE_DATA(out);
        for (Py_ssize_t i = 0; i < len; i++) {
            d[2 * i] = (Py_UCS1)digits[buf[i] >> 4];
            d[2 * i + 1] = (Py_UCS1)digits[buf[i] & 15];
        }
    }
out:
    if (buf != small)
        PyMem_Free(buf);
    return out;
}

static PyObject *hash_digest(HashObject *h, PyObject *const *args, Py_ssize_t nargs,
                             PyObject *kwnames)
{
    if (nargs == 0 && kwnames == NULL && !is_xof(h->alg))
        return finish(h, (Py_ssize_t)fipsrt_hash_size(h->alg), false);
    Py_ssize_t n = out_length(h, args, nargs, kwnames, "digest");
    return n < 0 ? NULL : finish(h, n, false);
}

static PyObject *hash_hexdigest(HashObject *h, PyObject *const *args, Py_ssize_t nargs,
                                PyObject *kwnames)
{
    Py_ssize_t n = out_length(h, args, nargs, kwnames, "hexdigest");
    return n < 0 ? NULL : finish(h, n, true);
}

static PyObject *hash_copy(HashObject *h, PyObject *unused)
{
    bool nogil;
    if (hash_enter(h, 0, &nogil) < 0)
        return NULL;
    HashObject *c = hash_alloc(h->alg);
    int r = c == NULL ? -1 : 0;
    if (r == 0 && h->ctx == NULL)
        c->pending = Py_XNewRef(h->pending);
    else if (r == 0)
        r = frtpy_check(fipsrt_hash_clone(&c->ctx, h->ctx));
    frtpy_lock_leave(h->lock);
    if (r < 0) {
        Py_XDECREF(c);
        return NULL;
    }
    return (PyObject *)c;
}

static PyObject *hash_close(HashObject *h, PyObject *unused)
{
    frtpy_lock_enter(h->lock);
    fipsrt_hash_free(h->ctx);
    h->ctx = NULL;
    Py_CLEAR(h->pending);
    h->closed = true;
    frtpy_lock_leave(h->lock);
    Py_RETURN_NONE;
}

static PyObject *hash_get_name(HashObject *h, void *unused)
{
    return Py_NewRef(frtpy_alg_name(h->alg));
}

static PyObject *hash_get_digest_size(HashObject *h, void *unused)
{
    return PyLong_FromSize_t(fipsrt_hash_size(h->alg));
}

static PyObject *hash_get_block_size(HashObject *h, void *unused)
{
    return PyLong_FromSize_t(fipsrt_hash_block_size(h->alg));
}

static PyObject *hash_repr(HashObject *h)
{
    return PyUnicode_FromFormat("<fipsrt %U Hash object @ %p>", frtpy_alg_name(h->alg), h);
}

static PyObject *enter_self(PyObject *self, PyObject *unused)
{
    return Py_NewRef(self);
}

static PyObject *hash_exit(HashObject *h, PyObject *args)
{
    return hash_close(h, NULL);
}

static PyMethodDef hash_methods[] = {
    {"update", (PyCFunction)hash_update, METH_O, "Absorb bytes-like data."},
    {"digest", (PyCFunction)(void (*)(void))hash_digest, METH_FASTCALL | METH_KEYWORDS,
     "The digest so far (digest(length) for SHAKE); the object stays usable."},
    {"hexdigest", (PyCFunction)(void (*)(void))hash_hexdigest, METH_FASTCALL | METH_KEYWORDS,
     "digest() as a hex string."},
    {"copy", (PyCFunction)hash_copy, METH_NOARGS, "An independent copy of the state."},
    {"close", (PyCFunction)hash_close, METH_NOARGS,
     "Free the state now (safe while another thread uses the object)."},
    {"__enter__", enter_self, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)hash_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef hash_getset[] = {
    {"name", (getter)hash_get_name, NULL, "hashlib's name of the algorithm", NULL},
    {"digest_size", (getter)hash_get_digest_size, NULL, "digest bytes (0 for SHAKE)", NULL},
    {"block_size", (getter)hash_get_block_size, NULL, "block bytes", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* Hash(name, data=b"") as the ctypes binding's class: new() without usedforsecurity. */
static PyObject *hash_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"name", "data", NULL};
    PyObject *name, *data = NULL;
    int alg;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:Hash", kwlist, &name, &data)
        || frtpy_alg(name, &alg) < 0)
        return NULL;
    return make(alg, data, NULL);  /* MD5: MD5SecurityError */
}

static PyTypeObject HashType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.Hash",
    .tp_doc = "A streaming digest in the FIPS provider, with hashlib's interface. Make one "
              "with fipsrt.new() or a constructor such as fipsrt.sha256().",
    .tp_basicsize = sizeof(HashObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = hash_tp_new,
    .tp_dealloc = (destructor)hash_dealloc,
    .tp_repr = (reprfunc)hash_repr,
    .tp_methods = hash_methods,
    .tp_getset = hash_getset,
};

/* ---- InsecureMD5 ---------------------------------------------------------------------- */

static MD5Object *md5_alloc(void)
{
    MD5Object *m = PyObject_New(MD5Object, &MD5Type);
    if (m == NULL)
        return NULL;
    m->closed = false;
    m->lock = NULL;
    m->ctx = NULL;
    return m;
}

static PyObject *md5_make(PyObject *data)
{
    MD5Object *m = md5_alloc();
    if (m == NULL)
        return NULL;
    frtpy_non_approved++;
    if (frtpy_check(fipsrt_insecure_md5_new(&m->ctx)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    if (data != NULL) {
        Py_buffer view;
        if (frtpy_buffer(data, &view) < 0) {
            Py_DECREF(m);
            return NULL;
        }
        int rv;  /* nobody else can see m yet: no lock needed to drop the GIL */
        FRTPY_NOGIL(view.len >= FRTPY_GIL_MIN,
                    rv = fipsrt_insecure_md5_update(m->ctx, view.buf, (size_t)view.len));
        frtpy_release(&view);
        if (frtpy_check(rv) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return (PyObject *)m;
}

static void md5_dealloc(MD5Object *m)
{
    fipsrt_insecure_md5_free(m->ctx);
    if (m->lock)
        PyThread_free_lock(m->lock);
    PyObject_Free(m);
}

static int md5_enter(MD5Object *m, Py_ssize_t len, bool *nogil)
{
    *nogil = len >= FRTPY_GIL_MIN;
    if (*nogil && frtpy_lock_ensure(&m->lock) < 0)
        return -1;
    frtpy_lock_enter(m->lock);
    if (m->closed) {
        frtpy_lock_leave(m->lock);
        frtpy_closed("md5 object");
        return -1;
    }
    *nogil = *nogil && m->lock != NULL;
    return 0;
}

static PyObject *md5_update(MD5Object *m, PyObject *data)
{
    Py_buffer view;
    bool nogil;
    int rv;
    if (frtpy_buffer(data, &view) < 0)
        return NULL;
    if (md5_enter(m, view.len, &nogil) < 0) {
        frtpy_release(&view);
        return NULL;
    }
    FRTPY_NOGIL(nogil, rv = fipsrt_insecure_md5_update(m->ctx, view.buf, (size_t)view.len));
    frtpy_non_approved++;
    frtpy_lock_leave(m->lock);
    frtpy_release(&view);
    if (frtpy_check(rv) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* A copy of m's state (NULL with an exception). */
static fipsrt_insecure_md5_ctx *md5_clone(MD5Object *m)
{
    bool nogil;
    fipsrt_insecure_md5_ctx *c = NULL;
    if (md5_enter(m, 0, &nogil) < 0)
        return NULL;
    int rv = fipsrt_insecure_md5_clone(&c, m->ctx);
    frtpy_lock_leave(m->lock);
    return frtpy_check(rv) < 0 ? NULL : c;
}

static PyObject *md5_digest(MD5Object *m, PyObject *unused)
{
    uint8_t out[FIPSRT_INSECURE_MD5_SIZE];
    fipsrt_insecure_md5_ctx *c = md5_clone(m);  /* digest() does not end the object */
    if (c == NULL)
        return NULL;
    int rv = fipsrt_insecure_md5_final(c, out);
    fipsrt_insecure_md5_free(c);
    frtpy_non_approved++;
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyBytes_FromStringAndSize((const char *)out, sizeof(out));
}

static PyObject *md5_hexdigest(MD5Object *m, PyObject *unused)
{
    PyObject *b = md5_digest(m, NULL);
    if (b == NULL)
        return NULL;
    PyObject *h = PyObject_CallMethod(b, "hex", NULL);
    Py_DECREF(b);
    return h;
}

static PyObject *md5_copy(MD5Object *m, PyObject *unused)
{
    fipsrt_insecure_md5_ctx *c = md5_clone(m);
    if (c == NULL)
        return NULL;
    MD5Object *o = md5_alloc();
    if (o == NULL) {
        fipsrt_insecure_md5_free(c);
        return NULL;
    }
    o->ctx = c;
    return (PyObject *)o;
}

static PyObject *md5_close(MD5Object *m, PyObject *unused)
{
    frtpy_lock_enter(m->lock);
    fipsrt_insecure_md5_free(m->ctx);
    m->ctx = NULL;
    m->closed = true;
    frtpy_lock_leave(m->lock);
    Py_RETURN_NONE;
}

static PyObject *md5_exit(MD5Object *m, PyObject *args)
{
    return md5_close(m, NULL);
}

static PyObject *md5_repr(MD5Object *m)
{
    return PyUnicode_FromFormat("<fipsrt md5 InsecureMD5 object (not for security) @ %p>", m);
}

static PyMethodDef md5_methods[] = {
    {"update", (PyCFunction)md5_update, METH_O, "Absorb bytes-like data."},
    {"digest", (PyCFunction)md5_digest, METH_NOARGS,
     "The MD5 digest so far; the object stays usable."},
    {"hexdigest", (PyCFunction)md5_hexdigest, METH_NOARGS, "digest() as hex."},
    {"copy", (PyCFunction)md5_copy, METH_NOARGS, "An independent copy of the state."},
    {"close", (PyCFunction)md5_close, METH_NOARGS, "Free the state now."},
    {"__enter__", enter_self, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)md5_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *md5_name(PyObject *self, void *unused) { return PyUnicode_FromString("md5"); }
static PyObject *md5_size(PyObject *self, void *unused) { return PyLong_FromLong(16); }
static PyObject *md5_block(PyObject *self, void *unused) { return PyLong_FromLong(64); }

static PyGetSetDef md5_getset[] = {
    {"name", md5_name, NULL, NULL, NULL},
    {"digest_size", md5_size, NULL, NULL, NULL},
    {"block_size", md5_block, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *md5_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"data", NULL};
    PyObject *data = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:InsecureMD5", kwlist, &data))
        return NULL;
    return md5_make(data);
}

static PyTypeObject MD5Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.InsecureMD5",
    .tp_doc = "MD5 for NON-SECURITY uses (checksums, legacy identifiers), computed OUTSIDE "
              "the FIPS boundary (fipsrt/insecure.h), with hashlib's interface.",
    .tp_basicsize = sizeof(MD5Object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = md5_tp_new,
    .tp_dealloc = (destructor)md5_dealloc,
    .tp_repr = (reprfunc)md5_repr,
    .tp_methods = md5_methods,
    .tp_getset = md5_getset,
};

/* ---- constructors --------------------------------------------------------------------- */

static PyObject *make(int alg, PyObject *data, PyObject *usedforsecurity)
{
    int secure = usedforsecurity == NULL ? 1 : PyObject_IsTrue(usedforsecurity);
    if (secure < 0)
        return NULL;
    if (data != NULL && PyUnicode_Check(data)) {  /* a type error comes before any policy */
        PyErr_SetString(PyExc_TypeError, "Strings must be encoded before hashing");
        return NULL;
    }
    if (alg == FIPSRT_HASH_MD5) {
        if (!secure)
            return md5_make(data);
        fipsrt_hash_ctx *c = NULL;  /* the library's own refusal: MD5SecurityError */
        int rv = fipsrt_hash_new(&c, FIPSRT_HASH_MD5);
        fipsrt_hash_free(c);
        return frtpy_raise(rv < 0 ? rv : FIPSRT_E_MD5_SECURE);
    }
    HashObject *h = hash_alloc(alg);
    if (h == NULL || data == NULL)
        return (PyObject *)h;
    if (PyBytes_CheckExact(data)) {
        if (PyBytes_GET_SIZE(data) > 0)
            h->pending = Py_NewRef(data);
        return (PyObject *)h;
    }
    Py_buffer view;
    if (frtpy_buffer(data, &view) < 0 || materialize(h, false) < 0
        || absorb(h->ctx, view.buf, view.len, view.len >= FRTPY_GIL_MIN) < 0) {
        /* (h is not shared yet: dropping the GIL needs no lock) */
        frtpy_release(&view);
        Py_DECREF(h);
        return NULL;
    }
    frtpy_release(&view);
    return (PyObject *)h;
}

/* fipsrt.sha256(data=b"", *, usedforsecurity=True); `self` is the algorithm number. */
static PyObject *ctor(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames)
{
    int alg = (int)PyLong_AsLong(self);
    if (kwnames == NULL && nargs <= 1)
        return make(alg, nargs ? args[0] : NULL, NULL);
    static const char *const kwlist[] = {"data", "usedforsecurity", "string", NULL};
    PyObject *v[3];
    if (frtpy_args("constructor", args, nargs, kwnames, kwlist, 1, v) < 0)
        return NULL;
    if (v[0] != NULL && v[2] != NULL) {
        PyErr_SetString(PyExc_TypeError, "'data' and 'string' are mutually exclusive");
        return NULL;
    }
    return make(alg, v[0] ? v[0] : v[2], v[1]);
}

/* fipsrt.new(name, data=b"", *, usedforsecurity=True) */
static PyObject *py_new(PyObject *m, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const kwlist[] = {"name", "data", "usedforsecurity", "string", NULL};
    PyObject *v[4];
    int alg;
    if (frtpy_args("new", args, nargs, kwnames, kwlist, 2, v) < 0)
        return NULL;
    if (v[0] == NULL) {
        PyErr_SetString(PyExc_TypeError, "new() missing required argument 'name'");
        return NULL;
    }
    if (frtpy_alg(v[0], &alg) < 0)
        return NULL;
    return make(alg, v[1] ? v[1] : v[3], v[2]);
}

#define CTOR(n)                                                                              \
    {n, (PyCFunction)(void (*)(void))ctor, METH_FASTCALL | METH_KEYWORDS,                    \
     n "(data=b'', *, usedforsecurity=True)\n--\n\nA new " n " object (hashlib-compatible), " \
     "computed in the FIPS provider."}
static PyMethodDef ctor_defs[] = {
    CTOR("sha1"), CTOR("sha224"), CTOR("sha256"), CTOR("sha384"), CTOR("sha512"),
    CTOR("sha512_224"), CTOR("sha512_256"), CTOR("sha3_224"), CTOR("sha3_256"),
    CTOR("sha3_384"), CTOR("sha3_512"), CTOR("shake_128"), CTOR("shake_256"),
    {"md5", (PyCFunction)(void (*)(void))ctor, METH_FASTCALL | METH_KEYWORDS,
     "md5(data=b'', *, usedforsecurity=True)\n--\n\nRaises MD5SecurityError unless "
     "usedforsecurity=False, which gives an InsecureMD5 (outside the FIPS boundary)."},
};
static const int ctor_algs[] = {
    FIPSRT_HASH_SHA1, FIPSRT_HASH_SHA224, FIPSRT_HASH_SHA256, FIPSRT_HASH_SHA384,
    FIPSRT_HASH_SHA512, FIPSRT_HASH_SHA512_224, FIPSRT_HASH_SHA512_256, FIPSRT_HASH_SHA3_224,
    FIPSRT_HASH_SHA3_256, FIPSRT_HASH_SHA3_384, FIPSRT_HASH_SHA3_512, FIPSRT_HASH_SHAKE128,
    FIPSRT_HASH_SHAKE256, FIPSRT_HASH_MD5,
};

static PyMethodDef new_def = {
    "new", (PyCFunction)(void (*)(void))py_new, METH_FASTCALL | METH_KEYWORDS,
    "new(name, data=b'', *, usedforsecurity=True)\n--\n\nhashlib.new(): a digest object for "
    "name. MD5 is refused (MD5SecurityError) unless usedforsecurity=False."};

int frtpy_hash_init(PyObject *m)
{
    if (PyType_Ready(&HashType) < 0 || PyType_Ready(&MD5Type) < 0
        || PyModule_AddObjectRef(m, "Hash", (PyObject *)&HashType) < 0
        || PyModule_AddObjectRef(m, "InsecureMD5", (PyObject *)&MD5Type) < 0)
        return -1;
    PyObject *modname = PyModule_GetNameObject(m);
    if (modname == NULL)
        return -1;
    int r = 0;
    for (size_t i = 0; r == 0 && i < sizeof(ctor_algs) / sizeof(ctor_algs[0]); i++) {
        PyObject *alg = PyLong_FromLong(ctor_algs[i]);
        PyObject *f = alg ? PyCMethod_New(&ctor_defs[i], alg, modname, NULL) : NULL;
        r = (f == NULL || frtpy_register_name(f, ctor_algs[i]) < 0
             || PyModule_AddObjectRef(m, ctor_defs[i].ml_name, f) < 0) ? -1 : 0;
        Py_XDECREF(f);
        Py_XDECREF(alg);
    }
    PyObject *f = r == 0 ? PyCMethod_New(&new_def, NULL, modname, NULL) : NULL;
    if (f == NULL || PyModule_AddObjectRef(m, "new", f) < 0)
        r = -1;
    Py_XDECREF(f);
    Py_DECREF(modname);
    return r;
}
