/*
 * lua.i - the Lua part of swng.i (included under SWIGLUA).
 *
 * This produces the low-level module swng_core (luaopen_swng_core): a
 * direct, unadorned view of swng.h. It is private: the idiomatic face
 * (lua/swng.lua: swng.client{...}, client:create_membership, tables for
 * memberships and errors) is embedded into the same C module and run by
 * luaopen_swng (lua/luaopen_swng.c), which is the only exported symbol.
 *
 * Typemaps here are keyed by type (see swng.i):
 *  - swng_client ** out: SWIG userdata that OWNS the client and frees it
 *    from __gc; swng_lua_client_close frees it early and disowns it.
 *  - resource ** out (swng_membership ** ...): converted in one call into a
 *    plain table by walking the resource's field table (swng_lua_object),
 *    then freed; swng_error ** out: a plain table (swng_lua_error) that the
 *    face gives its metatable. A call gives rc, out, err (nil when NULL).
 *  - swng_text: a Lua string as (pointer, length), embedded NULs included,
 *    so the core (not the binding) decides what is valid.
 *  - Every C integer (int, long, unsigned, size_t) is a Lua integer
 *    (lua_pushinteger), so 5.3/5.4 see 404, not 404.0. Integer inputs must
 *    have an exact integer representation in the C type.
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

/* ------------------------------------------------------ converters */

