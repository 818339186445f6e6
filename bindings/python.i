/*
 * python.i - the Python part of swng.i (included under SWIGPYTHON).
 *
 * This produces the low-level module swng._swng_core / swng.swng_core: a
 * direct, unadorned view of swng.h. The idiomatic face (Client, Membership,
 * exceptions, typing) is python/swng/__init__.py, written against it.
 *
 * What the typemaps here do, and nothing more:
 *  - Opaque handles become SWIG proxy objects that OWN the C object and
 *    free it with the matching swng_*_free when the last reference goes.
 *  - Out-parameters (swng_client **out, swng_membership **out,
 *    swng_error **err) are returned: a call gives [rc, out, err], where out
 *    and err are None when the core left them NULL.
 *  - Strings going into the core are bytes (the face encodes str); counted
 *    (pointer, length) pairs keep embedded NULs so the core can refuse them.
 *  - The GIL is released around the one call that does network I/O
 *    (swng_membership_create_n) and around client setup/teardown.
 */

%begin %{
#define PY_SSIZE_T_CLEAN
%}

/* ------------------------------------------------------------ handles */

/* Freeing a client closes its connections: let other threads run. (An
 * %exception must come before the declaration it applies to.) */
%exception swng_client::~swng_client {
  Py_BEGIN_ALLOW_THREADS
  $action
  Py_END_ALLOW_THREADS
}

/* The core's structs are opaque. SWIG only needs to know the types exist to
 * make owning proxy classes with destructors that call the core's _free. */
%nodefaultctor swng_client;
%nodefaultctor swng_membership;
%nodefaultctor swng_error;
struct swng_client {};
struct swng_membership {};
struct swng_error {};
%extend swng_client { ~swng_client() { swng_client_free($self); } }
%extend swng_membership { ~swng_membership() { swng_membership_free($self); } }
%extend swng_error { ~swng_error() { swng_error_free($self); } }

/* ------------------------------------------------------- out-params */

%define SWNG_OUT_HANDLE(TYPE, NAME)
%typemap(in, numinputs=0) TYPE **NAME (TYPE *tmp = NULL) "$1 = &tmp;"
%typemap(argout) TYPE **NAME {
  %append_output(SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $descriptor(TYPE *), SWIG_POINTER_OWN));
}
%enddef

SWNG_OUT_HANDLE(swng_client, out)
SWNG_OUT_HANDLE(swng_membership, out)
SWNG_OUT_HANDLE(swng_error, err)

/* Handles taken by accessors must be real objects, not None (the
 * swng_error_* accessors are documented to accept NULL, so they may). */
%typemap(check) const swng_membership *m, const swng_client *client {
  if (!$1) SWIG_exception_fail(SWIG_ValueError, "in method '$symname', argument $argnum must not be None");
}

/* ----------------------------------------------------- input strings */

/* An optional C string: None -> NULL, bytes -> its buffer (borrowed for the
 * call). A NUL inside the bytes would silently cut the string, so it is a
 * ValueError here; the face checks first and raises swng.InvalidArgument. */
%typemap(in) const char *OPTIONAL_BYTES {
  if ($input == Py_None) {
    $1 = NULL;
  } else if (PyBytes_Check($input)) {
    char *buf; Py_ssize_t len;
    if (PyBytes_AsStringAndSize($input, &buf, &len) < 0) SWIG_fail;
    if ((size_t)len != strlen(buf)) SWIG_exception_fail(SWIG_ValueError, "in method '$symname', argument $argnum contains a NUL byte");
    $1 = buf;
  } else {
    SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must be bytes or None");
  }
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_STRING) const char *OPTIONAL_BYTES
  "$1 = ($input == Py_None || PyBytes_Check($input)) ? 1 : 0;"

/* A counted string: bytes -> (pointer, length), embedded NULs included, so
 * that the core (not the binding) decides what is acceptable. */
%typemap(in) (const char *COUNTED, size_t COUNTED_LEN) {
  char *buf; Py_ssize_t len;
  if (!PyBytes_Check($input))
    SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must be bytes");
  if (PyBytes_AsStringAndSize($input, &buf, &len) < 0) SWIG_fail;
  $1 = buf;
  $2 = (size_t)len;
}

/* A NULL-terminated array of C strings: None -> NULL, a list or tuple of
 * bytes -> a temporary array of borrowed pointers. */
%typemap(in) const char *const *BYTES_LIST (const char **tmp = NULL) {
  if ($input == Py_None) {
    $1 = NULL;
  } else {
    Py_ssize_t i, n;
    if (!PyList_Check($input) && !PyTuple_Check($input))
      SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must be a list of bytes or None");
    n = PySequence_Fast_GET_SIZE($input);
    tmp = (const char **)calloc((size_t)n + 1, sizeof *tmp);
    if (!tmp) { PyErr_NoMemory(); SWIG_fail; }
    for (i = 0; i < n; i++) {
      PyObject *item = PySequence_Fast_GET_ITEM($input, i);
      char *buf; Py_ssize_t len;
      if (!PyBytes_Check(item))
        SWIG_exception_fail(SWIG_TypeError, "in method '$symname', argument $argnum must hold only bytes");
      if (PyBytes_AsStringAndSize(item, &buf, &len) < 0) SWIG_fail;
      if ((size_t)len != strlen(buf))
        SWIG_exception_fail(SWIG_ValueError, "in method '$symname', argument $argnum holds a NUL byte");
      tmp[i] = buf;
    }
    tmp[n] = NULL;
    $1 = ($1_ltype)tmp;
  }
}
%typemap(freearg) const char *const *BYTES_LIST "free((void *)tmp$argnum);"

/* --------------------------------------------------------- the calls */

/* Typemaps for swng_binding_client_new (defined in swng.i). */
%apply const char *OPTIONAL_BYTES {
  const char *space, const char *project_id, const char *token,
  const char *base_url, const char *ca_file };
%apply const char *const *BYTES_LIST { const char *const *headers };
%exception swng_binding_client_new {
  Py_BEGIN_ALLOW_THREADS
  $action
  Py_END_ALLOW_THREADS
}

/* The operation: the one call with network I/O. The GIL is released so
 * that other Python threads (and other calls on the same client) run. */
%apply (const char *COUNTED, size_t COUNTED_LEN) {
  (const char *number_group_id, size_t number_group_id_len),
  (const char *phone_number_id, size_t phone_number_id_len) };
%exception swng_membership_create_n {
  Py_BEGIN_ALLOW_THREADS
  $action
  Py_END_ALLOW_THREADS
}

/* Only the counted form and the helper above are offered; the rest of the
 * header is wrapped as it is. */
%ignore swng_client_options;
%ignore swng_client_options_init;
%ignore swng_client_new;
%ignore swng_membership_create;
/* The proxies own their objects; an explicit free would free them twice. */
%ignore swng_client_free;
%ignore swng_membership_free;
%ignore swng_error_free;

/* Macros whose values are enum names are not constants to SWIG; declared
 * before the header so that SWIG does not expand the names themselves. */
%constant int SWNG_STATUS_FIRST = SWNG_STATUS_FIRST;
%constant int SWNG_STATUS_LAST = SWNG_STATUS_LAST;

%include "swng.h"
