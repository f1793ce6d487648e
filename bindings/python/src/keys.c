/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fipsrt.keys.Key: EC (P-256/384/521) and RSA keys in the FIPS provider (fipsrt_key):
 * generate, import, export; ECDSA, RSA (PSS, PKCS#1 v1.5) signatures, RSA-OAEP and ECDH.
 * Keys are immutable and shared by threads; every public-key operation drops the GIL.
 */
#include <string.h>

#include "ext.h"

typedef struct {
    PyObject_HEAD
    struct frtpy_guard g;  /* fipsrt_key */
} KeyObject;

static PyTypeObject KeyType;

static const char *const curve_names[] = {NULL, "P-256", "P-384", "P-521"};

static void key_free(void *h) { fipsrt_key_free(h); }

static PyObject *wrap(PyTypeObject *type, fipsrt_key *h)
{
    KeyObject *k = (KeyObject *)type->tp_alloc(type, 0);
    if (k == NULL) {
        fipsrt_key_free(h);
        return NULL;
    }
    k->g = (struct frtpy_guard){.h = h, .free = key_free};
    return (PyObject *)k;
}

static void key_dealloc(KeyObject *k)
{
    if (k->g.h)
        fipsrt_key_free(k->g.h);
    Py_TYPE(k)->tp_free(k);
}

static int curve_arg(const char *name, fipsrt_ec_curve *c)
{
    for (int i = 1; i <= 3; i++)
        if (strcmp(name, curve_names[i]) == 0) {
            *c = (fipsrt_ec_curve)i;
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "unknown curve %s (P-256, P-384 or P-521)", name);
    return -1;
}

static int encoding_arg(PyObject *enc, const Py_buffer *data, fipsrt_key_encoding *out)
{
    if (enc == NULL || enc == Py_None) {
        /* Guess: PEM if the data starts (after blanks) with an armour line. */
        const char *p = data ? data->buf : "";
        Py_ssize_t n = data ? data->len : 0, i = 0;
        while (i < n && i < 11 && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
            i++;
        *out = n - i >= 10 && memcmp(p + i, "-----BEGIN", 10) == 0 ? FIPSRT_KEY_PEM
                                                                   : FIPSRT_KEY_DER;
        return 0;
    }
    const char *s = PyUnicode_Check(enc) ? PyUnicode_AsUTF8(enc) : NULL;
    if (s != NULL && (strcmp(s, "PEM") == 0 || strcmp(s, "pem") == 0)) {
        *out = FIPSRT_KEY_PEM;
        return 0;
    }
    if (s != NULL && (strcmp(s, "DER") == 0 || strcmp(s, "der") == 0)) {
        *out = FIPSRT_KEY_DER;
        return 0;
    }
    PyErr_SetString(PyExc_ValueError, "encoding must be 'PEM' or 'DER'");
    return -1;
}

/* An optional password (str as UTF-8, or bytes-like) into a view; None -> empty. */
static int password_arg(PyObject *pw, Py_buffer *view, PyObject **tmp)
{
    *tmp = NULL;
    if (pw != NULL && PyUnicode_Check(pw)) {
        if ((*tmp = PyUnicode_AsUTF8String(pw)) == NULL)
            return -1;
        pw = *tmp;
    }
    if (frtpy_buffer_opt(pw, view) < 0) {
        Py_CLEAR(*tmp);
        return -1;
    }
    return 0;
}

/* ---- making keys ------------------------------------------------------------------------ */

static PyObject *key_generate_ec(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"curve", NULL};
    const char *curve = "P-256";
    fipsrt_ec_curve c;
    fipsrt_key *h = NULL;
    int rv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|s:generate_ec", kwlist, &curve)
        || curve_arg(curve, &c) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_key_generate_ec(&h, c);
    Py_END_ALLOW_THREADS
    return frtpy_check(rv) < 0 ? NULL : wrap(type, h);
}

static PyObject *key_generate_rsa(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"bits", NULL};
    unsigned int bits = 3072;
    fipsrt_key *h = NULL;
    int rv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|I:generate_rsa", kwlist, &bits))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_key_generate_rsa(&h, bits);
    Py_END_ALLOW_THREADS
    return frtpy_check(rv) < 0 ? NULL : wrap(type, h);
}

