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

/* After the call: an exception set while it ran (the interrupt function
 * below ran a signal handler that raised, e.g. KeyboardInterrupt for
 * Ctrl-C, and the core cancelled the call) wins over the core's answer,
 * which is dropped (the freearg typemaps free its out-parameters). */
%exception {
  Py_BEGIN_ALLOW_THREADS
  $action
  Py_END_ALLOW_THREADS
  if (PyErr_Occurred()) SWIG_fail;
}

/* ------------------------------------------------------------ Ctrl-C */

%{
/* Every client the module makes has this interrupt function (installed in
 * the swng_client ** typemap): the core calls it on the calling thread
 * while a blocking call waits, at least every SWNG_INTERRUPT_INTERVAL_MS
 * and whenever a signal interrupts the wait. It runs the Python signal
 * handlers that are due (only the main thread has any: elsewhere this is
 * a no-op); if one raised (KeyboardInterrupt), the exception stays set on
 * this thread, the core cancels the call (nothing more is sent) and the
 * wrapper returns NULL so that the exception propagates. */
/* Set on this thread by a batch's progress callback that raised (see
 * swng_py_progress): the next call of the interrupt function cancels the
 * batch, as Ctrl-C would. Per thread, as blocking calls are. */
static __thread int swng_py_stop = 0;

static int swng_py_interrupt(void *payload)
{
  PyGILState_STATE g;
  int raised;
  (void)payload;
  if (swng_py_stop) return 1;
  g = PyGILState_Ensure();
  raised = PyErr_CheckSignals() < 0;
  PyGILState_Release(g);
  return raised;
}
%}

/* ------------------------------------------------- registry and converters */

