/* SPDX-License-Identifier: Apache-2.0 */
/* Key derivation (PBKDF2, HKDF) and password hashes, GIL released for the slow ones. */
#include <string.h>

#include "ext.h"

/* pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None), as hashlib's. */
static PyObject *py_pbkdf2(PyObject *m, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"hash_name", "password", "salt", "iterations", "dklen", NULL};
    PyObject *name, *pw, *salt, *iters, *dklen = Py_None;
    int alg, rv;
    Py_ssize_t n;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOO|O:pbkdf2_hmac", kwlist, &name, &pw,
                                     &salt, &iters, &dklen)
        || frtpy_alg(name, &alg) < 0)
        return NULL;
    PyObject *it = PyNumber_Index(iters);
    if (it == NULL)
        return NULL;
    unsigned long long iterations = PyLong_AsUnsignedLongLong(it);
    bool bad = (iterations == (unsigned long long)-1 && PyErr_Occurred()) || iterations == 0;
    Py_DECREF(it);
    if (bad) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "iteration value must be between 1 and 2**64 - 1");
        return NULL;
    }
    if (dklen == Py_None)
        n = (Py_ssize_t)fipsrt_hash_size(alg);
    else if (frtpy_length(dklen, &n) < 0)
        return NULL;
    Py_buffer pv, sv;
    if (frtpy_buffer(pw, &pv) < 0)
        return NULL;
    if (frtpy_buffer(salt, &sv) < 0) {
        frtpy_release(&pv);
        return NULL;
    }
    PyObject *out = frtpy_bytes(n);
    if (out != NULL) {
        Py_BEGIN_ALLOW_THREADS
        rv = fipsrt_pbkdf2(alg, pv.buf, (size_t)pv.len, sv.buf, (size_t)sv.len, iterations,
                           (uint8_t *)PyBytes_AS_STRING(out), (size_t)n);
        Py_END_ALLOW_THREADS
        if (frtpy_check(rv) < 0)
            Py_CLEAR(out);
    }
    frtpy_release(&pv);
    frtpy_release(&sv);
    return out;
}

/* hkdf(hash_name, ikm, length, salt=b"", info=b""): HKDF extract-then-expand. */
static PyObject *py_hkdf(PyObject *m, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"hash_name", "ikm", "length", "salt", "info", NULL};
    PyObject *name, *ikm, *length, *salt = NULL, *info = NULL;
    int alg, rv;
    Py_ssize_t n;
    Py_buffer iv, sv = {0}, fv = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|OO:hkdf", kwlist, &name, &ikm, &length,
                                     &salt, &info)
        || frtpy_alg(name, &alg) < 0 || frtpy_length(length, &n) < 0
        || frtpy_buffer(ikm, &iv) < 0)
        return NULL;
    if (frtpy_buffer_opt(salt, &sv) < 0 || frtpy_buffer_opt(info, &fv) < 0) {
        frtpy_release(&iv);
        frtpy_release(&sv);
        return NULL;
    }
    PyObject *out = frtpy_bytes(n);
    if (out != NULL) {
        rv = fipsrt_hkdf(alg, iv.buf, (size_t)iv.len, sv.len ? sv.buf : NULL, (size_t)sv.len,
                         fv.len ? fv.buf : NULL, (size_t)fv.len,
                         (uint8_t *)PyBytes_AS_STRING(out), (size_t)n);
        if (frtpy_check(rv) < 0)
            Py_CLEAR(out);
    }
    frtpy_release(&iv);
    frtpy_release(&sv);
    frtpy_release(&fv);
    return out;
}

/* A password: str (UTF-8) or bytes-like, as a view (str through a temporary bytes). */
static int password_view(PyObject *pw, Py_buffer *view, PyObject **tmp)
{
    *tmp = NULL;
    if (PyUnicode_Check(pw)) {
        if ((*tmp = PyUnicode_AsUTF8String(pw)) == NULL)
            return -1;
        pw = *tmp;
    }
    if (PyObject_GetBuffer(pw, view, PyBUF_SIMPLE) < 0) {
        Py_CLEAR(*tmp);
        view->obj = NULL;
        return -1;
    }
    return 0;
}

