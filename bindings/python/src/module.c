/* SPDX-License-Identifier: Apache-2.0 */
/* fipsrt._fipsrt: module setup, errors, inputs, locks, random bytes and runtime facts. */
#include <dlfcn.h>
#include <string.h>

#include "ext.h"

static PyObject *from_code;  /* fipsrt.errors.from_code */
static PyObject *names;      /* dict: name or constructor -> int alg */
static PyObject *alg_names;  /* dict: int alg -> hashlib name */

/* ---- errors --------------------------------------------------------------------------- */

static PyObject *raise_with(int code, const char *detail)
{
    PyObject *d = PyUnicode_DecodeUTF8(detail, (Py_ssize_t)strlen(detail), "replace");
    if (d == NULL)
        return NULL;
    PyObject *exc = PyObject_CallFunction(from_code, "isO", code, fipsrt_strerror(code), d);
    Py_DECREF(d);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

PyObject *frtpy_raise(int code)
{
    const char *detail = fipsrt_last_error();
    return raise_with(code, detail ? detail : "");
}

PyObject *frtpy_raise_msg(int code, const char *detail)
{
    return raise_with(code, detail);
}

PyObject *frtpy_closed(const char *what)
{
    char buf[128];
    PyOS_snprintf(buf, sizeof(buf), "%s is closed", what);
    return raise_with(FIPSRT_E_STATE, buf);
}

PyObject *frtpy_no_pickle(PyObject *self, PyObject *unused)
{
    (void)unused;
    PyErr_Format(PyExc_TypeError,
                 "cannot pickle %s objects: they hold secret key material inside the FIPS "
                 "module; keep the key bytes (or an exported, encrypted key) instead",
                 Py_TYPE(self)->tp_name);
    return NULL;
}

/* ---- inputs --------------------------------------------------------------------------- */

int frtpy_buffer(PyObject *obj, Py_buffer *view)
{
    if (PyUnicode_Check(obj)) {
        view->obj = NULL;
        PyErr_SetString(PyExc_TypeError, "Strings must be encoded before hashing");
        return -1;
    }
    if (PyObject_GetBuffer(obj, view, PyBUF_SIMPLE) < 0) {
        view->obj = NULL;
        return -1;
    }
    return 0;
}

int frtpy_buffer_opt(PyObject *obj, Py_buffer *view)
{
    if (obj == NULL || obj == Py_None) {
        memset(view, 0, sizeof(*view));
        view->buf = (void *)"";
        return 0;
    }
    return frtpy_buffer(obj, view);
}

void frtpy_release(Py_buffer *view)
{
    if (view->obj != NULL)
        PyBuffer_Release(view);
    view->obj = NULL;
}

int frtpy_length(PyObject *obj, Py_ssize_t *out)
{
    PyObject *i = PyNumber_Index(obj);
    if (i == NULL)
        return -1;
    int overflow = 0;
    long long n = PyLong_AsLongLongAndOverflow(i, &overflow);
    Py_DECREF(i);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (overflow != 0 || n < 0 || n > PY_SSIZE_T_MAX) {
        if (overflow > 0 || n > PY_SSIZE_T_MAX)
            PyErr_SetString(PyExc_ValueError, "length too large");
        else
            PyErr_SetString(PyExc_ValueError, "length must not be negative");
        return -1;
    }
    *out = (Py_ssize_t)n;
    return 0;
}

/* ---- hash names ----------------------------------------------------------------------- */

static const struct { const char *name; int alg; } hash_names[] = {
    {"sha1", FIPSRT_HASH_SHA1}, {"sha224", FIPSRT_HASH_SHA224},
    {"sha256", FIPSRT_HASH_SHA256}, {"sha384", FIPSRT_HASH_SHA384},
    {"sha512", FIPSRT_HASH_SHA512}, {"sha512_224", FIPSRT_HASH_SHA512_224},
    {"sha512_256", FIPSRT_HASH_SHA512_256}, {"sha3_224", FIPSRT_HASH_SHA3_224},
    {"sha3_256", FIPSRT_HASH_SHA3_256}, {"sha3_384", FIPSRT_HASH_SHA3_384},
    {"sha3_512", FIPSRT_HASH_SHA3_512}, {"shake_128", FIPSRT_HASH_SHAKE128},
    {"shake_256", FIPSRT_HASH_SHAKE256}, {"md5", FIPSRT_HASH_MD5},
};

static const struct { const char *alias, *name; } hash_aliases[] = {
    {"sha-1", "sha1"}, {"sha-224", "sha224"}, {"sha-256", "sha256"}, {"sha-384", "sha384"},
    {"sha-512", "sha512"}, {"sha2-224", "sha224"}, {"sha2-256", "sha256"},
    {"sha2-384", "sha384"}, {"sha2-512", "sha512"}, {"sha512-224", "sha512_224"},
    {"sha512/224", "sha512_224"}, {"sha512-256", "sha512_256"}, {"sha512/256", "sha512_256"},
    {"sha3-224", "sha3_224"}, {"sha3-256", "sha3_256"}, {"sha3-384", "sha3_384"},
    {"sha3-512", "sha3_512"}, {"shake128", "shake_128"}, {"shake-128", "shake_128"},
    {"shake256", "shake_256"}, {"shake-256", "shake_256"},
};

static int lookup(PyObject *key, int *alg)
{
    PyObject *v = PyDict_GetItemWithError(names, key);
    if (v == NULL)
        return PyErr_Occurred() ? -1 : 0;
    *alg = (int)PyLong_AsLong(v);
    return 1;
}

int frtpy_alg(PyObject *name, int *alg)
{
    int r = lookup(name, alg);  /* the common case: an exact name, or one of our constructors */
    if (r != 0)
        return r < 0 ? -1 : 0;
    PyObject *s = NULL, *low = NULL;
    if (!PyUnicode_Check(name) && !PyCallable_Check(name)) {
        PyErr_Format(PyExc_TypeError, "hash name must be a str or a constructor, not %.100s",
                     Py_TYPE(name)->tp_name);
        return -1;
    }
    if (PyUnicode_Check(name)) {
        s = Py_NewRef(name);
    } else {
        /* A constructor such as hashlib.sha256 (named openssl_sha256 there). */
        s = PyObject_GetAttrString(name, "__name__");
        if (s == NULL || !PyUnicode_Check(s)) {
            PyErr_Clear();
            Py_XDECREF(s);
            s = PyUnicode_FromString("");
        }
        const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
        if (u != NULL && strncmp(u, "openssl_", 8) == 0) {
            PyObject *t = PyUnicode_FromString(u + 8);
            Py_SETREF(s, t);
        }
    }
    if (s == NULL)
        return -1;
    low = PyObject_CallMethod(s, "lower", NULL);
    Py_DECREF(s);
    if (low == NULL)
        return -1;
    r = lookup(low, alg);
    Py_DECREF(low);
    if (r < 0)
        return -1;
    if (r == 0) {
        PyObject *repr = PyObject_Str(name);
        PyErr_Format(PyExc_ValueError, "unsupported hash type %U", repr ? repr : name);
        Py_XDECREF(repr);
        return -1;
    }
    return 0;
}

PyObject *frtpy_alg_name(int alg)
{
    PyObject *k = PyLong_FromLong(alg);
    PyObject *v = k ? PyDict_GetItem(alg_names, k) : NULL;
    Py_XDECREF(k);
    return v;
}

/* Register a constructor object as a name for alg (fipsrt.sha256 -> sha256). */
int frtpy_register_name(PyObject *obj, int alg);
int frtpy_register_name(PyObject *obj, int alg)
{
    PyObject *v = PyLong_FromLong(alg);
    int r = v ? PyDict_SetItem(names, obj, v) : -1;
    Py_XDECREF(v);
    return r;
}

static int names_init(void)
{
    if ((names = PyDict_New()) == NULL || (alg_names = PyDict_New()) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(hash_names) / sizeof(hash_names[0]); i++) {
        PyObject *k = PyUnicode_FromString(hash_names[i].name);
        PyObject *v = PyLong_FromLong(hash_names[i].alg);
        int r = (k && v) ? PyDict_SetItem(names, k, v) | PyDict_SetItem(alg_names, v, k) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (r < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(hash_aliases) / sizeof(hash_aliases[0]); i++) {
        PyObject *v = PyDict_GetItemString(names, hash_aliases[i].name);
        if (v == NULL || PyDict_SetItemString(names, hash_aliases[i].alias, v) < 0)
            return -1;
    }
    return 0;
}

static PyObject *py_canonical(PyObject *m, PyObject *name)
{
    int alg;
    if (frtpy_alg(name, &alg) < 0)
        return NULL;
    return Py_NewRef(frtpy_alg_name(alg));
}

/* ---- keyword arguments --------------------------------------------------------------- */

int frtpy_args(const char *func, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
               const char *const *kwlist, Py_ssize_t maxpos, PyObject **vals)
{
    Py_ssize_t n = 0;
    while (kwlist[n] != NULL)
        n++;
    for (Py_ssize_t i = 0; i < n; i++)
        vals[i] = NULL;
    if (nargs > maxpos) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd positional arguments (%zd given)",
                     func, maxpos, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        vals[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        Py_ssize_t i = 0;
        while (i < n && PyUnicode_CompareWithASCIIString(key, kwlist[i]) != 0)
            i++;
        if (i == n) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'", func,
                         key);
            return -1;
        }
        if (vals[i] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", func,
                         kwlist[i]);
            return -1;
        }
        vals[i] = args[nargs + k];
    }
    return 0;
}