%{
/* type name ("membership", "phone_number", "error", "error_item") -> the
 * face's class or factory. Module state; set once at import. */
static PyObject *swng_py_registry = NULL;
#define SWNG_PY_MAX_FIELDS 64

/* name -> (field names, their defaults) of the dataclasses that can be
 * built without calling __init__ (see swng_py_fast_fields); a field
 * without a default has swng_py_no_default. */
static PyObject *swng_py_fast = NULL;
static PyObject *swng_py_no_default = NULL;

/* Interned str objects for the field names of the C tables (static strings,
 * so their address names them), made once: a dict key from a C string
 * would otherwise be a new str, hashed and interned, on every call. */
#define SWNG_PY_KEYS 512
static struct { const char *name; PyObject *key; } swng_py_keys[SWNG_PY_KEYS];

static PyObject *swng_py_key(const char *name) /* borrowed; NULL on error */
{
  size_t h = ((size_t)name >> 3) % SWNG_PY_KEYS, n;
  for (n = 0; n < SWNG_PY_KEYS; n++, h = (h + 1) % SWNG_PY_KEYS) {
    if (swng_py_keys[h].name == name) return swng_py_keys[h].key;
    if (!swng_py_keys[h].name) {
      PyObject *k = PyUnicode_InternFromString(name);
      if (!k) return NULL;
      swng_py_keys[h].name = name;
      swng_py_keys[h].key = k;
      return k;
    }
  }
  /* Table full (never with today's tables): a new key each time. */
  return NULL;
}

static PyObject *swng_py_class(const char *name)
{
  PyObject *k;
  if (!swng_py_registry) return NULL;
  if ((k = swng_py_key(name)) != NULL) return PyDict_GetItem(swng_py_registry, k); /* borrowed */
  PyErr_Clear();
  return PyDict_GetItemString(swng_py_registry, name);
}

/* An optional C string as str or None (invalid UTF-8 is replaced, so a
 * server's bytes can never make the conversion fail). */
static PyObject *swng_py_str(const char *s)
{
  if (!s) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* A field's short text as str, reusing the str made for that field last
 * time when the server sent the same bytes again (the group of every
 * membership made in it, a number's capabilities, ...): a str is immutable,
 * so the result is the same value, without decoding, allocating and later
 * freeing it again. Direct-mapped by (field, list position); a miss costs a
 * length check and a memcmp. Long texts (bodies) are never kept. Only with
 * the GIL held, as every conversion here. */
#define SWNG_PY_TEXTS 64
#define SWNG_PY_TEXT_MAX 64
static struct { const void *field; size_t k; PyObject *str; } swng_py_texts[SWNG_PY_TEXTS];

static PyObject *swng_py_field_str(const void *field, size_t k, const char *s)
{
  size_t n, h;
  PyObject *r;
  if (!s) Py_RETURN_NONE;
  n = strlen(s);
  if (n > SWNG_PY_TEXT_MAX) return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace");
  h = (((size_t)field >> 3) * 31 + k) % SWNG_PY_TEXTS;
  if (swng_py_texts[h].field == field && swng_py_texts[h].k == k) {
    Py_ssize_t len;
    const char *u = PyUnicode_AsUTF8AndSize(swng_py_texts[h].str, &len);
    if (u && (size_t)len == n && memcmp(u, s, n) == 0) {
      Py_INCREF(swng_py_texts[h].str);
      return swng_py_texts[h].str;
    }
    if (!u) PyErr_Clear();
  }
  if (!(r = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace"))) return NULL;
  Py_XSETREF(swng_py_texts[h].str, (Py_INCREF(r), r));
  swng_py_texts[h].field = field;
  swng_py_texts[h].k = k;
  return r;
}

/* Sets d[key] = v and drops the reference to v; 0 on success. key is a
 * static string (see swng_py_key). */
static int swng_py_put(PyObject *d, const char *key, PyObject *v)
{
  int rc;
  PyObject *k;
  if (!v) return -1;
  if ((k = swng_py_key(key)) != NULL) {
    rc = PyDict_SetItem(d, k, v);
  } else {
    PyErr_Clear();
    rc = PyDict_SetItemString(d, key, v);
  }
  Py_DECREF(v);
  return rc;
}

#if !defined(Py_LIMITED_API) && PY_VERSION_HEX < 0x030d0000
#define SWNG_PY_DICT(n) _PyDict_NewPresized(n)
#else
#define SWNG_PY_DICT(n) PyDict_New()
#endif

/* What swng_py_build found for one shape of kwargs: the keys of one level
 * of one field table are always the same (swng_py_object puts every field
 * of a present level, None when unset), so whether they fit the class,
 * and which of its fields they give, is worked out once per shape, class
 * and field tuple (register_class forgets it all: the pointers here are
 * borrowed from the registry, which holds them until then). */
#define SWNG_PY_SHAPES 32
static struct swng_py_shape {
  const void *shape;
  PyObject *cls, *fields;
  Py_ssize_t nkw;
  unsigned long long given; /* bit i: field i is in kwargs */
  /* Owned; for a subset of the fields: every field in order, the given ones
   * None (swng_py_object fills a copy of it for such a level). */
  PyObject *tmpl;
} swng_py_shapes[SWNG_PY_SHAPES];

static void swng_py_shapes_clear(void)
{
  size_t i;
  for (i = 0; i < SWNG_PY_SHAPES; i++) Py_CLEAR(swng_py_shapes[i].tmpl);
  memset(swng_py_shapes, 0, sizeof swng_py_shapes);
}

static struct swng_py_shape *swng_py_shape_find(const void *shape, PyObject *cls,
                                                PyObject *fields, Py_ssize_t nkw)
{
  size_t i;
  for (i = 0; i < SWNG_PY_SHAPES && swng_py_shapes[i].shape; i++)
    if (swng_py_shapes[i].shape == shape)
      return swng_py_shapes[i].cls == cls && swng_py_shapes[i].fields == fields &&
             swng_py_shapes[i].nkw == nkw ? &swng_py_shapes[i] : NULL;
  return NULL;
}

/* Steals tmpl (may be NULL). */
static void swng_py_shape_add(const void *shape, PyObject *cls, PyObject *fields,
                              Py_ssize_t nkw, unsigned long long given, PyObject *tmpl)
{
  size_t i;
  for (i = 0; i < SWNG_PY_SHAPES; i++) {
    if (swng_py_shapes[i].shape && swng_py_shapes[i].shape != shape) continue;
    Py_XSETREF(swng_py_shapes[i].tmpl, tmpl);
    swng_py_shapes[i].shape = shape;
    swng_py_shapes[i].cls = cls;
    swng_py_shapes[i].fields = fields;
    swng_py_shapes[i].nkw = nkw;
    swng_py_shapes[i].given = given;
    return;
  }
  Py_XDECREF(tmpl);
}

/* The registered class for name (borrowed, NULL: none) and its (names,
 * defaults) if it is a plain dataclass (borrowed, else NULL). */
static PyObject *swng_py_fast_of(const char *name, PyObject **cls)
{
  PyObject *k;
  *cls = swng_py_class(name);
  if (!*cls || !swng_py_fast) return NULL;
  if (!(k = swng_py_key(name))) {
    PyErr_Clear();
    return NULL;
  }
  return PyDict_GetItem(swng_py_fast, k);
}

/* The instance of the plain dataclass cls whose __dict__ is d, as its
 * generated __init__ would make it. Steals d. */
static PyObject *swng_py_instance(PyObject *cls, PyObject *d)
{
  static PyObject *no_args = NULL;
  PyObject *o = NULL;
  if (no_args || (no_args = PyTuple_New(0)) != NULL) {
    o = PyBaseObject_Type.tp_new((PyTypeObject *)cls, no_args, NULL);
    if (o && PyObject_GenericSetDict(o, d, NULL) < 0) Py_CLEAR(o);
  }
  Py_DECREF(d);
  return o;
}

/* Calls cls(**kwargs) if a class is registered for name, else returns the
 * dict itself. Steals kwargs. A class that swng_py_fast_fields found to be
 * a plain dataclass, given exactly its fields, is built as its generated
 * __init__ would build it, without the call: a new instance whose __dict__
 * is kwargs (the same attributes, values and order). shape names the set
 * of keys of kwargs (see swng_py_shape), NULL when unknown. */
static PyObject *swng_py_build(const char *name, PyObject *kwargs, const void *shape)
{
  static PyObject *no_args = NULL;
  PyObject *cls = swng_py_class(name), *o, *fields;
  if (!kwargs || !cls) return kwargs;
  if (!no_args && !(no_args = PyTuple_New(0))) {
    Py_DECREF(kwargs);
    return NULL;
  }
  fields = NULL;
  if (swng_py_fast) {
    PyObject *k = swng_py_key(name);
    if (k) fields = PyDict_GetItem(swng_py_fast, k); /* (names, defaults) */
    else PyErr_Clear();
  }
  if (fields && shape) {
    /* A shape seen before: the same dict as below, without the lookups
     * that only confirmed what the first one found. */
    struct swng_py_shape *sh = swng_py_shape_find(shape, cls, fields, PyDict_GET_SIZE(kwargs));
    if (sh) {
      PyObject *names = PyTuple_GET_ITEM(fields, 0), *defaults = PyTuple_GET_ITEM(fields, 1);
      Py_ssize_t i, n = PyTuple_GET_SIZE(names);
      PyObject *d = NULL;
      if (PyDict_GET_SIZE(kwargs) != n) {
        if (!(d = SWNG_PY_DICT(n))) {
          Py_DECREF(kwargs);
          return NULL;
        }
        for (i = 0; i < n; i++) {
          PyObject *nm = PyTuple_GET_ITEM(names, i), *v;
          if (sh->given >> i & 1) {
            if (!(v = PyDict_GetItem(kwargs, nm))) break; /* never: the shape says so */
          } else {
            v = PyTuple_GET_ITEM(defaults, i);
          }
          if (PyDict_SetItem(d, nm, v) < 0) {
            Py_DECREF(d);
            Py_DECREF(kwargs);
            return NULL;
          }
        }
        if (i < n) Py_CLEAR(d); /* the general way below */
      }
      if (d || PyDict_GET_SIZE(kwargs) == n) {
        o = PyBaseObject_Type.tp_new((PyTypeObject *)cls, no_args, NULL);
        if (o && PyObject_GenericSetDict(o, d ? d : kwargs, NULL) < 0) Py_CLEAR(o);
        Py_XDECREF(d);
        Py_DECREF(kwargs);
        return o;
      }
    }
  }
  if (fields) {
    PyObject *names = PyTuple_GET_ITEM(fields, 0), *defaults = PyTuple_GET_ITEM(fields, 1);
    Py_ssize_t i, n = PyTuple_GET_SIZE(names), used = 0;
    PyObject *d = PyDict_GET_SIZE(kwargs) == n ? NULL : SWNG_PY_DICT(n);
    unsigned long long given = 0;
    /* Every field given, or left out with a default (a membership's
     * phone_number has 4 of PhoneNumber's fields); the dict in field order,
     * as __init__ would fill it. */
    for (i = 0; i < n; i++) {
      PyObject *nm = PyTuple_GET_ITEM(names, i), *v = PyDict_GetItem(kwargs, nm);
      if (v) {
        used++;
        if (i < 64) given |= 1ULL << i;
      }
      else if ((v = PyTuple_GET_ITEM(defaults, i)) == swng_py_no_default) break;
      if (d && PyDict_SetItem(d, nm, v) < 0) {
        Py_DECREF(d);
        Py_DECREF(kwargs);
        return NULL;
      }
    }
    if (i == n && used == PyDict_GET_SIZE(kwargs)) {
      if (shape && n <= 64) {
        /* For a subset: d with the given fields None, to be copied. */
        PyObject *tmpl = d ? PyDict_Copy(d) : NULL;
        for (i = 0; tmpl && i < n; i++)
          if ((given >> i & 1) && PyDict_SetItem(tmpl, PyTuple_GET_ITEM(names, i), Py_None) < 0)
            Py_CLEAR(tmpl);
        PyErr_Clear(); /* without a template, only slower */
        swng_py_shape_add(shape, cls, fields, PyDict_GET_SIZE(kwargs), given, tmpl);
      }
      o = PyBaseObject_Type.tp_new((PyTypeObject *)cls, no_args, NULL);
      if (o && PyObject_GenericSetDict(o, d ? d : kwargs, NULL) < 0) Py_CLEAR(o);
      Py_XDECREF(d);
      Py_DECREF(kwargs);
      return o;
    }
    Py_XDECREF(d);
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
      PyObject *s = swng_py_field_str(f, k, o->v[i].list.items[k]);
      if (!s) { Py_DECREF(t); return NULL; }
      PyTuple_SET_ITEM(t, (Py_ssize_t)k, s);
    }
    return t;
  }
  if (!o->set[i]) Py_RETURN_NONE;
  switch (f->type) {
  case SWNG__F_BOOL: return PyBool_FromLong(o->v[i].b);
  case SWNG__F_INT: return PyLong_FromLongLong(o->v[i].i);
  default: return swng_py_field_str(f, 0, o->v[i].s);
  }
}

/* The object as the registered class: each level's fields are gathered as
 * keyword arguments, nested objects built first (fields are in table order,
 * a nested object's fields right after it). */
static PyObject *swng_py_object(const struct swng__object *o)
{
  const struct swng__type *t = o->type;
  PyObject *levels[SWNG_PY_MAX_FIELDS] = {0}; /* kwargs per OBJECT field */
  /* per OBJECT field whose kwargs is a copy of its shape's template (the
   * class's fields in order, defaults filled in): the class (owned) */
  PyObject *ready[SWNG_PY_MAX_FIELDS] = {0};
  Py_ssize_t readyn[SWNG_PY_MAX_FIELDS]; /* its template's size */
  PyObject *top = NULL, *result = NULL;
  Py_ssize_t counts[SWNG_PY_MAX_FIELDS + 1] = {0}; /* keys per level; [0]: top */
  size_t i;
  if (t->nfields > SWNG_PY_MAX_FIELDS) goto out;
  /* Each dict made at its final size: no resize while it fills. */
  for (i = 0; i < t->nfields; i++) counts[t->fields[i].parent + 1]++;
  if (!(top = SWNG_PY_DICT(counts[0] + 3))) goto out;
  for (i = 0; i < t->nfields; i++) {
    const struct swng__field *f = &t->fields[i];
    PyObject *into = f->parent < 0 ? top : levels[f->parent];
    if (f->type == SWNG__F_OBJECT) {
      if (o->set[i]) {
        /* A shape seen before, of a subset of the class's fields (a
         * membership's phone_number): its puts below fill a copy of the
         * dict that swng_py_build would make, which is then used as is. */
        PyObject *cls, *fl = swng_py_fast_of(f->object, &cls);
        struct swng_py_shape *sh = fl ? swng_py_shape_find(f, cls, fl, counts[i + 1]) : NULL;
        if (sh && sh->tmpl) {
          if (!(levels[i] = PyDict_Copy(sh->tmpl))) goto out;
          readyn[i] = PyDict_GET_SIZE(sh->tmpl);
          ready[i] = cls;
          Py_INCREF(cls);
        } else if (!(levels[i] = SWNG_PY_DICT(counts[i + 1]))) {
          goto out;
        }
      }
      /* A placeholder, so that the keys keep the table's order. */
      if (into) {
        Py_INCREF(Py_None);
        if (swng_py_put(into, f->name, Py_None) < 0) goto out;
      }
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
    if (levels[i] && ready[i] && PyDict_GET_SIZE(levels[i]) == readyn[i]) {
      /* The template's keys and no other: the instance's __dict__. */
      v = swng_py_instance(ready[i], levels[i]);
      levels[i] = NULL;
    } else if (levels[i]) {
      v = swng_py_build(f->object, levels[i], f);
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
  result = swng_py_build(t->name, top, t);
  top = NULL;
out:
  for (i = 0; i < SWNG_PY_MAX_FIELDS; i++) {
    Py_XDECREF(levels[i]);
    Py_XDECREF(ready[i]);
  }
  Py_XDECREF(top);
  return result;
}

/* The error as the registered "error" factory's value:
 * error(code, http_status, message, errors, request_id, retry_after, body,
 * option, duplicate_of), with None for what is absent. */
static PyObject *swng_py_error(const swng_error *e)
{
  PyObject *items, *factory = swng_py_class("error"), *item_cls = swng_py_class("error_item");
  size_t i, n = swng_error_item_count(e), dup = 0;
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
  return PyObject_CallFunction(factory, "NNNNNNNNN",
      swng_py_str(swng_error_code_name(e)),
      st > 0 ? PyLong_FromLong(st) : (Py_INCREF(Py_None), Py_None),
      swng_py_str(swng_error_message(e)), items,
      swng_py_str(swng_error_request_id(e)),
      ra >= 0 ? PyLong_FromLong(ra) : (Py_INCREF(Py_None), Py_None),
      swng_py_str(swng_error_body(e)), swng_py_str(swng_error_option(e)),
      swng_error_duplicate_of(e, &dup) ? PyLong_FromSize_t(dup) : (Py_INCREF(Py_None), Py_None));
}
%}

/* register_class(name, cls): how the face names its result classes. */
%native(register_class) PyObject *swng_py_register_class(PyObject *self, PyObject *args);
%{
/* The names of cls's fields (a new tuple) if cls is a plain dataclass that
 * can be built by setting its __dict__: a type of type `type`, object's
 * __new__, instances with a __dict__, the __init__ that dataclasses
 * generated (taking every field, no InitVar) and no __post_init__. Else
 * None: such a class is always called. */
static PyObject *swng_py_fast_fields(PyObject *cls)
{
  PyObject *dc = NULL, *all = NULL, *fields = NULL, *init = NULL, *code = NULL, *file = NULL;
  PyObject *params = NULL, *flag = NULL, *names = NULL, *r = NULL, *defaults = NULL;
  PyObject *missing = NULL;
  PyTypeObject *t = (PyTypeObject *)cls;
  Py_ssize_t i, n;
  int ok = 0;
  if (!PyType_Check(cls) || Py_TYPE(cls) != &PyType_Type || t->tp_new != PyBaseObject_Type.tp_new ||
      t->tp_dictoffset == 0)
    goto none;
  if (PyObject_HasAttrString(cls, "__post_init__")) goto none;
  if (!(all = PyObject_GetAttrString(cls, "__dataclass_fields__"))) goto none;
  if (!(params = PyObject_GetAttrString(cls, "__dataclass_params__"))) goto none;
  if (!(flag = PyObject_GetAttrString(params, "init")) || flag != Py_True) goto none;
  /* The generated __init__ is compiled from a string. */
  if (!(init = PyObject_GetAttrString(cls, "__init__")) ||
      !(code = PyObject_GetAttrString(init, "__code__")) ||
      !(file = PyObject_GetAttrString(code, "co_filename")) || !PyUnicode_Check(file) ||
      PyUnicode_CompareWithASCIIString(file, "<string>") != 0)
    goto none;
  if (!(dc = PyImport_ImportModule("dataclasses"))) goto fail;
  if (!(fields = PyObject_CallMethod(dc, "fields", "O", cls))) goto fail;
  n = PySequence_Size(fields);
  if (n < 0 || !PyDict_Check(all) || PyDict_GET_SIZE(all) != n) goto none; /* InitVar, ClassVar */
  if (!(missing = PyObject_GetAttrString(dc, "MISSING"))) goto fail;
  if (!swng_py_no_default && !(swng_py_no_default = PyObject_CallObject((PyObject *)&PyBaseObject_Type, NULL)))
    goto fail;
  if (!(names = PyTuple_New(n)) || !(defaults = PyTuple_New(n))) goto fail;
  for (i = 0; i < n; i++) {
    PyObject *f = PySequence_GetItem(fields, i), *fi, *nm, *dv, *df;
    int takes, simple;
    if (!f) goto fail;
    fi = PyObject_GetAttrString(f, "init");
    nm = PyObject_GetAttrString(f, "name");
    dv = PyObject_GetAttrString(f, "default");
    df = PyObject_GetAttrString(f, "default_factory");
    Py_DECREF(f);
    takes = fi == Py_True;
    /* A default is used as is only when it is immutable (None, a bool, an
     * int, a str, an empty tuple): no factory, nothing shared by mistake. */
    simple = dv && df == missing &&
             (dv == missing || dv == Py_None || PyBool_Check(dv) || PyLong_CheckExact(dv) ||
              PyUnicode_CheckExact(dv) || (PyTuple_CheckExact(dv) && PyTuple_GET_SIZE(dv) == 0));
    Py_XDECREF(fi);
    Py_XDECREF(df);
    if (!nm || !PyUnicode_Check(nm) || !takes || !simple) {
      Py_XDECREF(nm);
      Py_XDECREF(dv);
      goto none;
    }
    PyUnicode_InternInPlace(&nm);
    PyTuple_SET_ITEM(names, i, nm);
    if (dv == missing) {
      Py_DECREF(dv);
      dv = swng_py_no_default;
      Py_INCREF(dv);
    }
    PyTuple_SET_ITEM(defaults, i, dv);
  }
  ok = 1;
none:
  PyErr_Clear();
  r = ok ? PyTuple_Pack(2, names, defaults) : (Py_INCREF(Py_None), Py_None);
fail:
  Py_XDECREF(dc); Py_XDECREF(all); Py_XDECREF(fields); Py_XDECREF(init); Py_XDECREF(code);
  Py_XDECREF(file); Py_XDECREF(params); Py_XDECREF(flag); Py_XDECREF(names);
  Py_XDECREF(defaults); Py_XDECREF(missing);
  return r;
}

static PyObject *swng_py_register_class(PyObject *self, PyObject *args)
{
  const char *name;
  PyObject *cls;
  (void)self;
  PyObject *fields;
  if (!PyArg_ParseTuple(args, "sO:register_class", &name, &cls)) return NULL;
  if (!swng_py_registry && !(swng_py_registry = PyDict_New())) return NULL;
  if (!swng_py_fast && !(swng_py_fast = PyDict_New())) return NULL;
  if (PyDict_SetItemString(swng_py_registry, name, cls) < 0) return NULL;
  swng_py_shapes_clear(); /* their classes may change */
  if (!(fields = swng_py_fast_fields(cls))) return NULL;
  if (fields == Py_None ? (PyDict_DelItemString(swng_py_fast, name) < 0 && (PyErr_Clear(), 0))
                        : PyDict_SetItemString(swng_py_fast, name, fields) < 0) {
    Py_DECREF(fields);
    return NULL;
  }
  Py_DECREF(fields);
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
  if (*$1) swng_client_set_interrupt(*$1, swng_py_interrupt, NULL);
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_client *), SWIG_POINTER_OWN));
  *$1 = NULL;
}
%typemap(freearg) swng_client ** "if ($1 && *$1) swng_client_free(*$1);"

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
%typemap(freearg) TYPE ** { if ($1 && *$1) TYPE##_free(*$1); }
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
%typemap(freearg) struct swng__object ** "if ($1 && *$1) swng__object_free(*$1);"

/* A cursor: an owning handle (freed by its destructor). */
%typemap(in, numinputs=0) swng_cursor ** (swng_cursor *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_cursor ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_cursor *), SWIG_POINTER_OWN));
  *$1 = NULL;
}
%typemap(freearg) swng_cursor ** "if ($1 && *$1) swng_cursor_free(*$1);"

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
%typemap(freearg) swng_error ** "if ($1 && *$1) swng_error_free(*$1);"

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

/* ---------------------------------------------- the loop (AsyncClient)
 *
 * swng.AsyncClient drives a swng_loop from the running asyncio loop: it
 * watches swng_loop_fd with add_reader, wakes after swng_loop_timeout, and
 * calls loop_step, which steps the loop and takes every finished request
 * in one call, converted as the blocking calls convert theirs. Requests are
 * started without a callback (the form for bindings) and known by id. */

/* A loop: a plain (non-owning) pointer; the face frees it with
 * swng_loop_free before it drops the client, which must outlive it. */
%typemap(in, numinputs=0) swng_loop ** (swng_loop *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_loop ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_loop *), 0));
  *$1 = NULL;
}
%typemap(freearg) swng_loop ** "if ($1 && *$1) swng_loop_free(*$1);"

