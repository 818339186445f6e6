/*
 * python.i - the Python typemaps of swng.i (included under SWIGPYTHON).
 *
 * This produces the low-level module swng._swng_core / swng.swng_core. The
 * idiomatic face (Client, Membership, exceptions, typing) is python/swng/,
 * written against it. Typemaps are keyed by type (see swng.i):
 *  - a call gives [rc, out, err] where out is the converted result (or an
 *    owning swng_client proxy) and err the converted exception, each None
 *    when the core left it NULL;
 *  - results become instances of the classes the face registered with
 *    register_class(type_name, cls), built in C from the resource's field
 *    table (one call, no per-field round trips); errors become the
 *    exception the face's registered "error" factory returns;
 *  - swng_text (counted strings) are bytes (the face encodes str), kept
 *    whole;
 *  - every C call runs with the GIL released (one rule: the C functions
 *    wrapped here never touch Python objects).
 */

%begin %{
#define PY_SSIZE_T_CLEAN
%}

%exception {
  Py_BEGIN_ALLOW_THREADS
  $action
  Py_END_ALLOW_THREADS
}

/* ------------------------------------------------- registry and converters */

%{
/* type name ("membership", "phone_number", "error", "error_item") -> the
 * face's class or factory. Module state; set once at import. */
static PyObject *swng_py_registry = NULL;
#define SWNG_PY_MAX_FIELDS 64

static PyObject *swng_py_class(const char *name)
{
  return swng_py_registry ? PyDict_GetItemString(swng_py_registry, name) : NULL; /* borrowed */
}

/* An optional C string as str or None (invalid UTF-8 is replaced, so a
 * server's bytes can never make the conversion fail). */
static PyObject *swng_py_str(const char *s)
{
  if (!s) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* Sets d[key] = v and drops the reference to v; 0 on success. */
static int swng_py_put(PyObject *d, const char *key, PyObject *v)
{
  int rc;
  if (!v) return -1;
  rc = PyDict_SetItemString(d, key, v);
  Py_DECREF(v);
  return rc;
}

/* Calls cls(**kwargs) if a class is registered for name, else returns the
 * dict itself. Steals kwargs. */
static PyObject *swng_py_build(const char *name, PyObject *kwargs)
{
  static PyObject *no_args = NULL;
  PyObject *cls = swng_py_class(name), *o;
  if (!kwargs || !cls) return kwargs;
  if (!no_args && !(no_args = PyTuple_New(0))) {
    Py_DECREF(kwargs);
    return NULL;
  }
  o = PyObject_Call(cls, no_args, kwargs);
  Py_DECREF(kwargs);
  return o;
}

/* One value of field i. */
static PyObject *swng_py_value(const struct swng__object *o, size_t i)
{
  const struct swng__field *f = &o->type->fields[i];
  size_t k;
  PyObject *t;
  if (f->type == SWNG__F_STRINGS) {
    if (!(t = PyTuple_New((Py_ssize_t)o->v[i].list.n))) return NULL;
    for (k = 0; k < o->v[i].list.n; k++) {
      PyObject *s = swng_py_str(o->v[i].list.items[k]);
      if (!s) { Py_DECREF(t); return NULL; }
      PyTuple_SET_ITEM(t, (Py_ssize_t)k, s);
    }
    return t;
  }
  if (!o->set[i]) Py_RETURN_NONE;
  switch (f->type) {
  case SWNG__F_BOOL: return PyBool_FromLong(o->v[i].b);
  case SWNG__F_INT: return PyLong_FromLongLong(o->v[i].i);
  default: return swng_py_str(o->v[i].s);
  }
}

/* The object as the registered class: each level's fields are gathered as
 * keyword arguments, nested objects built first (fields are in table order,
 * a nested object's fields right after it). */
static PyObject *swng_py_object(const struct swng__object *o)
{
  const struct swng__type *t = o->type;
  PyObject *levels[SWNG_PY_MAX_FIELDS] = {0}; /* kwargs per OBJECT field */
  PyObject *top = PyDict_New(), *result = NULL;
  size_t i;
  if (!top || t->nfields > SWNG_PY_MAX_FIELDS) goto out;
  for (i = 0; i < t->nfields; i++) {
    const struct swng__field *f = &t->fields[i];
    PyObject *into = f->parent < 0 ? top : levels[f->parent];
    if (f->type == SWNG__F_OBJECT) {
      if (o->set[i] && !(levels[i] = PyDict_New())) goto out;
      continue;
    }
    if (!into) continue; /* inside an absent object */
    if (swng_py_put(into, f->name, swng_py_value(o, i)) < 0) goto out;
  }
  /* Nested objects, innermost first (a parent comes before its children). */
  for (i = t->nfields; i-- > 0;) {
    const struct swng__field *f = &t->fields[i];
    PyObject *into = f->parent < 0 ? top : levels[f->parent], *v;
    if (f->type != SWNG__F_OBJECT) continue;
    if (levels[i]) {
      v = swng_py_build(f->object, levels[i]);
      levels[i] = NULL;
    } else {
      v = Py_None;
      Py_INCREF(v);
    }
    if (into && swng_py_put(into, f->name, v) < 0) goto out;
  }
  if (t == &swng__type_membership &&
      swng_py_put(top, "existed", PyBool_FromLong(o->existed)) < 0)
    goto out;
  if (swng_py_put(top, "http_status", PyLong_FromLong(o->http_status)) < 0 ||
      swng_py_put(top, "request_id", swng_py_str(o->request_id)) < 0 ||
      swng_py_put(top, "_json", swng_py_str(o->json)) < 0)
    goto out;
  result = swng_py_build(t->name, top);
  top = NULL;
out:
  for (i = 0; i < SWNG_PY_MAX_FIELDS; i++) Py_XDECREF(levels[i]);
  Py_XDECREF(top);
  return result;
}

/* The error as the registered "error" factory's value:
 * error(code, http_status, message, errors, request_id, retry_after, body,
 * option), with None for what is absent. */
static PyObject *swng_py_error(const swng_error *e)
{
  PyObject *items, *factory = swng_py_class("error"), *item_cls = swng_py_class("error_item");
  size_t i, n = swng_error_item_count(e);
  long st = swng_error_http_status(e), ra = swng_error_retry_after(e);
  if (!factory || !item_cls) {
    PyErr_SetString(PyExc_RuntimeError, "swng_core: the face registered no error classes");
    return NULL;
  }
  if (!(items = PyTuple_New((Py_ssize_t)n))) return NULL;
  for (i = 0; i < n; i++) {
    PyObject *it = PyObject_CallFunction(item_cls, "NNNN",
        swng_py_str(swng_error_item_detail(e, i)), swng_py_str(swng_error_item_status(e, i)),
        swng_py_str(swng_error_item_title(e, i)), swng_py_str(swng_error_item_code(e, i)));
    if (!it) { Py_DECREF(items); return NULL; }
    PyTuple_SET_ITEM(items, (Py_ssize_t)i, it);
  }
  return PyObject_CallFunction(factory, "NNNNNNNN",
      swng_py_str(swng_error_code_name(e)),
      st > 0 ? PyLong_FromLong(st) : (Py_INCREF(Py_None), Py_None),
      swng_py_str(swng_error_message(e)), items,
      swng_py_str(swng_error_request_id(e)),
      ra >= 0 ? PyLong_FromLong(ra) : (Py_INCREF(Py_None), Py_None),
      swng_py_str(swng_error_body(e)), swng_py_str(swng_error_option(e)));
}
%}

/* register_class(name, cls): how the face names its result classes. */
%native(register_class) PyObject *swng_py_register_class(PyObject *self, PyObject *args);
%{
static PyObject *swng_py_register_class(PyObject *self, PyObject *args)
{
  const char *name;
  PyObject *cls;
  (void)self;
  if (!PyArg_ParseTuple(args, "sO:register_class", &name, &cls)) return NULL;
  if (!swng_py_registry && !(swng_py_registry = PyDict_New())) return NULL;
  if (PyDict_SetItemString(swng_py_registry, name, cls) < 0) return NULL;
  Py_RETURN_NONE;
}
%}

/* Macros whose values are enum names are not constants to SWIG. */
%constant int SWNG_STATUS_FIRST = SWNG_STATUS_FIRST;
%constant int SWNG_STATUS_LAST = SWNG_STATUS_LAST;

/* ------------------------------------------------------------ out-params */

/* An owning handle. */
%typemap(in, numinputs=0) swng_client ** (swng_client *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_client ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_client *), SWIG_POINTER_OWN));
}