/* ---- locks and guards ----------------------------------------------------------------- */

int frtpy_lock_ensure(PyThread_type_lock *lock)
{
    if (*lock == NULL && (*lock = PyThread_allocate_lock()) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

void frtpy_lock_enter(PyThread_type_lock lock)
{
    if (lock == NULL)
        return;
    if (!PyThread_acquire_lock(lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

void *frtpy_guard_enter(struct frtpy_guard *g, const char *what)
{
    if (g->closed || g->h == NULL) {
        frtpy_closed(what);
        return NULL;
    }
    g->busy++;
    return g->h;
}

void frtpy_guard_leave(struct frtpy_guard *g)
{
    if (--g->busy == 0 && g->closed && g->h != NULL) {
        g->free(g->h);
        g->h = NULL;
    }
}

void frtpy_guard_close(struct frtpy_guard *g)
{
    g->closed = true;
    if (g->busy == 0 && g->h != NULL) {
        g->free(g->h);
        g->h = NULL;
    }
}

/* ---- random, indicator, runtime ------------------------------------------------------- */

static PyObject *py_random_bytes(PyObject *m, PyObject *arg)
{
    Py_ssize_t n;
    if (frtpy_length(arg, &n) < 0)
        return NULL;
    PyObject *out = frtpy_bytes(n);
    if (out == NULL)
        return NULL;
    int rv;
    if (n >= FRTPY_GIL_MIN) {
        Py_BEGIN_ALLOW_THREADS
        rv = fipsrt_random(PyBytes_AS_STRING(out), (size_t)n);
        Py_END_ALLOW_THREADS
    } else {
        rv = fipsrt_random(PyBytes_AS_STRING(out), (size_t)n);
    }
    if (frtpy_check(rv) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

_Thread_local unsigned long long frtpy_non_approved;

static PyObject *py_non_approved_count(PyObject *m, PyObject *unused)
{
    return PyLong_FromUnsignedLongLong(frtpy_non_approved);
}

static PyObject *py_service_indicator(PyObject *m, PyObject *unused)
{
    return PyLong_FromUnsignedLongLong(fipsrt_service_indicator());
}

static PyObject *str_or_none(const char *s)
{
    return s ? PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace") : Py_NewRef(Py_None);
}

static PyObject *py_runtime_info(PyObject *m, PyObject *unused)
{
    fipsrt_runtime_info info = {.size = sizeof(info)};
    if (frtpy_check(fipsrt_runtime_get_info(&info)) < 0)
        return NULL;
    return Py_BuildValue("{sNsNsNsNsNsNsOsOsNsN}",
        "library_version", str_or_none(info.library_version),
        "openssl_built", str_or_none(info.openssl_built),
        "openssl_running", str_or_none(info.openssl_running),
        "provider_name", str_or_none(info.provider_name),
        "provider_version", str_or_none(info.provider_version),
        "provider_buildinfo", str_or_none(info.provider_buildinfo),
        "provider_active", info.provider_active ? Py_True : Py_False,
        "fips_properties", info.fips_properties ? Py_True : Py_False,
        "config_file", str_or_none(info.config_file),
        "modules_dir", str_or_none(info.modules_dir));
}

static PyObject *py_version(PyObject *m, PyObject *unused)
{
    return PyUnicode_FromString(fipsrt_version());
}

/* The file libfipsrt was loaded from (the dynamic linker chose it through DT_NEEDED). */
static PyObject *py_library_path(PyObject *m, PyObject *unused)
{
    Dl_info info;
    if (dladdr((void *)fipsrt_version, &info) == 0 || info.dli_fname == NULL)
        Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefault(info.dli_fname);
}

static PyMethodDef methods[] = {
    {"random_bytes", py_random_bytes, METH_O, "n random bytes from the FIPS DRBG."},
    {"service_indicator", py_service_indicator, METH_NOARGS,
     "Approved services this thread has completed (fipsrt_service_indicator())."},
    {"non_approved_count", py_non_approved_count, METH_NOARGS,
     "Non-approved services this binding ran in this thread (InsecureMD5, legacy passwords)."},
    {"runtime_info", py_runtime_info, METH_NOARGS, "The runtime facts, as a dict."},
    {"version", py_version, METH_NOARGS, "libfipsrt's version string."},
    {"library_path", py_library_path, METH_NOARGS, "The libfipsrt file in use."},
    {"canonical", py_canonical, METH_O, "hashlib's name for a hash name or constructor."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "fipsrt._fipsrt",
    "The compiled core of the fipsrt binding (import fipsrt, not this).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fipsrt(void);
PyMODINIT_FUNC PyInit__fipsrt(void)
{
    PyObject *errors = PyImport_ImportModule("fipsrt.errors");
    if (errors == NULL)
        return NULL;
    from_code = PyObject_GetAttrString(errors, "from_code");
    Py_DECREF(errors);
    if (from_code == NULL || names_init() < 0)
        return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "_names", names) < 0
        || PyModule_AddIntConstant(m, "GIL_MIN", FRTPY_GIL_MIN) < 0
        || frtpy_hash_init(m) < 0 || frtpy_hmac_init(m) < 0 || frtpy_aead_init(m) < 0
        || frtpy_kdf_init(m) < 0 || frtpy_keys_init(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