/* A request in flight: a plain pointer, valid until loop_step takes it
 * (the face cancels a request only while it has not been taken). */
%typemap(in, numinputs=0) swng_request ** (swng_request *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_request ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_request *), 0));
}

/* The C forms that need a C callback or hand out raw results are replaced
 * by request_start, cursor_fetch and loop_step below. */
%ignore swng_request_start;
%ignore swng_loop_take;
%ignore swng_request_take_result;
%ignore swng_request_take_error;
%ignore swng_request_free;
%ignore swng_request_status;

%{
/* Starts op with up to three texts (None: not given; trailing ones are
 * left out), keeping the finished request for loop_step. */
static int swng_py_request_start(swng_request **out, swng_loop *loop, int op, swng_opt_text a0,
                                 swng_opt_text a1, swng_opt_text a2, swng_error **err)
{
  const char *args[3];
  size_t lens[3], n = 3;
  args[0] = a0.p; lens[0] = a0.n;
  args[1] = a1.p; lens[1] = a1.n;
  args[2] = a2.p; lens[2] = a2.n;
  while (n > 0 && !args[n - 1]) n--;
  return swng_request_start(out, loop, op, args, lens, n, NULL, NULL, err);
}

static int swng_py_cursor_fetch(swng_request **out, swng_loop *loop, swng_cursor *cursor,
                                swng_error **err)
{
  return swng_cursor_fetch(out, loop, cursor, NULL, NULL, err);
}

static int swng_py_cursor_needs_fetch(swng_cursor *cursor)
{
  return swng_cursor_needs_fetch(cursor);
}

/* loop_step(loop) -> (rc, done, err): swng_loop_step (with the GIL
 * released), then every finished request as (id, status, result, error),
 * converted as the blocking calls' results and errors are (status 0: result
 * is the result object or None; else error is the exception). A request
 * whose conversion fails (no memory) is still delivered, with the
 * conversion's exception as its error: no request is ever lost. */
static PyObject *swng_py_loop_step(PyObject *self, PyObject *args)
{
  PyObject *arg, *done = NULL, *errobj = Py_None, *r;
  void *p = NULL;
  swng_loop *loop;
  swng_request *req;
  swng_error *e = NULL;
  int rc;
  (void)self;
  if (!PyArg_ParseTuple(args, "O:loop_step", &arg)) return NULL;
  if (!SWIG_IsOK(SWIG_ConvertPtr(arg, &p, SWIGTYPE_p_swng_loop, 0)) || !p) {
    PyErr_SetString(PyExc_TypeError, "loop_step: argument must be a swng_loop");
    return NULL;
  }
  loop = (swng_loop *)p;
  Py_BEGIN_ALLOW_THREADS
  rc = swng_loop_step(loop, &e);
  Py_END_ALLOW_THREADS
  if (e) {
    errobj = swng_py_error(e);
    swng_error_free(e);
    if (!errobj) return NULL;
  } else {
    Py_INCREF(errobj);
  }
  if (!(done = PyList_New(0))) goto fail;
  while ((req = swng_loop_take(loop)) != NULL) {
    int status = swng_request_status(req);
    unsigned long long id = swng_request_id(req);
    struct swng__object *res = (struct swng__object *)swng_request_take_result(req);
    swng_error *re = swng_request_take_error(req);
    PyObject *o, *x, *item;
    swng_request_free(req);
    o = res ? swng_py_object(res) : (Py_INCREF(Py_None), Py_None);
    swng__object_free(res);
    x = re ? swng_py_error(re) : (Py_INCREF(Py_None), Py_None);
    swng_error_free(re);
    if (!o || !x) {
      /* The conversion's own exception becomes the request's error. */
      PyObject *t, *v, *tb;
      Py_XDECREF(o);
      Py_XDECREF(x);
      PyErr_Fetch(&t, &v, &tb);
      PyErr_NormalizeException(&t, &v, &tb);
      if (v && tb) PyException_SetTraceback(v, tb);
      Py_XDECREF(t);
      Py_XDECREF(tb);
      if (!v) {
        Py_INCREF(PyExc_MemoryError);
        v = PyExc_MemoryError;
      }
      o = Py_None;
      Py_INCREF(o);
      x = v;
      if (status == SWNG_OK) status = SWNG_ENOMEM;
    }
    item = Py_BuildValue("(KiNN)", id, status, o, x);
    if (!item || PyList_Append(done, item) < 0) {
      Py_XDECREF(item);
      /* Take and free the rest: their futures are failed by the face. */
      while ((req = swng_loop_take(loop)) != NULL) swng_request_free(req);
      goto fail;
    }
    Py_DECREF(item);
  }
  r = Py_BuildValue("(iNN)", rc, done, errobj);
  return r;
fail:
  Py_XDECREF(done);
  Py_XDECREF(errobj);
  return NULL;
}
%}