%{
/* Pushes an optional C string (nil for NULL). */
static void swng_lua_str(lua_State *L, const char *s)
{
    if (s) lua_pushstring(L, s);
    else lua_pushnil(L);
}

/* The field names of type t as Lua strings, made once per Lua state and
 * kept in the registry (key: t's address): [i + 1] the name of field i, then
 * http_status, request_id, json and existed. Pushes that table. A field is
 * then set with lua_rawgeti + lua_rawset, where lua_setfield would make the
 * key from the C string each time (LuaJIT hashes it on every call). */
enum { SWNG_LUA_K_HTTP_STATUS = 1, SWNG_LUA_K_REQUEST_ID, SWNG_LUA_K_JSON, SWNG_LUA_K_EXISTED };
static void swng_lua_keys(lua_State *L, const struct swng__type *t)
{
    static const char *const extra[] = {"http_status", "request_id", "json", "existed"};
    size_t i;
    lua_pushlightuserdata(L, (void *)t);
    lua_rawget(L, LUA_REGISTRYINDEX);
    if (lua_type(L, -1) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, (int)t->nfields + 4, 0);
    for (i = 0; i < t->nfields; i++) {
        lua_pushstring(L, t->fields[i].name);
        lua_rawseti(L, -2, (int)i + 1);
    }
    for (i = 0; i < 4; i++) {
        lua_pushstring(L, extra[i]);
        lua_rawseti(L, -2, (int)(t->nfields + i) + 1);
    }
    lua_pushlightuserdata(L, (void *)t);
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
}

/* Pushes the object as a table: one table per object level, fields in
 * table order (a nested object's fields right after it), lists as
 * sequences; plus http_status, request_id and json (the raw body). The
 * tables are new and have no metatable: rawset is what lua_setfield did. */
static void swng_lua_object(lua_State *L, const struct swng__object *o)
{
    const struct swng__type *t = o->type;
    int levels[64], top, keys, counts[65] = {0}; /* keys per level; [0]: top */
    int nf = (int)t->nfields;
    size_t i, k;
    swng_lua_keys(L, t);
    keys = lua_gettop(L);
    /* Each table made at its final size: no rehash while it fills. */
    for (i = 0; i < t->nfields && i < 64; i++) counts[t->fields[i].parent + 1]++;
    lua_createtable(L, 0, counts[0] + 4);
    top = lua_gettop(L);
    for (i = 0; i < t->nfields && i < 64; i++) {
        const struct swng__field *f = &t->fields[i];
        int into = f->parent < 0 ? top : levels[f->parent];
        levels[i] = 0;
        if (!into) continue; /* inside an absent object */
        if (f->type == SWNG__F_OBJECT) {
            if (!o->set[i]) continue;
            lua_createtable(L, 0, counts[i + 1]);
            lua_rawgeti(L, keys, (int)i + 1);
            lua_pushvalue(L, -2);
            lua_rawset(L, into);
            levels[i] = lua_gettop(L); /* stays on the stack until the end */
            continue;
        }
        if (f->type != SWNG__F_STRINGS && !o->set[i]) continue;
        lua_rawgeti(L, keys, (int)i + 1);
        if (f->type == SWNG__F_STRINGS) {
            lua_createtable(L, (int)o->v[i].list.n, 0);
            for (k = 0; k < o->v[i].list.n; k++) {
                lua_pushstring(L, o->v[i].list.items[k]);
                lua_rawseti(L, -2, (int)(k + 1));
            }
        } else if (f->type == SWNG__F_BOOL) {
            lua_pushboolean(L, o->v[i].b);
        } else if (f->type == SWNG__F_INT) {
            lua_pushinteger(L, (lua_Integer)o->v[i].i);
        } else {
            lua_pushstring(L, o->v[i].s);
        }
        lua_rawset(L, into);
    }
    lua_settop(L, top);
    lua_rawgeti(L, keys, nf + SWNG_LUA_K_HTTP_STATUS);
    lua_pushinteger(L, (lua_Integer)o->http_status);
    lua_rawset(L, top);
    if (o->request_id) {
        lua_rawgeti(L, keys, nf + SWNG_LUA_K_REQUEST_ID);
        lua_pushstring(L, o->request_id);
        lua_rawset(L, top);
    }
    if (o->json) {
        lua_rawgeti(L, keys, nf + SWNG_LUA_K_JSON);
        lua_pushstring(L, o->json);
        lua_rawset(L, top);
    }
    if (t == &swng__type_membership) {
        lua_rawgeti(L, keys, nf + SWNG_LUA_K_EXISTED);
        lua_pushboolean(L, o->existed);
        lua_rawset(L, top);
    }
    lua_remove(L, keys); /* the result takes its place */
}

/* Pushes the error as a table {code, message, http_status (nil: no
 * response), errors, request_id, retry_after, body, option}. */
static void swng_lua_error(lua_State *L, const swng_error *e)
{
    size_t i, n = swng_error_item_count(e);
    long st = swng_error_http_status(e), ra = swng_error_retry_after(e);
    lua_newtable(L);
    lua_pushstring(L, swng_error_code_name(e));
    lua_setfield(L, -2, "code");
    lua_pushstring(L, swng_error_message(e));
    lua_setfield(L, -2, "message");
    if (st > 0) {
        lua_pushinteger(L, (lua_Integer)st);
        lua_setfield(L, -2, "http_status");
    }
    if (ra >= 0) {
        lua_pushinteger(L, (lua_Integer)ra);
        lua_setfield(L, -2, "retry_after");
    }
    swng_lua_str(L, swng_error_request_id(e));
    lua_setfield(L, -2, "request_id");
    swng_lua_str(L, swng_error_body(e));
    lua_setfield(L, -2, "body");
    swng_lua_str(L, swng_error_option(e));
    lua_setfield(L, -2, "option");
    lua_newtable(L);
    for (i = 0; i < n; i++) {
        lua_newtable(L);
        swng_lua_str(L, swng_error_item_detail(e, i));
        lua_setfield(L, -2, "detail");
        swng_lua_str(L, swng_error_item_status(e, i));
        lua_setfield(L, -2, "status");
        swng_lua_str(L, swng_error_item_title(e, i));
        lua_setfield(L, -2, "title");
        swng_lua_str(L, swng_error_item_code(e, i));
        lua_setfield(L, -2, "code");
        lua_rawseti(L, -2, (int)(i + 1));
    }
    lua_setfield(L, -2, "errors");
}
%}

/* ------------------------------------------------------------ out-params */