/* A resource: converted, then freed. */
%define SWNG_RESULT(TYPE)
%typemap(in, numinputs=0) TYPE ** (TYPE *tmp = NULL) "$1 = &tmp;"
%typemap(argout) TYPE ** {
  PyObject *o = Py_None;
  if (*$1) {
    o = swng_py_object(&(*$1)->o);
    TYPE##_free(*$1);
    *$1 = NULL;
    if (!o) SWIG_fail;
  } else {
    Py_INCREF(o);
  }
  %append_output(o);
}
%enddef
SWNG_RESULT(swng_membership)
SWNG_RESULT(swng_number_group)
SWNG_RESULT(swng_phone_number)

/* A list item of any type (cursor_next): converted by its own type. */
%typemap(in, numinputs=0) struct swng__object ** (struct swng__object *tmp = NULL) "$1 = &tmp;"
%typemap(argout) struct swng__object ** {
  PyObject *o = Py_None;
  if (*$1) {
    o = swng_py_object(*$1);
    swng__object_free(*$1);
    *$1 = NULL;
    if (!o) SWIG_fail;
  } else {
    Py_INCREF(o);
  }
  %append_output(o);
}

/* A cursor: an owning handle (freed by its destructor). */
%typemap(in, numinputs=0) swng_cursor ** (swng_cursor *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_cursor ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_cursor *), SWIG_POINTER_OWN));
}