%rename(request_start) swng_py_request_start;
int swng_py_request_start(swng_request **out, swng_loop *loop, int op, swng_opt_text a0,
                          swng_opt_text a1, swng_opt_text a2, swng_error **err);
%rename(cursor_fetch) swng_py_cursor_fetch;
int swng_py_cursor_fetch(swng_request **out, swng_loop *loop, swng_cursor *cursor,
                         swng_error **err);
%rename(cursor_needs_fetch) swng_py_cursor_needs_fetch;
int swng_py_cursor_needs_fetch(swng_cursor *cursor);
%native(loop_step) PyObject *swng_py_loop_step(PyObject *self, PyObject *args);

/* ------------------------------------------------ batches, sync, trace
 *
 * The blocking batch (Client.create_memberships, remove_numbers) is one
 * call of swng_batch_run with the GIL released; the sync (sync_memberships)
 * one call of swng_sync_plan_new and one of swng_sync_plan_apply. Their
 * outcomes come back in input order, converted as the single calls'
 * results and errors are. The progress callback takes the GIL; when it
 * raises, the exception stays set and the interrupt function (which the
 * core calls within SWNG_INTERRUPT_INTERVAL_MS) cancels the batch, as for
 * Ctrl-C. The face attaches the outcomes to whatever exception ended the
 * call (.results). The non-blocking batch (AsyncClient) is swng_batch_new,
 * _push, _close and batch_take on the AsyncClient's loop. */