%typemap(in, numinputs=0) swng_client ** (swng_client *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_client ** {
  if (*$1) SWIG_NewPointerObj(L, (void *)*$1, $descriptor(swng_client *), 1);
  else lua_pushnil(L);
  SWIG_arg++;
}

%define SWNG_RESULT(TYPE)
%typemap(in, numinputs=0) TYPE ** (TYPE *tmp = NULL) "$1 = &tmp;"
%typemap(argout) TYPE ** {
  if (*$1) {
    swng_lua_object(L, &(*$1)->o);
    TYPE##_free(*$1);
    *$1 = NULL;
  } else {
    lua_pushnil(L);
  }
  SWIG_arg++;
}
%enddef
SWNG_RESULT(swng_membership)
SWNG_RESULT(swng_number_group)
SWNG_RESULT(swng_phone_number)

/* A list item of any type (cursor_next): converted by its own type. */
%typemap(in, numinputs=0) struct swng__object ** (struct swng__object *tmp = NULL) "$1 = &tmp;"
%typemap(argout) struct swng__object ** {
  if (*$1) {
    swng_lua_object(L, *$1);
    swng__object_free(*$1);
    *$1 = NULL;
  } else {
    lua_pushnil(L);
  }
  SWIG_arg++;
}

/* A cursor: userdata that owns it (freed from __gc). */
%typemap(in, numinputs=0) swng_cursor ** (swng_cursor *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_cursor ** {
  if (*$1) SWIG_NewPointerObj(L, (void *)*$1, $descriptor(swng_cursor *), 1);
  else lua_pushnil(L);
  SWIG_arg++;
}

%typemap(in, numinputs=0) swng_error ** (swng_error *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_error ** {
  if (*$1) {
    swng_lua_error(L, *$1);
    swng_error_free(*$1);
    *$1 = NULL;
  } else {
    lua_pushnil(L);
  }
  SWIG_arg++;
}

/* ----------------------------------------------------------- integers */

%typemap(out) int, long, unsigned int, unsigned long, size_t, enum SWIGTYPE
%{  lua_pushinteger(L, (lua_Integer)$1); SWIG_arg++; %}

%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") int {
  long v;
  if (!swng_lua_tointeger_range(L, $input, (double)INT_MIN, (double)INT_MAX, &v))
    SWIG_fail_arg("$symname", $input, "integer (int)");
  $1 = (int)v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") long {
  long v;
  if (!swng_lua_tointeger_range(L, $input, SWNG_LUA_LONG_MIN, SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $input, "integer (long)");
  $1 = v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") unsigned int {
  long v;
  if (!swng_lua_tointeger_range(L, $input, 0.0,
        (double)UINT_MAX < SWNG_LUA_LONG_MAX ? (double)UINT_MAX : SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $input, "non-negative integer (unsigned int)");
  $1 = (unsigned int)v;
}
%typemap(in, checkfn="lua_isnumber", fragment="swng_lua_helpers") size_t {
  long v;
  if (!swng_lua_tointeger_range(L, $input, 0.0, SWNG_LUA_LONG_MAX, &v))
    SWIG_fail_arg("$symname", $input, "non-negative integer (size_t)");
  $1 = (size_t)v;
}

/* ----------------------------------------------------- input strings */

/* A counted string: a Lua string -> (pointer, length), embedded NULs
 * included (the string stays referenced by the argument for the call). */
%typemap(in) swng_text {
  size_t len;
  if (lua_type(L, $input) != LUA_TSTRING)
    SWIG_fail_arg("$symname", $input, "string");
  $1.p = lua_tolstring(L, $input, &len);
  $1.n = len;
}

/* An optional counted string: a Lua string, or nil for "not given". */
%typemap(in) swng_opt_text {
  size_t len;
  if (lua_isnil(L, $input)) {
    $1.p = NULL;
    $1.n = 0;
  } else {
    if (lua_type(L, $input) != LUA_TSTRING)
      SWIG_fail_arg("$symname", $input, "string or nil");
    $1.p = lua_tolstring(L, $input, &len);
    $1.n = len;
  }
}

/* A number: any Lua number (the core decides its range). */
%typemap(in, checkfn="lua_isnumber") double "$1 = (double)lua_tonumber(L, $input);"

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