static PyObject *key_import_private(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"data", "password", "encoding", NULL};
    PyObject *data, *pw = NULL, *enc = NULL, *tmp;
    Py_buffer dv, pv;
    fipsrt_key_encoding e;
    fipsrt_key *h = NULL;
    int rv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OO:import_private", kwlist, &data, &pw,
                                     &enc)
        || frtpy_buffer(data, &dv) < 0)
        return NULL;
    if (encoding_arg(enc, &dv, &e) < 0 || password_arg(pw, &pv, &tmp) < 0) {
        frtpy_release(&dv);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_key_import_private(&h, e, dv.buf, (size_t)dv.len, pv.len ? pv.buf : NULL,
                                   (size_t)pv.len);
    Py_END_ALLOW_THREADS
    frtpy_release(&dv);
    frtpy_release(&pv);
    Py_XDECREF(tmp);
    return frtpy_check(rv) < 0 ? NULL : wrap(type, h);
}

static PyObject *key_import_public(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"data", "encoding", NULL};
    PyObject *data, *enc = NULL;
    Py_buffer dv;
    fipsrt_key_encoding e;
    fipsrt_key *h = NULL;
    int rv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:import_public", kwlist, &data, &enc)
        || frtpy_buffer(data, &dv) < 0)
        return NULL;
    if (encoding_arg(enc, &dv, &e) < 0) {
        frtpy_release(&dv);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_key_import_public(&h, e, dv.buf, (size_t)dv.len);
    Py_END_ALLOW_THREADS
    frtpy_release(&dv);
    return frtpy_check(rv) < 0 ? NULL : wrap(type, h);
}

static PyObject *key_from_ec_point(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"curve", "point", NULL};
    const char *curve;
    PyObject *point;
    Py_buffer pv;
    fipsrt_ec_curve c;
    fipsrt_key *h = NULL;
    int rv;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sO:from_ec_point", kwlist, &curve, &point)
        || curve_arg(curve, &c) < 0 || frtpy_buffer(point, &pv) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rv = fipsrt_key_import_ec_point(&h, c, pv.buf, (size_t)pv.len);
    Py_END_ALLOW_THREADS
    frtpy_release(&pv);
    return frtpy_check(rv) < 0 ? NULL : wrap(type, h);
}

static PyObject *key_public_key(KeyObject *k, PyObject *unused)
{
    fipsrt_key *h = frtpy_guard_enter(&k->g, "key"), *pub = NULL;
    if (h == NULL)
        return NULL;
    int rv = fipsrt_key_public(&pub, h);
    frtpy_guard_leave(&k->g);
    return frtpy_check(rv) < 0 ? NULL : wrap(Py_TYPE(k), pub);
}

/* ---- facts ------------------------------------------------------------------------------ */

static PyObject *key_type(KeyObject *k, void *unused)
{
    if (k->g.h == NULL)
        return frtpy_closed("key");
    switch (fipsrt_key_get_type(k->g.h)) {
    case FIPSRT_KEY_EC: return PyUnicode_FromString("EC");
    case FIPSRT_KEY_RSA: return PyUnicode_FromString("RSA");
    default: Py_RETURN_NONE;
    }
}

static PyObject *key_curve(KeyObject *k, void *unused)
{
    if (k->g.h == NULL)
        return frtpy_closed("key");
    int c = (int)fipsrt_key_get_curve(k->g.h);
    if (c < 1 || c > 3)
        Py_RETURN_NONE;
    return PyUnicode_FromString(curve_names[c]);
}

