/*
 * lua.i - the Lua part of swng.i (included under SWIGLUA).
 *
 * This produces the low-level module swng_core (luaopen_swng_core): a
 * direct, unadorned view of swng.h. It is private: the idiomatic face
 * (lua/swng.lua: swng.client{...}, client:create_membership, tables for
 * memberships and errors) is embedded into the same C module and run by
 * luaopen_swng (lua/luaopen_swng.c), which is the only exported symbol.
 *
 * What the typemaps here do, and nothing more:
 *  - Opaque handles become SWIG userdata that OWN the C object and free it
 *    with the matching swng_*_free from __gc. swng_lua_client_close frees a
 *    client early and disowns its userdata (the face then drops it).
 *  - Out-parameters (swng_client **out, swng_membership **out,
 *    swng_error **err) are returned: a call gives rc, out, err, where out
 *    and err are nil when the core left them NULL.
 *  - Every C integer (int, long, unsigned, size_t) is a Lua integer
 *    (lua_pushinteger), so 5.3/5.4 see 404, not 404.0. Integer inputs must
 *    have an exact integer representation in the C type.
 *  - Strings going into the core are Lua strings only (no number
 *    coercion); counted (pointer, length) pairs keep embedded NULs so that
 *    the core can refuse them.
 */

%{
#include <limits.h>
#include <stdlib.h>
#include <string.h>
%}

/* ------------------------------------------------------------ helpers */

/* (A fragment in %{ %}, so that SWIG's preprocessor leaves its #if to the C
 * compiler.) */
%fragment("swng_lua_helpers", "header") %{
/* The length of the sequence at idx, without metamethods. */
static size_t swng_lua_rawlen(lua_State *L, int idx)
{
#if defined(LUA_VERSION_NUM) && LUA_VERSION_NUM >= 502
    return (size_t)lua_rawlen(L, idx);
#else
    return (size_t)lua_objlen(L, idx);
#endif
}

/* The widest integers a double holds exactly, clamped to long. */
#define SWNG_LUA_EXACT 9007199254740992.0
#define SWNG_LUA_LONG_MAX ((double)LONG_MAX < SWNG_LUA_EXACT ? (double)LONG_MAX : SWNG_LUA_EXACT)
#define SWNG_LUA_LONG_MIN ((double)LONG_MIN > -SWNG_LUA_EXACT ? (double)LONG_MIN : -SWNG_LUA_EXACT)

/* Reads the number at idx into *out if it is a number with an exact
 * integer value in [lo, hi]; returns 1 on success, 0 otherwise. Works on
 * 5.1 (lua_Number only) and on 5.3+ (integer subtype). */
static int swng_lua_tointeger_range(lua_State *L, int idx, double lo, double hi,
                                    long *out)
{
    lua_Number n;
    if (lua_type(L, idx) != LUA_TNUMBER)
        return 0;
#if defined(LUA_VERSION_NUM) && LUA_VERSION_NUM >= 503
    if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        if ((double)i < lo || (double)i > hi)
            return 0;
        *out = (long)i;
        return 1;
    }
#endif
    n = lua_tonumber(L, idx);
    if (!(n >= lo && n <= hi))          /* also false for NaN */
        return 0;
    if ((lua_Number)(long)n != n)       /* not integral */
        return 0;
    *out = (long)n;
    return 1;
}
%}

/* ------------------------------------------------------------ handles */

/* The core's structs are opaque. SWIG only needs to know the types exist to
 * make owning userdata classes with destructors that call the core's _free. */
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
  if (*$1) SWIG_NewPointerObj(L, (void *)*$1, $descriptor(TYPE *), 1);
  else lua_pushnil(L);
  SWIG_arg++;
}
%enddef

SWNG_OUT_HANDLE(swng_client, out)
SWNG_OUT_HANDLE(swng_membership, out)
SWNG_OUT_HANDLE(swng_error, err)

/* ----------------------------------------------------------- integers */

%typemap(out) int, long, unsigned int, unsigned long, size_t, enum SWIGTYPE
%{  lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}