static PyObject *py_passwd_hash(PyObject *m, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"password", "rounds", NULL};
    PyObject *pw, *tmp;
    unsigned long rounds = 0;
    char out[FIPSRT_PASSWD_HASH_MAX];
    size_t n = 0;
    int rv;
    Py_buffer pv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|k:hash", kwlist, &pw, &rounds)
        || password_view(pw, &pv, &tmp) < 0)
        return NULL;
    if (rounds > UINT32_MAX) {
        frtpy_release(&pv);
        Py_XDECREF(tmp);
        PyErr_SetString(PyExc_ValueError, "rounds must be below 2**32");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_passwd_hash(pv.buf, (size_t)pv.len, (uint32_t)rounds, out, sizeof(out), &n);
    Py_END_ALLOW_THREADS
    frtpy_release(&pv);
    Py_XDECREF(tmp);
    if (frtpy_check(rv) < 0)
        return NULL;
    return PyUnicode_FromString(out);
}

/* verify_and_update(stored, password) -> (ok, needs_rehash) */
static PyObject *py_passwd_verify(PyObject *m, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"stored", "password", NULL};
    PyObject *stored, *pw, *tmp, *st;
    int rehash = 0, rv;
    Py_buffer pv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO:verify_and_update", kwlist, &stored, &pw))
        return NULL;
    st = PyUnicode_Check(stored) ? PyUnicode_AsASCIIString(stored) : PyBytes_FromObject(stored);
    if (st == NULL)
        return NULL;
    if (strlen(PyBytes_AS_STRING(st)) != (size_t)PyBytes_GET_SIZE(st)) {
        Py_DECREF(st);
        return frtpy_raise_msg(FIPSRT_E_MALFORMED, "hash string contains a NUL byte");
    }
    if (password_view(pw, &pv, &tmp) < 0) {
        Py_DECREF(st);
        return NULL;
    }
    const char *s = PyBytes_AS_STRING(st);
    char s_copy[4] = {0};
    strncpy(s_copy, s, 3);
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_passwd_verify(s, pv.buf, (size_t)pv.len, &rehash);
    Py_END_ALLOW_THREADS
    frtpy_release(&pv);
    Py_XDECREF(tmp);
    Py_DECREF(st);
    if (rv == 0 && (strncmp(s_copy, "$5$", 3) == 0 || strncmp(s_copy, "$6$", 3) == 0))
        frtpy_non_approved++;  /* SHA-crypt through libcrypt: outside the module */
    if (rv == FIPSRT_E_VERIFY_FAILED)
        return Py_BuildValue("(OO)", Py_False, Py_False);
    if (frtpy_check(rv) < 0)
        return NULL;
    return Py_BuildValue("(OO)", Py_True, rehash ? Py_True : Py_False);
}

static PyObject *py_default_rounds(PyObject *m, PyObject *unused)
{
    return PyLong_FromUnsignedLong(fipsrt_passwd_default_rounds());
}

static PyMethodDef funcs[] = {
    {"pbkdf2_hmac", (PyCFunction)(void (*)(void))py_pbkdf2, METH_VARARGS | METH_KEYWORDS,
     "pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None)\n--\n\nAs "
     "hashlib.pbkdf2_hmac. Refused (NotApproved): SHA-1, salt under 16 bytes, fewer than "
     "1000 iterations, output under 14 bytes."},
    {"hkdf", (PyCFunction)(void (*)(void))py_hkdf, METH_VARARGS | METH_KEYWORDS,
     "hkdf(hash_name, ikm, length, salt=b'', info=b'')\n--\n\nHKDF extract-then-expand: "
     "length bytes of output keying material."},
    {"passwd_hash", (PyCFunction)(void (*)(void))py_passwd_hash, METH_VARARGS | METH_KEYWORDS,
     "hash(password, rounds=0)\n--\n\nA new $pbkdf2-sha512$... string (0: default rounds)."},
    {"passwd_verify_and_update", (PyCFunction)(void (*)(void))py_passwd_verify,
     METH_VARARGS | METH_KEYWORDS,
     "verify_and_update(stored, password)\n--\n\n(ok, needs_rehash)."},
    {"passwd_default_rounds", py_default_rounds, METH_NOARGS, "The default PBKDF2 rounds."},
    {NULL, NULL, 0, NULL},
};

int frtpy_kdf_init(PyObject *m)
{
    return PyModule_AddFunctions(m, funcs);
}