static PyObject *key_bits(KeyObject *k, void *unused)
{
    if (k->g.h == NULL)
        return frtpy_closed("key");
    return PyLong_FromUnsignedLong(fipsrt_key_get_bits(k->g.h));
}

static PyObject *key_has_private(KeyObject *k, void *unused)
{
    if (k->g.h == NULL)
        return frtpy_closed("key");
    return PyBool_FromLong(fipsrt_key_has_private(k->g.h) > 0);
}

static PyObject *key_is_legacy(KeyObject *k, void *unused)
{
    if (k->g.h == NULL)
        return frtpy_closed("key");
    return PyBool_FromLong(fipsrt_key_is_legacy(k->g.h) > 0);
}

/* ---- sized outputs ---------------------------------------------------------------------- */

/* An export call: (key, buf, cap, &len) with whatever else it closes over. */
struct export_args {
    fipsrt_key_encoding enc;
    const void *pw;
    size_t pw_len;
    int what;  /* 0 private, 1 public, 2 EC point */
};

static int do_export(const fipsrt_key *h, const struct export_args *a, uint8_t *buf, size_t cap,
                     size_t *n)
{
    switch (a->what) {
    case 0: return fipsrt_key_export_private(h, a->enc, a->pw, a->pw_len, buf, cap, n);
    case 1: return fipsrt_key_export_public(h, a->enc, buf, cap, n);
    default: return fipsrt_key_export_ec_point(h, buf, cap, n);
    }
}

/* Ask for the size, then fill a bytes object of that size; both calls drop the GIL (an
 * encrypted private key runs PBKDF2). */
static PyObject *export(KeyObject *k, const struct export_args *a)
{
    fipsrt_key *h = frtpy_guard_enter(&k->g, "key");
    if (h == NULL)
        return NULL;
    size_t need = 0, n = 0;
    PyObject *out = NULL;
    int rv;
    Py_BEGIN_ALLOW_THREADS  /* (sizing an encrypted key runs its PBKDF2 too) */
    rv = do_export(h, a, NULL, 0, &need);
    Py_END_ALLOW_THREADS
    if (rv == FIPSRT_E_BUFFER_TOO_SMALL || rv == 0) {
        if ((out = frtpy_bytes((Py_ssize_t)need)) != NULL) {
            Py_BEGIN_ALLOW_THREADS
            rv = do_export(h, a, (uint8_t *)PyBytes_AS_STRING(out), need, &n);
            Py_END_ALLOW_THREADS
        }
    }
    frtpy_guard_leave(&k->g);
    if (out == NULL) {
        if (!PyErr_Occurred())
            frtpy_check(rv);
        return NULL;
    }
    if (frtpy_check(rv) < 0 || (n < need && _PyBytes_Resize(&out, (Py_ssize_t)n) < 0)) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *key_export_private(KeyObject *k, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"encoding", "password", NULL};
    PyObject *enc = NULL, *pw = NULL, *tmp;
    Py_buffer pv;
    struct export_args a = {.what = 0};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OO:export_private", kwlist, &enc, &pw))
        return NULL;
    if (enc == NULL)
        a.enc = FIPSRT_KEY_PEM;
    else if (encoding_arg(enc, NULL, &a.enc) < 0)
        return NULL;
    if (password_arg(pw, &pv, &tmp) < 0)
        return NULL;
    a.pw = pv.len ? pv.buf : NULL;
    a.pw_len = (size_t)pv.len;
    PyObject *out = export(k, &a);
    frtpy_release(&pv);
    Py_XDECREF(tmp);
    return out;
}

static PyObject *key_export_public(KeyObject *k, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"encoding", NULL};
    PyObject *enc = NULL;
    struct export_args a = {.what = 1, .enc = FIPSRT_KEY_PEM};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:export_public", kwlist, &enc)
        || (enc != NULL && encoding_arg(enc, NULL, &a.enc) < 0))
        return NULL;
    return export(k, &a);
}