%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") int {
  long v;
  if (!swng_lua_tointeger_range(L, $input, (double)INT_MIN, (double)INT_MAX, &v))
    SWIG_fail_arg("$symname", $argnum, "integer (int)");
  $1 = (int)v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") long {
  long v;
  if (!swng_lua_tointeger_range(L, $input, SWNG_LUA_LONG_MIN, SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $argnum, "integer (long)");
  $1 = v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") unsigned int {
  long v;
  if (!swng_lua_tointeger_range(L, $input, 0.0,
        (double)UINT_MAX < SWNG_LUA_LONG_MAX ? (double)UINT_MAX : SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $argnum, "non-negative integer (unsigned int)");
  $1 = (unsigned int)v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") size_t {
  long v;
  if (!swng_lua_tointeger_range(L, $input, 0.0, SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $argnum, "non-negative integer (size_t)");
  $1 = (size_t)v;
}

/* ----------------------------------------------------- input strings */

/* An optional C string: nil -> NULL, string -> its buffer (borrowed for the
 * call). A NUL inside would silently cut the string, so it is an error
 * here; the face checks first and returns an invalid_argument error. */
%typemap(in) const char *OPTIONAL_STRING {
  if (lua_isnil(L, $input)) {
    $1 = NULL;
  } else if (lua_type(L, $input) == LUA_TSTRING) {
    size_t len;
    $1 = ($1_ltype)lua_tolstring(L, $input, &len);
    if (len != strlen($1)) {
      SWIG_Lua_pushferrstring(L, "Error in $symname (arg %d), string contains a NUL byte", $argnum);
      SWIG_fail;
    }
  } else {
    SWIG_fail_arg("$symname", $argnum, "string or nil");
  }
}

/* A counted string: a Lua string -> (pointer, length), embedded NULs
 * included, so that the core (not the binding) decides what is valid. */
%typemap(in) (const char *COUNTED, size_t COUNTED_LEN) {
  size_t len;
  if (lua_type(L, $input) != LUA_TSTRING)
    SWIG_fail_arg("$symname", $argnum, "string");
  $1 = ($1_ltype)lua_tolstring(L, $input, &len);
  $2 = len;
}

/* A NULL-terminated array of C strings: nil -> NULL, a sequence of strings
 * -> a temporary array of borrowed pointers (the strings stay reachable
 * from the table argument for the whole call). */
%typemap(in, fragment="swng_lua_helpers") const char *const *STRING_LIST (const char **tmp = NULL) {
  if (lua_isnil(L, $input)) {
    $1 = NULL;
  } else if (lua_type(L, $input) == LUA_TTABLE) {
    size_t i, n = swng_lua_rawlen(L, $input);
    tmp = (const char **)calloc(n + 1, sizeof *tmp);
    if (!tmp) {
      SWIG_Lua_pushferrstring(L, "Error in $symname: out of memory");
      SWIG_fail;
    }
    for (i = 0; i < n; i++) {
      size_t len;
      lua_rawgeti(L, $input, (int)(i + 1));
      if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        SWIG_Lua_pushferrstring(L, "Error in $symname (arg %d), item %d is not a string", $argnum, (int)(i + 1));
        SWIG_fail;
      }
      tmp[i] = lua_tolstring(L, -1, &len);
      lua_pop(L, 1);   /* still referenced by the table */
      if (len != strlen(tmp[i])) {
        SWIG_Lua_pushferrstring(L, "Error in $symname (arg %d), item %d contains a NUL byte", $argnum, (int)(i + 1));
        SWIG_fail;
      }
    }
    tmp[n] = NULL;
    $1 = ($1_ltype)tmp;
  } else {
    SWIG_fail_arg("$symname", $argnum, "table of strings or nil");
  }
}
%typemap(freearg) const char *const *STRING_LIST "free((void *)tmp$argnum);"

/* --------------------------------------------------------- the calls */

/* Typemaps for swng_binding_client_new (defined in swng.i). */
%apply const char *OPTIONAL_STRING {
  const char *space, const char *project_id, const char *token,
  const char *base_url, const char *ca_file };
%apply const char *const *STRING_LIST { const char *const *headers };
%rename(client_close) swng_lua_client_close;
%inline %{
/* Frees the client now (closing its connections) and disowns the userdata
 * so that __gc does not free it again. The face forgets the userdata right
 * after this call, so the dangling pointer is never seen again. */
static void swng_lua_client_close(swng_client *DISOWN)
{
    swng_client_free(DISOWN);
}
%}

/* The operation, with counted strings. */
%apply (const char *COUNTED, size_t COUNTED_LEN) {
  (const char *number_group_id, size_t number_group_id_len),
  (const char *phone_number_id, size_t phone_number_id_len) };

/* Only the counted form and the helpers above are offered; the _free
 * functions are the destructors of the handles and never called directly;
 * the rest of the header is wrapped as it is. */
%ignore swng_client_options;
%ignore swng_client_options_init;
%ignore swng_client_new;
%ignore swng_client_free;
%ignore swng_membership_create;
%ignore swng_membership_free;
%ignore swng_error_free;

%include "swng.h"

/* (SWNG_STATUS_FIRST/LAST are macros naming enum values, which SWIG cannot
 * re-declare; the face does not need them.) */