%ignore swng_batch_new;
%ignore swng_batch_push;
%ignore swng_batch_take;
%ignore swng_batch_run;
%ignore swng_batch_options;
%ignore swng_client_set_trace;
%rename("$ignore", regextarget=1, fullname=1) "^swng_batch_result_";
%rename("$ignore", regextarget=1, fullname=1) "^swng_sync_plan_";

/* A batch of the AsyncClient: a plain pointer, freed by the face with
 * swng_batch_free before the loop. */
%typemap(in, numinputs=0) swng_batch ** (swng_batch *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_batch ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_batch *), 0));
  *$1 = NULL;
}
%typemap(freearg) swng_batch ** "if ($1 && *$1) swng_batch_free(*$1);"

/* A sync plan (AsyncClient.sync_memberships): an owning proxy, freed with
 * swng_sync_plan_free (which cancels its read if that is in flight). */
%typemap(in, numinputs=0) swng_sync_plan ** (swng_sync_plan *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_sync_plan ** {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(swng_sync_plan *),
                                    *$1 ? SWIG_POINTER_OWN : 0));
  *$1 = NULL;
}
%typemap(freearg) swng_sync_plan ** "if ($1 && *$1) swng_sync_plan_free(*$1);"

/* Many ids: a tuple of bytes (the face makes it), borrowed for the call. */
%typemap(in) swng_ids (const char **ids_tmp = NULL, size_t *lens_tmp = NULL) {
  size_t n = 0;
  if (swng_py_ids($input, &ids_tmp, &lens_tmp, &n) < 0) {
    ids_tmp = NULL; /* freed by swng_py_ids */
    lens_tmp = NULL;
    SWIG_fail;
  }
  $1.p = ids_tmp;
  $1.lens = lens_tmp;
  $1.n = n;
}
%typemap(freearg) swng_ids {
  PyMem_Free((void *)ids_tmp$argnum);
  PyMem_Free((void *)lens_tmp$argnum);
}