static PyObject *key_ec_point(KeyObject *k, PyObject *unused)
{
    struct export_args a = {.what = 2};
    return export(k, &a);
}

/* ---- signatures, encryption, agreement --------------------------------------------------- */

enum op { ECDSA_SIGN, ECDSA_VERIFY, RSA_SIGN, RSA_VERIFY, OAEP_ENC, OAEP_DEC };

struct op_args {
    enum op op;
    int hash, fmt;  /* fmt: ECDSA format or RSA padding */
    Py_buffer data, extra;  /* extra: signature or label */
};

static int run(const fipsrt_key *h, struct op_args *a, uint8_t *out, size_t cap, size_t *n)
{
    const void *d = a->data.buf, *x = a->extra.buf;
    size_t dl = (size_t)a->data.len, xl = (size_t)a->extra.len;
    switch (a->op) {
    case ECDSA_SIGN: return fipsrt_ecdsa_sign(h, a->hash, a->fmt, d, dl, out, cap, n);
    case ECDSA_VERIFY: return fipsrt_ecdsa_verify(h, a->hash, a->fmt, d, dl, x, xl);
    case RSA_SIGN: return fipsrt_rsa_sign(h, a->fmt, a->hash, d, dl, out, cap, n);
    case RSA_VERIFY: return fipsrt_rsa_verify(h, a->fmt, a->hash, d, dl, x, xl);
    case OAEP_ENC:
        return fipsrt_rsa_encrypt(h, FIPSRT_RSA_OAEP, a->hash, xl ? x : NULL, xl, d, dl, out,
                                  cap, n);
    default:
        return fipsrt_rsa_decrypt(h, FIPSRT_RSA_OAEP, a->hash, xl ? x : NULL, xl, d, dl, out,
                                  cap, n);
    }
}

/* Run a with the GIL released; a bytes result unless a verifies (then None). Releases the
 * views in a. */
static PyObject *perform(KeyObject *k, struct op_args *a)
{
    PyObject *out = NULL;
    fipsrt_key *h = frtpy_guard_enter(&k->g, "key");
    int rv = 0;
    if (h != NULL) {
        size_t cap = 0, n = 0;
        bool verify = a->op == ECDSA_VERIFY || a->op == RSA_VERIFY;
        if (a->op == ECDSA_SIGN)
            cap = fipsrt_ecdsa_max_size(fipsrt_key_get_curve(h), a->fmt);
        else if (a->op == OAEP_DEC)
            cap = fipsrt_rsa_oaep_max_plaintext(h, a->hash);
        else if (!verify)
            cap = fipsrt_rsa_size(h);
        if (verify || (out = frtpy_bytes((Py_ssize_t)cap)) != NULL) {
            uint8_t *o = out ? (uint8_t *)PyBytes_AS_STRING(out) : NULL;
            Py_BEGIN_ALLOW_THREADS
            rv = run(h, a, o, cap, &n);
            Py_END_ALLOW_THREADS
            if (rv >= 0 && out != NULL && n < cap && _PyBytes_Resize(&out, (Py_ssize_t)n) < 0)
                rv = 1;  /* (exception set, out gone) */
            if (rv >= 0 && verify)
                out = Py_NewRef(Py_None);
        }
        frtpy_guard_leave(&k->g);
    }
    frtpy_release(&a->data);
    frtpy_release(&a->extra);
    if (h == NULL || rv != 0 || out == NULL) {
        if (rv < 0)
            frtpy_check(rv);
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

static int hash_arg(PyObject *name, int *alg)
{
    if (name == NULL) {
        *alg = FIPSRT_HASH_SHA256;
        return 0;
    }
    return frtpy_alg(name, alg);
}

static int format_arg(const char *f, int *fmt)
{
    if (strcmp(f, "der") == 0)
        *fmt = FIPSRT_ECDSA_DER;
    else if (strcmp(f, "p1363") == 0)
        *fmt = FIPSRT_ECDSA_P1363;
    else {
        PyErr_SetString(PyExc_ValueError, "format must be 'der' or 'p1363'");
        return -1;
    }
    return 0;
}

/* sign_*(data, hash="sha256"[, format]) and encrypt/decrypt_oaep(data, hash, label). */
static PyObject *sign_like(KeyObject *k, PyObject *args, PyObject *kwargs, enum op op, int fmt,
                           const char *fname)
{
    static char *kw_sign[] = {"data", "hash", "format", NULL};
    static char *kw_oaep[] = {"data", "hash", "label", NULL};
    PyObject *data, *hash = NULL, *third = NULL;
    struct op_args a = {.op = op, .fmt = fmt};
    bool oaep = op == OAEP_ENC || op == OAEP_DEC;
    char spec[32];
    PyOS_snprintf(spec, sizeof(spec), "O|OO:%s", fname);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, spec, oaep ? kw_oaep : kw_sign, &data, &hash,
                                     &third)
        || hash_arg(hash, &a.hash) < 0)
        return NULL;
    if (!oaep && third != NULL) {
        const char *f = PyUnicode_Check(third) ? PyUnicode_AsUTF8(third) : NULL;
        if (op != ECDSA_SIGN || f == NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected format", fname);
            return NULL;
        }
        if (format_arg(f, &a.fmt) < 0)
            return NULL;
    }
    if (frtpy_buffer(data, &a.data) < 0)
        return NULL;
    if (frtpy_buffer_opt(oaep ? third : NULL, &a.extra) < 0) {
        frtpy_release(&a.data);
        return NULL;
    }
    return perform(k, &a);
}