/* An error: converted, then freed. */
%typemap(in, numinputs=0) swng_error ** (swng_error *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_error ** {
  PyObject *o = Py_None;
  if (*$1) {
    o = swng_py_error(*$1);
    swng_error_free(*$1);
    *$1 = NULL;
    if (!o) SWIG_fail;
  } else {
    Py_INCREF(o);
  }
  %append_output(o);
}

/* ------------------------------------------------------------ inputs */

/* A counted string: bytes -> (pointer, length), embedded NULs included. */
%typemap(in) swng_text {
  char *buf; Py_ssize_t len;
  if (!PyBytes_Check($input))
    SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must be bytes");
  if (PyBytes_AsStringAndSize($input, &buf, &len) < 0) SWIG_fail;
  $1.p = buf;
  $1.n = (size_t)len;
}

/* An optional counted string: bytes, or None for "not given" (NULL). */
%typemap(in) swng_opt_text {
  char *buf; Py_ssize_t len;
  if ($input == Py_None) {
    $1.p = NULL;
    $1.n = 0;
  } else {
    if (!PyBytes_Check($input))
      SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must be bytes or None");
    if (PyBytes_AsStringAndSize($input, &buf, &len) < 0) SWIG_fail;
    $1.p = buf;
    $1.n = (size_t)len;
  }
}

/* A number: any real Python number; one too large for a double becomes
 * an infinity, which the core refuses like any other out-of-range value. */
%typemap(in) double {
  $1 = PyFloat_AsDouble($input);
  if ($1 == -1.0 && PyErr_Occurred()) {
    int overflow = 0;
    if (PyErr_ExceptionMatches(PyExc_OverflowError) && PyLong_Check($input)) {
      PyErr_Clear();
      (void)PyLong_AsLongLongAndOverflow($input, &overflow);
      $1 = overflow < 0 ? -Py_HUGE_VAL : Py_HUGE_VAL;
    } else {
      SWIG_fail;
    }
  }
}