%{
/* The payload of swng_py_progress. For a sync, the add batch and the
 * remove batch are shown as one count: total is both, and base the items
 * of the batches before (a batch's first outcome has done 1, which is not
 * more than the previous batch's last). */
struct swng_py_progress {
  PyObject *fn; /* borrowed; NULL: none */
  int sync;
  size_t base, last, total;
};

static void swng_py_progress(size_t done, size_t pushed, void *payload)
{
  struct swng_py_progress *p = (struct swng_py_progress *)payload;
  PyGILState_STATE g;
  PyObject *r;
  if (!p->fn || swng_py_stop) return;
  if (p->sync) {
    if (done <= p->last) p->base += p->last;
    p->last = done;
    done += p->base;
    pushed = p->total;
  }
  g = PyGILState_Ensure();
  if (!PyErr_Occurred()) { /* not after Ctrl-C */
    r = PyObject_CallFunction(p->fn, "nn", (Py_ssize_t)done, (Py_ssize_t)pushed);
    if (r)
      Py_DECREF(r);
    else
      swng_py_stop = 1; /* the exception stays set; the batch is cancelled */
  }
  PyGILState_Release(g);
}

/* The exception set while the core ran (Ctrl-C, a signal handler's or
 * progress's own), taken out of the error indicator; None if none. */
static PyObject *swng_py_pending(void)
{
  PyObject *t, *v, *tb;
  if (!PyErr_Occurred()) Py_RETURN_NONE;
  PyErr_Fetch(&t, &v, &tb);
  PyErr_NormalizeException(&t, &v, &tb);
  if (v && tb) PyException_SetTraceback(v, tb);
  Py_XDECREF(t);
  Py_XDECREF(tb);
  if (!v) Py_RETURN_NONE;
  return v;
}

/* A batch's outcomes as (statuses, objects): object i is the result (None
 * for a remove) when status i is 0, else the converted error (None if the
 * core had no detail). None for a NULL res. */
static PyObject *swng_py_outcomes(swng_batch_result *res)
{
  size_t i, n;
  PyObject *st, *objs;
  if (!res) Py_RETURN_NONE;
  n = swng_batch_result_count(res);
  st = PyList_New((Py_ssize_t)n);
  objs = PyList_New((Py_ssize_t)n);
  if (!st || !objs) goto fail;
  for (i = 0; i < n; i++) {
    int status = swng_batch_result_status(res, i);
    struct swng__object *r = (struct swng__object *)swng_batch_result_take(res, i);
    swng_error *e = swng_batch_result_take_error(res, i);
    PyObject *o;
    if (status == SWNG_OK)
      o = r ? swng_py_object(r) : (Py_INCREF(Py_None), Py_None);
    else
      o = e ? swng_py_error(e) : (Py_INCREF(Py_None), Py_None);
    swng__object_free(r);
    swng_error_free(e);
    if (!o) goto fail;
    PyList_SET_ITEM(objs, (Py_ssize_t)i, o);
    PyList_SET_ITEM(st, (Py_ssize_t)i, PyLong_FromLong(status));
    if (!PyList_GET_ITEM(st, (Py_ssize_t)i)) goto fail;
  }
  return Py_BuildValue("(NN)", st, objs);
fail:
  Py_XDECREF(st);
  Py_XDECREF(objs);
  return NULL;
}

/* A tuple of bytes as the arrays the core reads (borrowed from the tuple,
 * which the caller holds). */
static int swng_py_ids(PyObject *tuple, const char ***ids, size_t **lens, size_t *n)
{
  Py_ssize_t i, k;
  if (!PyTuple_Check(tuple)) {
    PyErr_SetString(PyExc_TypeError, "ids must be a tuple of bytes");
    return -1;
  }
  k = PyTuple_GET_SIZE(tuple);
  *ids = (const char **)PyMem_Malloc(((size_t)k + 1) * sizeof **ids);
  *lens = (size_t *)PyMem_Malloc(((size_t)k + 1) * sizeof **lens);
  if (!*ids || !*lens) {
    PyMem_Free(*ids);
    PyMem_Free(*lens);
    PyErr_NoMemory();
    return -1;
  }
  for (i = 0; i < k; i++) {
    PyObject *b = PyTuple_GET_ITEM(tuple, i);
    if (!PyBytes_Check(b)) {
      PyMem_Free(*ids);
      PyMem_Free(*lens);
      PyErr_SetString(PyExc_TypeError, "ids must be a tuple of bytes");
      return -1;
    }
    (*ids)[i] = PyBytes_AS_STRING(b);
    (*lens)[i] = (size_t)PyBytes_GET_SIZE(b);
  }
  *n = (size_t)k;
  return 0;
}

static swng_client *swng_py_client_arg(PyObject *arg)
{
  void *p = NULL;
  if (!SWIG_IsOK(SWIG_ConvertPtr(arg, &p, SWIGTYPE_p_swng_client, 0)) || !p) {
    PyErr_SetString(PyExc_TypeError, "argument must be a swng_client");
    return NULL;
  }
  return (swng_client *)p;
}

/* batch_run(client, op, group, ids, concurrency, if_exists, progress)
 *   -> (rc, (statuses, objects) or None, err, exc)
 * group: bytes without NUL; ids: a tuple of bytes; progress: callable or
 * None; exc: the exception that ended the batch early, or None. */
static PyObject *swng_py_batch_run(PyObject *self, PyObject *args)
{
  PyObject *carg, *idt, *progress, *out = NULL, *errobj = NULL, *exc;
  const char *group;
  const char **ids = NULL;
  size_t *lens = NULL, n = 0;
  unsigned int concurrency;
  int op, if_exists, rc;
  swng_client *client;
  swng_batch_result *res = NULL;
  swng_error *e = NULL;
  swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
  struct swng_py_progress pp = {0};
  (void)self;
  if (!PyArg_ParseTuple(args, "OiyOIiO:batch_run", &carg, &op, &group, &idt, &concurrency,
                        &if_exists, &progress))
    return NULL;
  if (!(client = swng_py_client_arg(carg))) return NULL;
  if (swng_py_ids(idt, &ids, &lens, &n) < 0) return NULL;
  pp.fn = progress == Py_None ? NULL : progress;
  opts.concurrency = concurrency;
  opts.if_exists = if_exists;
  opts.on_progress = swng_py_progress;
  opts.payload = &pp;
  swng_py_stop = 0;
  Py_BEGIN_ALLOW_THREADS
  rc = swng_batch_run(&res, client, op, group, ids, lens, n, &opts, &e);
  Py_END_ALLOW_THREADS
  swng_py_stop = 0;
  PyMem_Free(ids);
  PyMem_Free(lens);
  exc = swng_py_pending();
  if (!(out = swng_py_outcomes(res))) goto fail;
  if (e) {
    if (!(errobj = swng_py_error(e))) goto fail;
  } else {
    errobj = (Py_INCREF(Py_None), Py_None);
  }
  swng_batch_result_free(res);
  swng_error_free(e);
  return Py_BuildValue("(iNNN)", rc, out, errobj, exc);
fail:
  swng_batch_result_free(res);
  swng_error_free(e);
  Py_XDECREF(out);
  Py_XDECREF(exc);
  return NULL;
}

static PyObject *swng_py_plan_list(const swng_sync_plan *plan, int add)
{
  size_t i, n = add ? swng_sync_plan_add_count(plan) : swng_sync_plan_remove_count(plan);
  PyObject *l = PyList_New((Py_ssize_t)n);
  for (i = 0; l && i < n; i++) {
    PyObject *s = swng_py_str(add ? swng_sync_plan_add(plan, i) : swng_sync_plan_remove(plan, i));
    if (!s) {
      Py_CLEAR(l);
      break;
    }
    PyList_SET_ITEM(l, (Py_ssize_t)i, s);
  }
  return l;
}

/* sync_run(client, group, ids, dry_run, concurrency, progress)
 *   -> (rc, to_add, to_remove, kept, added, removed, err, exc)
 * to_add, to_remove: lists of str (None if the plan failed); added and
 * removed: (statuses, objects) or None (dry run, or not run). */
static PyObject *swng_py_sync_run(PyObject *self, PyObject *args)
{
  PyObject *carg, *idt, *progress, *exc = NULL, *errobj = NULL;
  PyObject *to_add = NULL, *to_remove = NULL, *added = NULL, *removed = NULL;
  const char *group;
  const char **ids = NULL;
  size_t *lens = NULL, n = 0, kept = 0;
  unsigned int concurrency;
  int dry_run, rc;
  swng_client *client;
  swng_sync_plan *plan = NULL;
  swng_batch_result *ra = NULL, *rr = NULL;
  swng_error *e = NULL;
  swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
  struct swng_py_progress pp = {0};
  (void)self;
  if (!PyArg_ParseTuple(args, "OyOpIO:sync_run", &carg, &group, &idt, &dry_run, &concurrency,
                        &progress))
    return NULL;
  if (!(client = swng_py_client_arg(carg))) return NULL;
  if (swng_py_ids(idt, &ids, &lens, &n) < 0) return NULL;
  swng_py_stop = 0;
  Py_BEGIN_ALLOW_THREADS
  rc = swng_sync_plan_new(&plan, client, group, ids, lens, n, &e);
  Py_END_ALLOW_THREADS
  PyMem_Free(ids);
  PyMem_Free(lens);
  if (rc == SWNG_OK && !PyErr_Occurred()) {
    kept = swng_sync_plan_keep_count(plan);
    if (!(to_add = swng_py_plan_list(plan, 1)) || !(to_remove = swng_py_plan_list(plan, 0)))
      goto fail;
    if (!dry_run) {
      pp.fn = progress == Py_None ? NULL : progress;
      pp.sync = 1;
      pp.total = swng_sync_plan_add_count(plan) + swng_sync_plan_remove_count(plan);
      opts.concurrency = concurrency;
      opts.on_progress = swng_py_progress;
      opts.payload = &pp;
      Py_BEGIN_ALLOW_THREADS
      rc = swng_sync_plan_apply(&ra, &rr, client, plan, &opts, &e);
      Py_END_ALLOW_THREADS
    }
  }
  swng_py_stop = 0;
  swng_sync_plan_free(plan);
  plan = NULL;
  exc = swng_py_pending();
  if (!(added = swng_py_outcomes(ra)) || !(removed = swng_py_outcomes(rr))) goto fail;
  if (e) {
    if (!(errobj = swng_py_error(e))) goto fail;
  } else {
    errobj = (Py_INCREF(Py_None), Py_None);
  }
  swng_batch_result_free(ra);
  swng_batch_result_free(rr);
  swng_error_free(e);
  if (!to_add) to_add = (Py_INCREF(Py_None), Py_None);
  if (!to_remove) to_remove = (Py_INCREF(Py_None), Py_None);
  return Py_BuildValue("(iNNnNNNN)", rc, to_add, to_remove, (Py_ssize_t)kept, added, removed,
                       errobj, exc);
fail:
  swng_sync_plan_free(plan);
  swng_batch_result_free(ra);
  swng_batch_result_free(rr);
  swng_error_free(e);
  Py_XDECREF(to_add);
  Py_XDECREF(to_remove);
  Py_XDECREF(added);
  Py_XDECREF(removed);
  Py_XDECREF(exc);
  return NULL;
}

/* The non-blocking batch. The group is copied to a C string (the core's
 * batch takes one; the face refuses a NUL in it). */
static int swng_py_batch_new(swng_batch **out, swng_loop *loop, int op, swng_text group,
                             unsigned int concurrency, int if_exists, swng_error **err)
{
  swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
  char *g = swng__strndup(group.p, group.n);
  int rc;
  if (!g) return swng__fail(err, SWNG_ENOMEM, "out of memory");
  opts.concurrency = concurrency;
  opts.if_exists = if_exists;
  rc = swng_batch_new(out, loop, op, g, &opts, err);
  free(g);
  return rc;
}

static int swng_py_batch_push(swng_batch *batch, swng_text id, swng_error **err)
{
  return swng_batch_push(batch, id.p, id.n, NULL, err);
}

/* batch_take(batch) -> [(index, status, object)...]: every kept outcome,
 * converted as batch_run's (with the GIL held: nothing here waits). */
static PyObject *swng_py_batch_take(PyObject *self, PyObject *args)
{
  PyObject *arg, *done;
  void *p = NULL, *r = NULL;
  swng_batch *b;
  size_t index;
  int status;
  swng_error *e = NULL;
  (void)self;
  if (!PyArg_ParseTuple(args, "O:batch_take", &arg)) return NULL;
  if (!SWIG_IsOK(SWIG_ConvertPtr(arg, &p, SWIGTYPE_p_swng_batch, 0)) || !p) {
    PyErr_SetString(PyExc_TypeError, "batch_take: argument must be a swng_batch");
    return NULL;
  }
  b = (swng_batch *)p;
  if (!(done = PyList_New(0))) return NULL;
  while (swng_batch_take(b, &index, &status, &r, &e)) {
    PyObject *o, *item;
    if (status == SWNG_OK)
      o = r ? swng_py_object((struct swng__object *)r) : (Py_INCREF(Py_None), Py_None);
    else
      o = e ? swng_py_error(e) : (Py_INCREF(Py_None), Py_None);
    swng__object_free((struct swng__object *)r);
    swng_error_free(e);
    r = NULL;
    e = NULL;
    if (!o) { /* the conversion's own exception is the item's outcome */
      o = swng_py_pending();
      if (status == SWNG_OK) status = SWNG_ENOMEM;
    }
    item = Py_BuildValue("(niN)", (Py_ssize_t)index, status, o);
    if (!item || PyList_Append(done, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(done);
      return NULL;
    }
    Py_DECREF(item);
  }
  return done;
}

/* Trace: the face's "trace" function (registered like the classes) gets
 * every attempt; installed on a client by client_trace(client, 1). It runs
 * with the GIL taken for it, keeping aside any exception already set (a
 * Ctrl-C on its way out); its own exceptions are reported as unraisable. */
static void swng_py_trace(const char *method, const char *path, long http_status, int status,
                          double seconds, unsigned int attempt, const char *request_id,
                          void *payload)
{
  PyGILState_STATE g;
  PyObject *fn, *t, *v, *tb, *r;
  (void)payload;
  g = PyGILState_Ensure();
  PyErr_Fetch(&t, &v, &tb);
  if ((fn = swng_py_class("trace")) != NULL) {
    r = PyObject_CallFunction(fn, "NNlidIN", swng_py_str(method), swng_py_str(path), http_status,
                              status, seconds, attempt, swng_py_str(request_id));
    if (r)
      Py_DECREF(r);
    else
      PyErr_WriteUnraisable(fn);
  }
  PyErr_Restore(t, v, tb);
  PyGILState_Release(g);
}

static int swng_py_client_trace(swng_client *client, int on)
{
  return swng_client_set_trace(client, on ? swng_py_trace : NULL, NULL);
}
%}

%native(batch_run) PyObject *swng_py_batch_run(PyObject *self, PyObject *args);
%native(sync_run) PyObject *swng_py_sync_run(PyObject *self, PyObject *args);
%native(batch_take) PyObject *swng_py_batch_take(PyObject *self, PyObject *args);
%rename(batch_new) swng_py_batch_new;
int swng_py_batch_new(swng_batch **out, swng_loop *loop, int op, swng_text group,
                      unsigned int concurrency, int if_exists, swng_error **err);
%rename(batch_push) swng_py_batch_push;
int swng_py_batch_push(swng_batch *batch, swng_text id, swng_error **err);
%rename(client_trace) swng_py_client_trace;
int swng_py_client_trace(swng_client *client, int on);