/* verify_*(data, signature, hash="sha256"[, format]) */
static PyObject *verify_like(KeyObject *k, PyObject *args, PyObject *kwargs, enum op op,
                             int fmt, const char *fname)
{
    static char *kw_ecdsa[] = {"data", "signature", "hash", "format", NULL};
    static char *kw_rsa[] = {"data", "signature", "hash", NULL};
    PyObject *data, *sig, *hash = NULL;
    const char *f = NULL;
    struct op_args a = {.op = op, .fmt = fmt};
    char spec[32];
    PyOS_snprintf(spec, sizeof(spec), "OO|O%s:%s", op == ECDSA_VERIFY ? "s" : "", fname);
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, spec, op == ECDSA_VERIFY ? kw_ecdsa : kw_rsa,
                                     &data, &sig, &hash, &f)
        || hash_arg(hash, &a.hash) < 0 || (f != NULL && format_arg(f, &a.fmt) < 0))
        return NULL;
    if (frtpy_buffer(data, &a.data) < 0)
        return NULL;
    if (frtpy_buffer(sig, &a.extra) < 0) {
        frtpy_release(&a.data);
        return NULL;
    }
    return perform(k, &a);
}

#define SIGN(fn, op, fmt, name)                                                              \
    static PyObject *fn(KeyObject *k, PyObject *args, PyObject *kw)                          \
    {                                                                                        \
        return sign_like(k, args, kw, op, fmt, name);                                        \
    }
#define VERIFY(fn, op, fmt, name)                                                            \
    static PyObject *fn(KeyObject *k, PyObject *args, PyObject *kw)                          \
    {                                                                                        \
        return verify_like(k, args, kw, op, fmt, name);                                      \
    }
SIGN(key_sign_ecdsa, ECDSA_SIGN, FIPSRT_ECDSA_DER, "sign_ecdsa")
VERIFY(key_verify_ecdsa, ECDSA_VERIFY, FIPSRT_ECDSA_DER, "verify_ecdsa")
SIGN(key_sign_pss, RSA_SIGN, FIPSRT_RSA_PSS, "sign_rsa_pss")
VERIFY(key_verify_pss, RSA_VERIFY, FIPSRT_RSA_PSS, "verify_rsa_pss")
SIGN(key_sign_pkcs1, RSA_SIGN, FIPSRT_RSA_PKCS1_V15, "sign_rsa_pkcs1")
VERIFY(key_verify_pkcs1, RSA_VERIFY, FIPSRT_RSA_PKCS1_V15, "verify_rsa_pkcs1")
SIGN(key_encrypt_oaep, OAEP_ENC, FIPSRT_RSA_OAEP, "encrypt_oaep")
SIGN(key_decrypt_oaep, OAEP_DEC, FIPSRT_RSA_OAEP, "decrypt_oaep")

/* exchange(peer): ECDH with a Key or an uncompressed point. */
static PyObject *key_exchange(KeyObject *k, PyObject *peer)
{
    KeyObject *pk = PyObject_TypeCheck(peer, &KeyType) ? (KeyObject *)peer : NULL;
    Py_buffer pv = {0};
    if (pk == NULL && frtpy_buffer(peer, &pv) < 0)
        return NULL;
    fipsrt_key *h = frtpy_guard_enter(&k->g, "key"), *ph = NULL;
    if (h != NULL && pk != NULL && (ph = frtpy_guard_enter(&pk->g, "peer key")) == NULL) {
        frtpy_guard_leave(&k->g);
        h = NULL;
    }
    PyObject *out = NULL;
    int rv = 0;
    if (h != NULL) {
        size_t cap = fipsrt_ecdh_secret_size(fipsrt_key_get_curve(h)), n = 0;
        if ((out = frtpy_bytes((Py_ssize_t)cap)) != NULL) {
            uint8_t *o = (uint8_t *)PyBytes_AS_STRING(out);
            Py_BEGIN_ALLOW_THREADS
            rv = ph ? fipsrt_ecdh_derive(h, ph, o, cap, &n)
                    : fipsrt_ecdh_derive_point(h, pv.buf, (size_t)pv.len, o, cap, &n);
            Py_END_ALLOW_THREADS
        }
        if (ph != NULL)
            frtpy_guard_leave(&pk->g);
        frtpy_guard_leave(&k->g);
    }
    frtpy_release(&pv);
    if (out == NULL || frtpy_check(rv) < 0) {
        Py_XDECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *key_close(KeyObject *k, PyObject *unused)
{
    frtpy_guard_close(&k->g);
    Py_RETURN_NONE;
}

static PyObject *key_repr(KeyObject *k)
{
    if (k->g.h == NULL)
        return PyUnicode_FromString("<fipsrt.keys.Key closed>");
    const fipsrt_key *h = k->g.h;
    bool ec = fipsrt_key_get_type(h) == FIPSRT_KEY_EC;
    int c = (int)fipsrt_key_get_curve(h);
    const char *pub = fipsrt_key_has_private(h) > 0 ? "" : " public";
    if (ec)
        return PyUnicode_FromFormat("<fipsrt.keys.Key EC %s%s>",
                                    c >= 1 && c <= 3 ? curve_names[c] : "?", pub);
    return PyUnicode_FromFormat("<fipsrt.keys.Key RSA %u-bit%s>", fipsrt_key_get_bits(h), pub);
}

#define KW METH_VARARGS | METH_KEYWORDS
#define CLS METH_VARARGS | METH_KEYWORDS | METH_CLASS
#define F(f) (PyCFunction)(void (*)(void))(f)
static PyMethodDef key_methods[] = {
    {"generate_ec", F(key_generate_ec), CLS, "generate_ec(curve='P-256')\n--\n\nA new EC key."},
    {"generate_rsa", F(key_generate_rsa), CLS, "generate_rsa(bits=3072)\n--\n\nA new RSA key."},
    {"import_private", F(key_import_private), CLS,
     "import_private(data, password=None, encoding=None)\n--\n\nPKCS#8, PEM or DER (guessed "
     "when encoding is None), encrypted if password given."},
    {"import_public", F(key_import_public), CLS,
     "import_public(data, encoding=None)\n--\n\nX.509 SubjectPublicKeyInfo, PEM or DER."},
    {"from_ec_point", F(key_from_ec_point), CLS,
     "from_ec_point(curve, point)\n--\n\nA public key from an uncompressed point."},
    {"public_key", (PyCFunction)key_public_key, METH_NOARGS, "The public half."},
    {"export_private", F(key_export_private), KW,
     "export_private(encoding='PEM', password=None)\n--\n\nPKCS#8 (encrypted with a password)."},
    {"export_public", F(key_export_public), KW,
     "export_public(encoding='PEM')\n--\n\nSubjectPublicKeyInfo."},
    {"ec_point", (PyCFunction)key_ec_point, METH_NOARGS, "The uncompressed EC point."},
    {"sign_ecdsa", F(key_sign_ecdsa), KW,
     "sign_ecdsa(data, hash='sha256', format='der')\n--\n\nECDSA signature of data (hashed "
     "in the provider); format 'der' (X.509/TLS) or 'p1363' (r || s, as JOSE)."},
    {"verify_ecdsa", F(key_verify_ecdsa), KW,
     "verify_ecdsa(data, signature, hash='sha256', format='der')\n--\n\nRaise "
     "VerificationError unless signature is valid for data under this key."},
    {"sign_rsa_pss", F(key_sign_pss), KW,
     "sign_rsa_pss(data, hash='sha256')\n--\n\nRSASSA-PSS, MGF1(hash), digest-length salt."},
    {"verify_rsa_pss", F(key_verify_pss), KW, "verify_rsa_pss(data, signature, hash='sha256')"},
    {"sign_rsa_pkcs1", F(key_sign_pkcs1), KW, "sign_rsa_pkcs1(data, hash='sha256')\n--\n\n"
                                               "RSASSA-PKCS1-v1_5."},
    {"verify_rsa_pkcs1", F(key_verify_pkcs1), KW,
     "verify_rsa_pkcs1(data, signature, hash='sha256')"},
    {"encrypt_oaep", F(key_encrypt_oaep), KW,
     "encrypt_oaep(data, hash='sha256', label=b'')\n--\n\nRSAES-OAEP with MGF1(hash)."},
    {"decrypt_oaep", F(key_decrypt_oaep), KW,
     "decrypt_oaep(ciphertext, hash='sha256', label=b'')\n--\n\nRaises VerificationError for "
     "any ciphertext that does not decrypt."},
    {"exchange", (PyCFunction)key_exchange, METH_O,
     "exchange(peer)\n--\n\nThe ECDH shared secret Z with peer (a Key or a point)."},
    {"close", (PyCFunction)key_close, METH_NOARGS, "Free the key now."},
    {"__reduce__", frtpy_no_pickle, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef key_getset[] = {
    {"type", (getter)key_type, NULL, "'EC' or 'RSA'", NULL},
    {"curve", (getter)key_curve, NULL, "'P-256', 'P-384', 'P-521' or None", NULL},
    {"bits", (getter)key_bits, NULL, "key size in bits", NULL},
    {"has_private", (getter)key_has_private, NULL, NULL, NULL},
    {"is_legacy", (getter)key_is_legacy, NULL, "RSA 1024..2047 public key (verify only)",
     NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject KeyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "fipsrt.keys.Key",
    .tp_doc = "An EC or RSA key (private, or public only) in the FIPS provider. Immutable and "
              "thread-shareable. Make one with the class methods.",
    .tp_basicsize = sizeof(KeyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)key_dealloc,
    .tp_repr = (reprfunc)key_repr,
    .tp_methods = key_methods,
    .tp_getset = key_getset,
};

int frtpy_keys_init(PyObject *m)
{
    if (PyType_Ready(&KeyType) < 0 || PyModule_AddObjectRef(m, "Key", (PyObject *)&KeyType) < 0)
        return -1;
    return 0;
}
