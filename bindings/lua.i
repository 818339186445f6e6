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

/* ------------------------------------------------- calls and the trace
 *
 * The trace function (swng_client_set_trace) is the one place where the C
 * core calls into Lua: from inside a blocking call or a loop step, on the
 * thread that drives the request. Every wrapped call (the %exception below)
 * and every native that can send (loop_step, loop_wait, sync) records the
 * lua_State it was called on in swng_lua_current (thread-local: one Lua
 * state per OS thread at a time), so the trace runs on the very coroutine
 * (or main thread) that is inside the C call, never on another thread's
 * stack. It runs under lua_pcall: an error raised by the Lua trace function
 * (or out of memory while making its table) is caught and dropped there, so
 * nothing longjmps through the core's frames; a yield is refused by Lua
 * (attempt to yield across a C-call boundary) and caught the same way.
 * While it runs, every call into swng raises (swng_lua_tracing): the core
 * is in the middle of a request of that client and must not be re-entered,
 * freed or stepped. Outside a recorded call (a garbage-collection
 * metamethod, a loop being freed) swng_lua_current is NULL and the attempt
 * is not traced.
 */
%{
#if defined(__GNUC__)
#  define SWNG_LUA_TLS __thread
#elif defined(_MSC_VER)
#  define SWNG_LUA_TLS __declspec(thread)
#else
#  define SWNG_LUA_TLS _Thread_local
#endif
static SWNG_LUA_TLS lua_State *swng_lua_current;
static SWNG_LUA_TLS int swng_lua_tracing;

#define SWNG_LUA_NOT_TRACING(L)                                                  \
    do {                                                                         \
        if (swng_lua_tracing)                                                    \
            return luaL_error((L), "swng: a trace function must not call swng"); \
    } while (0)
%}

%exception {
  lua_State *swng_lua_prev = swng_lua_current;
  if (swng_lua_tracing) {
    lua_pushstring(L, "swng: a trace function must not call swng");
    SWIG_fail;
  }
  swng_lua_current = L;
  $action
  swng_lua_current = swng_lua_prev;
}

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
 * response), errors, request_id, retry_after, body, option, duplicate_of
 * (a skipped duplicate: the position, from 1, of the input sent)}. */
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
    {
        size_t dup;
        if (swng_error_duplicate_of(e, &dup)) { /* a position in Lua's terms: from 1 */
            lua_pushinteger(L, (lua_Integer)dup + 1);
            lua_setfield(L, -2, "duplicate_of");
        }
    }
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

/* ------------------------------------------------------- non-blocking
 *
 * The loop (swng_loop_*), its requests (swng_request_start, cb NULL: the
 * bindings' form, swng_loop_take) and page fetches (swng_cursor_fetch) for
 * the Lua face's callback and coroutine forms. These are lua_CFunctions
 * (%native) because they manage lifetimes that SWIG's proxies cannot:
 *
 *  - a loop is a userdata of its own (metatable "swng.loop"); __gc and
 *    loop_close free it with swng_loop_free (requests still in flight are
 *    cancelled; the face delivers their cancellation first on close);
 *  - a request is a light userdata that the face keeps only until the
 *    request is taken (loop_take frees it), so a stale one never reaches
 *    swng_request_cancel;
 *  - a cursor used by a loop is adopted from its SWIG proxy into a userdata
 *    of its own (metatable "swng.loop_cursor"): a fetch in flight holds the
 *    C cursor, so whichever of the cursor and the loop is collected first
 *    (lua_close collects everything at once, in any order), the cursor is
 *    freed only after the loop has let go of it.
 *
 * Results and errors are converted by the same functions as the blocking
 * calls (swng_lua_object, swng_lua_error).
 */
%ignore swng_loop_new;
%ignore swng_loop_free;
%ignore swng_loop_fd;
%ignore swng_loop_timeout;
%ignore swng_loop_step;
%ignore swng_loop_wait;
%ignore swng_loop_pending;
%ignore swng_loop_cancel_all;
%ignore swng_loop_take;
%ignore swng_request_start;
%ignore swng_request_cancel;
%ignore swng_request_id;
%ignore swng_request_status;
%ignore swng_request_take_result;
%ignore swng_request_take_error;
%ignore swng_request_free;

%fragment("swng_lua_helpers");
%{
#define SWNG_LUA_LOOP_MT "swng.loop"
#define SWNG_LUA_CURSOR_MT "swng.loop_cursor"

typedef struct swng_lua_cursor swng_lua_cursor;

typedef struct swng_lua_loop {
    swng_loop *loop;            /* NULL once closed */
    swng_lua_cursor **fetching; /* cursors whose fetch is in flight here */
    size_t nfetching, capfetching;
    swng_cursor **orphans;      /* cursors collected while fetching here */
    size_t norphans, caporphans;
    struct swng_lua_batch **batches; /* its batches not yet freed */
    size_t nbatches, capbatches;
    swng_batch **dead;          /* batches collected inside a core call */
    size_t ndead, capdead;
} swng_lua_loop;

/* A batch: userdata (metatable "swng.batch") that its loop also lists, so
 * that the loop frees it first (a loop's batches go before the loop). */
typedef struct swng_lua_batch {
    swng_batch *batch;     /* NULL once freed */
    swng_lua_loop *owner;  /* NULL once its loop is freed */
} swng_lua_batch;

struct swng_lua_cursor {
    swng_cursor *cursor;   /* NULL once freed */
    swng_lua_loop *owner;  /* the loop whose fetch holds it, or NULL */
};

/* Pushes the error table, or nil for none. */
static void swng_lua_push_error(lua_State *L, const swng_error *err)
{
    if (err) swng_lua_error(L, err);
    else lua_pushnil(L);
}

static int swng_lua_grow(void **items, size_t *cap, size_t n, size_t size)
{
    void *p;
    size_t c;
    if (n < *cap) return 1;
    c = *cap ? *cap * 2 : 4;
    if (!(p = realloc(*items, c * size))) return 0;
    *items = p;
    *cap = c;
    return 1;
}

static swng_lua_loop *swng_lua_checkloop(lua_State *L, int idx)
{
    return (swng_lua_loop *)luaL_checkudata(L, idx, SWNG_LUA_LOOP_MT);
}

/* The open loop at idx; raises for a closed one (the face checks first). */
static swng_loop *swng_lua_openloop(lua_State *L, int idx)
{
    swng_lua_loop *l = swng_lua_checkloop(L, idx);
    if (!l->loop) luaL_error(L, "swng: the loop is closed");
    return l->loop;
}

static swng_lua_cursor *swng_lua_checkcursor(lua_State *L, int idx)
{
    return (swng_lua_cursor *)luaL_checkudata(L, idx, SWNG_LUA_CURSOR_MT);
}

/* The cursor's fetch ended (taken) or its loop is gone: it is its own. */
static void swng_lua_cursor_release(swng_lua_cursor *c)
{
    swng_lua_loop *l = c->owner;
    size_t i;
    if (!l) return;
    for (i = 0; i < l->nfetching; i++)
        if (l->fetching[i] == c) {
            l->fetching[i] = l->fetching[--l->nfetching];
            break;
        }
    c->owner = NULL;
}

/* Frees the loop: requests in flight are cancelled (their fetches let go
 * of their cursors), then the cursors collected meanwhile are freed. */
static void swng_lua_free_dead(swng_lua_loop *l)
{
    while (l->ndead) swng_batch_free(l->dead[--l->ndead]);
}

static void swng_lua_loop_free(swng_lua_loop *l)
{
    size_t i;
    swng_lua_free_dead(l);
    for (i = 0; i < l->nbatches; i++) {
        swng_batch_free(l->batches[i]->batch);
        l->batches[i]->batch = NULL;
        l->batches[i]->owner = NULL;
    }
    l->nbatches = 0;
    swng_loop_free(l->loop);
    l->loop = NULL;
    for (i = 0; i < l->nfetching; i++) l->fetching[i]->owner = NULL;
    l->nfetching = 0;
    for (i = 0; i < l->norphans; i++) swng_cursor_free(l->orphans[i]);
    l->norphans = 0;
}

static int swng_lua_loop_gc(lua_State *L)
{
    swng_lua_loop *l = swng_lua_checkloop(L, 1);
    swng_lua_loop_free(l);
    free(l->fetching);
    free(l->orphans);
    free(l->batches);
    free(l->dead);
    l->fetching = NULL;
    l->orphans = NULL;
    l->batches = NULL;
    l->dead = NULL;
    l->capfetching = l->caporphans = l->capbatches = l->capdead = 0;
    return 0;
}

static int swng_lua_cursor_gc(lua_State *L)
{
    swng_lua_cursor *c = swng_lua_checkcursor(L, 1);
    swng_lua_loop *l = c->owner;
    if (!c->cursor) return 0;
    if (l && l->loop) {
        /* A fetch still holds it: the loop frees it when it lets go. */
        swng_lua_cursor_release(c);
        if (swng_lua_grow((void **)&l->orphans, &l->caporphans, l->norphans,
                          sizeof *l->orphans)) {
            l->orphans[l->norphans++] = c->cursor;
            c->cursor = NULL;
            return 0;
        }
        /* Out of memory: leaking it is the only safe choice. */
        c->cursor = NULL;
        return 0;
    }
    swng_cursor_free(c->cursor);
    c->cursor = NULL;
    return 0;
}

/* loop_new(client) -> rc, loop | nil, err */
static int swng_lua_loop_new(lua_State *L)
{
    swng_client *client = NULL;
    swng_error *err = NULL;
    swng_lua_loop *l;
    int rc;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&client, SWIGTYPE_p_swng_client, 0)) || !client)
        return luaL_argerror(L, 1, "swng client handle expected");
    l = (swng_lua_loop *)lua_newuserdata(L, sizeof *l);
    memset(l, 0, sizeof *l);
    if (luaL_newmetatable(L, SWNG_LUA_LOOP_MT)) {
        lua_pushcfunction(L, swng_lua_loop_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    rc = swng_loop_new(&l->loop, client, &err);
    lua_pushinteger(L, rc);
    if (rc != SWNG_OK) {
        lua_pushnil(L);
        swng_lua_push_error(L, err);
        swng_error_free(err);
        return 3;
    }
    lua_pushvalue(L, -2);
    return 2;
}

/* loop_close(loop): frees it now (requests in flight are cancelled
 * without being delivered: the face delivers them first). */
static int swng_lua_loop_close(lua_State *L)
{
    SWNG_LUA_NOT_TRACING(L);
    swng_lua_loop_free(swng_lua_checkloop(L, 1));
    return 0;
}

static int swng_lua_loop_fd(lua_State *L)
{
    lua_pushinteger(L, swng_loop_fd(swng_lua_openloop(L, 1)));
    return 1;
}

static int swng_lua_loop_timeout(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)swng_loop_timeout(swng_lua_openloop(L, 1)));
    return 1;
}

static int swng_lua_loop_pending(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)swng_loop_pending(swng_lua_openloop(L, 1)));
    return 1;
}

static int swng_lua_loop_cancel_all(lua_State *L)
{
    swng_loop_cancel_all(swng_lua_openloop(L, 1));
    return 0;
}

static int swng_lua_push_rc(lua_State *L, int rc, swng_error *err)
{
    lua_pushinteger(L, rc);
    if (rc >= 0) return 1;
    lua_pushnil(L); /* no result */
    swng_lua_push_error(L, err);
    swng_error_free(err);
    return 3;
}

/* loop_step(loop) -> pending | rc, nil, err */
static int swng_lua_loop_step(lua_State *L)
{
    swng_error *err = NULL;
    swng_loop *loop;
    lua_State *prev = swng_lua_current;
    int rc;
    SWNG_LUA_NOT_TRACING(L);
    loop = swng_lua_openloop(L, 1);
    swng_lua_free_dead(swng_lua_checkloop(L, 1));
    swng_lua_current = L;
    rc = swng_loop_step(loop, &err);
    swng_lua_current = prev;
    return swng_lua_push_rc(L, rc, err);
}

/* loop_wait(loop, max_ms) -> as loop_step */
static int swng_lua_loop_wait(lua_State *L)
{
    swng_loop *loop = swng_lua_openloop(L, 1);
    swng_error *err = NULL;
    long ms;
    int rc;
    lua_State *prev = swng_lua_current;
    SWNG_LUA_NOT_TRACING(L);
    if (!swng_lua_tointeger_range(L, 2, -1.0, 2147483647.0, &ms))
        return luaL_argerror(L, 2, "milliseconds (-1 or more) expected");
    swng_lua_free_dead(swng_lua_checkloop(L, 1));
    swng_lua_current = L;
    rc = swng_loop_wait(loop, ms, &err);
    swng_lua_current = prev;
    return swng_lua_push_rc(L, rc, err);
}

/* loop_take(loop) -> id, status, result | nil, err | nil; nothing when no
 * request has ended. The request is freed here. */
static int swng_lua_loop_take(lua_State *L)
{
    swng_request *r = swng_loop_take(swng_lua_openloop(L, 1));
    struct swng__object *o;
    swng_error *e;
    if (!r) return 0;
    lua_pushinteger(L, (lua_Integer)swng_request_id(r));
    lua_pushinteger(L, swng_request_status(r));
    o = (struct swng__object *)swng_request_take_result(r);
    e = swng_request_take_error(r);
    swng_request_free(r);
    if (o) {
        swng_lua_object(L, o);
        swng__object_free(o);
    } else {
        lua_pushnil(L);
    }
    if (e) {
        swng_lua_error(L, e);
        swng_error_free(e);
    } else {
        lua_pushnil(L);
    }
    return 4;
}

static int swng_lua_push_started(lua_State *L, int rc, swng_request *r, swng_error *err)
{
    lua_pushinteger(L, rc);
    if (rc != SWNG_OK) {
        lua_pushnil(L);
        lua_pushnil(L);
        swng_lua_push_error(L, err);
        swng_error_free(err);
        return 4;
    }
    lua_pushinteger(L, (lua_Integer)swng_request_id(r));
    lua_pushlightuserdata(L, r);
    return 3;
}

/* request_start(loop, op, nargs, texts...) -> rc, id, request | rc, nil,
 * nil, err. A text is a string (NULs kept: the core refuses them) or nil
 * (an optional argument left out). */
static int swng_lua_request_start(lua_State *L)
{
    swng_loop *loop;
    SWNG_LUA_NOT_TRACING(L);
    loop = swng_lua_openloop(L, 1);
    const char *args[4];
    size_t lens[4];
    long op, nargs, i;
    swng_request *r = NULL;
    swng_error *err = NULL;
    int rc;
    if (!swng_lua_tointeger_range(L, 2, (double)INT_MIN, (double)INT_MAX, &op))
        return luaL_argerror(L, 2, "operation (integer) expected");
    if (!swng_lua_tointeger_range(L, 3, 0.0, 4.0, &nargs))
        return luaL_argerror(L, 3, "0 to 4 expected");
    for (i = 0; i < nargs; i++) {
        int idx = 4 + (int)i;
        if (lua_isnoneornil(L, idx)) {
            args[i] = NULL;
            lens[i] = 0;
        } else if (lua_type(L, idx) == LUA_TSTRING) {
            args[i] = lua_tolstring(L, idx, &lens[i]);
        } else {
            return luaL_argerror(L, idx, "string or nil expected");
        }
    }
    rc = swng_request_start(&r, loop, (int)op, args, lens, (size_t)nargs, NULL, NULL, &err);
    return swng_lua_push_started(L, rc, r, err);
}

/* request_cancel(loop, request): only for a request not yet taken. */
static int swng_lua_request_cancel(lua_State *L)
{
    swng_lua_openloop(L, 1);
    luaL_checktype(L, 2, LUA_TLIGHTUSERDATA);
    swng_request_cancel((swng_request *)lua_touserdata(L, 2));
    return 0;
}

/* cursor_adopt(cursor proxy) -> loop cursor: the proxy gives up its C
 * cursor (its __gc then frees nothing). */
static int swng_lua_cursor_adopt(lua_State *L)
{
    swng_cursor *cur = NULL;
    swng_lua_cursor *c;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&cur, SWIGTYPE_p_swng_cursor, 0)) || !cur)
        return luaL_argerror(L, 1, "swng cursor expected");
    c = (swng_lua_cursor *)lua_newuserdata(L, sizeof *c);
    c->cursor = NULL;
    c->owner = NULL;
    if (luaL_newmetatable(L, SWNG_LUA_CURSOR_MT)) {
        lua_pushcfunction(L, swng_lua_cursor_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    SWIG_ConvertPtr(L, 1, (void **)&cur, SWIGTYPE_p_swng_cursor, SWIG_POINTER_DISOWN);
    c->cursor = cur;
    return 1;
}

/* cursor_fetch(loop, loop cursor) -> as request_start. The cursor is held
 * by the fetch until cursor_drain. */
static int swng_lua_cursor_fetch(lua_State *L)
{
    swng_lua_loop *l = swng_lua_checkloop(L, 1);
    swng_lua_cursor *c = swng_lua_checkcursor(L, 2);
    swng_request *r = NULL;
    swng_error *err = NULL;
    int rc;
    swng_lua_openloop(L, 1);
    if (!c->cursor) return luaL_argerror(L, 2, "the cursor is freed");
    if (c->owner) return luaL_argerror(L, 2, "the cursor is already fetching");
    if (!swng_lua_grow((void **)&l->fetching, &l->capfetching, l->nfetching,
                       sizeof *l->fetching))
        return swng_lua_push_started(L, SWNG_ENOMEM, NULL,
                                     NULL); /* the face names the code */
    rc = swng_cursor_fetch(&r, l->loop, c->cursor, NULL, NULL, &err);
    if (rc == SWNG_OK) {
        l->fetching[l->nfetching++] = c;
        c->owner = l;
    }
    return swng_lua_push_started(L, rc, r, err);
}

/* cursor_drain(loop cursor) -> rc, items, more | rc, items, false, err:
 * the cursor is its own again (its fetch was taken); then the items
 * waiting in it, without fetching (more: the list goes on, a fetch is
 * needed). An item that fails ends the cursor: the items before it and the
 * error. */
static int swng_lua_cursor_drain(lua_State *L)
{
    swng_lua_cursor *c = swng_lua_checkcursor(L, 1);
    struct swng__object *o;
    swng_error *err;
    int rc, n = 0;
    swng_lua_cursor_release(c);
    lua_pushinteger(L, SWNG_OK);
    lua_newtable(L);
    while (c->cursor && !swng_cursor_needs_fetch(c->cursor)) {
        o = NULL;
        err = NULL;
        rc = swng__cursor_next(c->cursor, &o, &err);
        if (rc != SWNG_OK) {
            lua_pushinteger(L, rc);
            lua_replace(L, -3);
            lua_pushboolean(L, 0);
            swng_lua_push_error(L, err);
            swng_error_free(err);
            return 4;
        }
        if (!o) break; /* the end */
        swng_lua_object(L, o);
        swng__object_free(o);
        lua_rawseti(L, -2, ++n);
    }
    lua_pushboolean(L, c->cursor && swng_cursor_needs_fetch(c->cursor));
    return 3;
}

/* cursor_free(loop cursor): frees it now unless a fetch holds it. */
static int swng_lua_cursor_free(lua_State *L)
{
    swng_lua_cursor *c = swng_lua_checkcursor(L, 1);
    if (!c->owner) {
        swng_cursor_free(c->cursor);
        c->cursor = NULL;
    }
    return 0;
}
%}

%{
/* ------------------------------------------------------------- batches */

#define SWNG_LUA_BATCH_MT "swng.batch"

static swng_lua_batch *swng_lua_checkbatch(lua_State *L, int idx)
{
    return (swng_lua_batch *)luaL_checkudata(L, idx, SWNG_LUA_BATCH_MT);
}

/* The live batch at idx; raises for a freed one (the face checks first). */
static swng_batch *swng_lua_openbatch(lua_State *L, int idx)
{
    swng_lua_batch *b = swng_lua_checkbatch(L, idx);
    if (!b->batch) luaL_error(L, "swng: the batch is freed");
    return b->batch;
}

static void swng_lua_batch_unlist(swng_lua_batch *b)
{
    swng_lua_loop *l = b->owner;
    size_t i;
    if (!l) return;
    for (i = 0; i < l->nbatches; i++)
        if (l->batches[i] == b) {
            l->batches[i] = l->batches[--l->nbatches];
            break;
        }
    b->owner = NULL;
}

/* __gc: a batch collected inside a core call (a trace function's garbage)
 * must not be freed under the loop that runs it: its loop frees it at its
 * next step, or when it is freed. */
static int swng_lua_batch_gc(lua_State *L)
{
    swng_lua_batch *b = swng_lua_checkbatch(L, 1);
    swng_lua_loop *l = b->owner;
    if (!b->batch) return 0;
    swng_lua_batch_unlist(b);
    if (l && swng_lua_current &&
        swng_lua_grow((void **)&l->dead, &l->capdead, l->ndead, sizeof *l->dead)) {
        l->dead[l->ndead++] = b->batch;
        b->batch = NULL;
        return 0;
    }
    swng_batch_free(b->batch);
    b->batch = NULL;
    return 0;
}

/* A new batch userdata (no batch yet), on the stack. */
static swng_lua_batch *swng_lua_batch_newud(lua_State *L)
{
    swng_lua_batch *b = (swng_lua_batch *)lua_newuserdata(L, sizeof *b);
    b->batch = NULL;
    b->owner = NULL;
    if (luaL_newmetatable(L, SWNG_LUA_BATCH_MT)) {
        lua_pushcfunction(L, swng_lua_batch_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

/* Pushes the userdata of a batch the core made on loop l, which lists it
 * (to free it before itself), or nil for NULL. Out of memory: the batch
 * is freed and the error raised. */
static void swng_lua_batch_wrap(lua_State *L, swng_lua_loop *l, swng_batch *batch)
{
    swng_lua_batch *b;
    if (!batch) {
        lua_pushnil(L);
        return;
    }
    if (!lua_checkstack(L, 4) ||
        !swng_lua_grow((void **)&l->batches, &l->capbatches, l->nbatches, sizeof *l->batches)) {
        swng_batch_free(batch);
        luaL_error(L, "swng: out of memory");
        return;
    }
    b = swng_lua_batch_newud(L);
    b->batch = batch;
    b->owner = l;
    l->batches[l->nbatches++] = b;
}

/* batch_new(loop, op, number_group_id, concurrency, if_exists) -> rc,
 * batch | rc, nil, err. Items are kept for batch_take (on_item NULL). */
static int swng_lua_batch_new(lua_State *L)
{
    swng_lua_loop *l = swng_lua_checkloop(L, 1);
    swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
    swng_lua_batch *b;
    swng_error *err = NULL;
    const char *group;
    size_t glen;
    long op, conc, ifx;
    int rc;
    SWNG_LUA_NOT_TRACING(L);
    swng_lua_openloop(L, 1);
    if (!swng_lua_tointeger_range(L, 2, (double)INT_MIN, (double)INT_MAX, &op))
        return luaL_argerror(L, 2, "operation (integer) expected");
    group = luaL_checklstring(L, 3, &glen);
    if (!swng_lua_tointeger_range(L, 4, 0.0, (double)UINT_MAX, &conc))
        return luaL_argerror(L, 4, "concurrency (non-negative integer) expected");
    if (!swng_lua_tointeger_range(L, 5, (double)INT_MIN, (double)INT_MAX, &ifx))
        return luaL_argerror(L, 5, "if_exists (integer) expected");
    if (memchr(group, '\0', glen)) {
        /* The core reads a C string: a NUL would cut the id short. */
        lua_pushinteger(L, SWNG_EINVAL);
        lua_pushnil(L);
        lua_pushnil(L);
        return 3; /* the face names it */
    }
    opts.concurrency = (unsigned int)conc;
    opts.if_exists = (int)ifx;
    if (!swng_lua_grow((void **)&l->batches, &l->capbatches, l->nbatches, sizeof *l->batches))
        return luaL_error(L, "swng: out of memory");
    b = swng_lua_batch_newud(L);
    rc = swng_batch_new(&b->batch, l->loop, (int)op, group, &opts, &err);
    lua_pushinteger(L, rc);
    if (rc != SWNG_OK) {
        lua_pushnil(L);
        swng_lua_push_error(L, err);
        swng_error_free(err);
        return 3;
    }
    l->batches[l->nbatches++] = b;
    b->owner = l;
    lua_pushvalue(L, -2);
    return 2;
}

/* batch_push(batch, id) -> rc, index (0-based) | rc, nil, err */
static int swng_lua_batch_push(lua_State *L)
{
    swng_batch *b;
    swng_error *err = NULL;
    const char *id;
    size_t len, index = 0;
    int rc;
    SWNG_LUA_NOT_TRACING(L);
    b = swng_lua_openbatch(L, 1);
    id = luaL_checklstring(L, 2, &len);
    rc = swng_batch_push(b, id, len, &index, &err);
    lua_pushinteger(L, rc);
    if (rc != SWNG_OK) {
        lua_pushnil(L);
        swng_lua_push_error(L, err);
        swng_error_free(err);
        return 3;
    }
    lua_pushinteger(L, (lua_Integer)index);
    return 2;
}

static int swng_lua_batch_close(lua_State *L)
{
    SWNG_LUA_NOT_TRACING(L);
    swng_batch_close(swng_lua_openbatch(L, 1));
    return 0;
}

static int swng_lua_batch_cancel(lua_State *L)
{
    SWNG_LUA_NOT_TRACING(L);
    swng_batch_cancel(swng_lua_openbatch(L, 1));
    return 0;
}

static int swng_lua_batch_finished(lua_State *L)
{
    lua_pushboolean(L, swng_batch_finished(swng_lua_openbatch(L, 1)));
    return 1;
}

/* batch_take(batch) -> index (0-based), status, result | nil, err | nil;
 * nothing when no outcome is waiting. */
static int swng_lua_batch_take(lua_State *L)
{
    swng_batch *b;
    size_t index;
    int status;
    void *result = NULL;
    swng_error *err = NULL;
    SWNG_LUA_NOT_TRACING(L);
    b = swng_lua_openbatch(L, 1);
    if (!swng_batch_take(b, &index, &status, &result, &err)) return 0;
    lua_pushinteger(L, (lua_Integer)index);
    lua_pushinteger(L, status);
    if (result) {
        swng_lua_object(L, (struct swng__object *)result);
        swng__object_free((struct swng__object *)result);
    } else {
        lua_pushnil(L);
    }
    swng_lua_push_error(L, err);
    swng_error_free(err);
    return 4;
}

/* batch_free(batch): frees it now (what is unfinished is dropped). */
static int swng_lua_batch_free(lua_State *L)
{
    swng_lua_batch *b = swng_lua_checkbatch(L, 1);
    SWNG_LUA_NOT_TRACING(L);
    swng_lua_batch_unlist(b);
    swng_batch_free(b->batch);
    b->batch = NULL;
    return 0;
}

/* ---------------------------------------------------------------- sync */

/* Pushes a batch result as two tables: values (the item's membership
 * table, true for an item of a remove without one, or false when it
 * failed) and errors (the failed items' error tables, by position). */
static void swng_lua_batch_result(lua_State *L, swng_batch_result *res)
{
    size_t i, n = swng_batch_result_count(res);
    int values, errors;
    lua_createtable(L, (int)n, 0);
    values = lua_gettop(L);
    lua_newtable(L);
    errors = lua_gettop(L);
    for (i = 0; i < n; i++) {
        int st = swng_batch_result_status(res, i);
        struct swng__object *o = (struct swng__object *)swng_batch_result_take(res, i);
        swng_error *e = swng_batch_result_take_error(res, i);
        if (o) {
            swng_lua_object(L, o);
            swng__object_free(o);
        } else {
            lua_pushboolean(L, st == SWNG_OK);
        }
        lua_rawseti(L, values, (int)(i + 1));
        if (st != SWNG_OK) {
            if (e) {
                swng_lua_error(L, e);
            } else {
                lua_newtable(L);
                lua_pushstring(L, swng_status_name(st));
                lua_setfield(L, -2, "code");
                lua_pushstring(L, swng_strerror(st));
                lua_setfield(L, -2, "message");
                lua_newtable(L);
                lua_setfield(L, -2, "errors");
            }
            lua_rawseti(L, errors, (int)(i + 1));
        }
        swng_error_free(e);
    }
}

/* The ids of a sequence of strings, as the core wants them (borrowed from
 * the strings, which stay in the table at idx for the call). Raises for a
 * value that is not a string. */
static int swng_lua_ids(lua_State *L, int idx, const char ***ids, size_t **lens, size_t *n)
{
    size_t i, count = swng_lua_rawlen(L, idx);
    *ids = (const char **)lua_newuserdata(L, (count ? count : 1) * sizeof **ids);
    *lens = (size_t *)lua_newuserdata(L, (count ? count : 1) * sizeof **lens);
    for (i = 0; i < count; i++) {
        lua_rawgeti(L, idx, (int)(i + 1));
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "phone_number_ids[%d] must be a string (got %s)", (int)(i + 1),
                              luaL_typename(L, -1));
        (*ids)[i] = lua_tolstring(L, -1, &(*lens)[i]);
        lua_pop(L, 1); /* still referenced by the table */
    }
    *n = count;
    return 0;
}

static void swng_lua_push_ids(lua_State *L, const swng_sync_plan *plan, int add)
{
    size_t i, n = add ? swng_sync_plan_add_count(plan) : swng_sync_plan_remove_count(plan);
    lua_createtable(L, (int)n, 0);
    for (i = 0; i < n; i++) {
        lua_pushstring(L, add ? swng_sync_plan_add(plan, i) : swng_sync_plan_remove(plan, i));
        lua_rawseti(L, -2, (int)(i + 1));
    }
}

/* sync(client, number_group_id, ids, dry_run, concurrency) -> rc, plan
 * table | rc, nil, err. The table: to_add, to_remove (sequences of ids),
 * kept (a count) and, unless dry_run, added, added_errors, removed,
 * removed_errors (as swng_lua_batch_result). */
static int swng_lua_sync(lua_State *L)
{
    swng_client *client = NULL;
    swng_sync_plan *plan = NULL;
    swng_batch_result *added = NULL, *removed = NULL;
    swng_batch_options opts = SWNG_BATCH_OPTIONS_INIT;
    swng_error *err = NULL;
    const char **ids;
    size_t *lens, n, glen;
    const char *group;
    lua_State *prev = swng_lua_current;
    long conc;
    int dry_run, rc, top;
    SWNG_LUA_NOT_TRACING(L);
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&client, SWIGTYPE_p_swng_client, 0)) || !client)
        return luaL_argerror(L, 1, "swng client handle expected");
    group = luaL_checklstring(L, 2, &glen);
    luaL_checktype(L, 3, LUA_TTABLE);
    dry_run = lua_toboolean(L, 4);
    if (!swng_lua_tointeger_range(L, 5, 0.0, (double)UINT_MAX, &conc))
        return luaL_argerror(L, 5, "concurrency (non-negative integer) expected");
    opts.concurrency = (unsigned int)conc;
    swng_lua_ids(L, 3, &ids, &lens, &n);
    if (memchr(group, '\0', glen)) {
        lua_pushinteger(L, SWNG_EINVAL);
        lua_pushnil(L);
        lua_pushnil(L);
        return 3;
    }
    swng_lua_current = L;
    rc = swng_sync_plan_new(&plan, client, group, ids, lens, n, &err);
    if (rc == SWNG_OK && !dry_run) {
        /* The plan is made: a concurrency out of range is refused here,
         * before anything is sent. */
        rc = swng_sync_plan_apply(&added, &removed, client, plan, &opts, &err);
    }
    swng_lua_current = prev;
    if (rc != SWNG_OK) {
        swng_sync_plan_free(plan);
        swng_batch_result_free(added);
        swng_batch_result_free(removed);
        lua_pushinteger(L, rc);
        lua_pushnil(L);
        swng_lua_push_error(L, err);
        swng_error_free(err);
        return 3;
    }
    lua_pushinteger(L, rc);
    lua_newtable(L);
    top = lua_gettop(L);
    swng_lua_push_ids(L, plan, 1);
    lua_setfield(L, top, "to_add");
    swng_lua_push_ids(L, plan, 0);
    lua_setfield(L, top, "to_remove");
    lua_pushinteger(L, (lua_Integer)swng_sync_plan_keep_count(plan));
    lua_setfield(L, top, "kept");
    swng_sync_plan_free(plan);
    if (!dry_run) {
        swng_lua_batch_result(L, added);
        lua_setfield(L, top, "added_errors");
        lua_setfield(L, top, "added");
        swng_lua_batch_result(L, removed);
        lua_setfield(L, top, "removed_errors");
        lua_setfield(L, top, "removed");
    }
    swng_batch_result_free(added);
    swng_batch_result_free(removed);
    return 2;
}

/* --------------------------------------------------------------- trace */

#define SWNG_LUA_TRACE_MT "swng.trace"

/* What the core passed, for the protected call that makes the table. */
typedef struct swng_lua_attempt {
    const char *method, *path, *request_id;
    long http_status;
    int status;
    double seconds;
    unsigned int attempt;
    int fn_ref;
} swng_lua_attempt;

/* A trace: the Lua function (a registry reference), freed from __gc. The
 * face keeps this userdata alive as long as its client. */
typedef struct swng_lua_trace {
    int fn_ref;     /* the Lua function */
    int helper_ref; /* swng_lua_trace_call, made once (no allocation later) */
} swng_lua_trace;

/* Runs under lua_pcall: makes the table and calls the Lua function. */
static int swng_lua_trace_call(lua_State *L)
{
    const swng_lua_attempt *a = (const swng_lua_attempt *)lua_touserdata(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, a->fn_ref);
    lua_createtable(L, 0, 7);
    lua_pushstring(L, a->method);
    lua_setfield(L, -2, "method");
    lua_pushstring(L, a->path);
    lua_setfield(L, -2, "path");
    lua_pushinteger(L, (lua_Integer)a->http_status);
    lua_setfield(L, -2, "http_status");
    lua_pushstring(L, swng_status_name(a->status));
    lua_setfield(L, -2, "code");
    lua_pushnumber(L, (lua_Number)a->seconds);
    lua_setfield(L, -2, "seconds");
    lua_pushinteger(L, (lua_Integer)a->attempt);
    lua_setfield(L, -2, "attempt");
    if (a->request_id) {
        lua_pushstring(L, a->request_id);
        lua_setfield(L, -2, "request_id");
    }
    lua_call(L, 1, 0);
    return 0;
}

static void swng_lua_trace_cb(const char *method, const char *path, long http_status,
                              int status, double seconds, unsigned int attempt,
                              const char *request_id, void *payload)
{
    swng_lua_trace *t = (swng_lua_trace *)payload;
    lua_State *L = swng_lua_current;
    swng_lua_attempt a;
    int top;
    if (!L || swng_lua_tracing || t->fn_ref == LUA_NOREF) return;
    if (!lua_checkstack(L, 4)) return;
    a.method = method;
    a.path = path;
    a.request_id = request_id;
    a.http_status = http_status;
    a.status = status;
    a.seconds = seconds;
    a.attempt = attempt;
    a.fn_ref = t->fn_ref;
    top = lua_gettop(L);
    swng_lua_tracing = 1;
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->helper_ref);
    lua_pushlightuserdata(L, &a);
    (void)lua_pcall(L, 1, 0, 0); /* an error is dropped (documented) */
    lua_settop(L, top);
    swng_lua_tracing = 0;
}

static int swng_lua_trace_gc(lua_State *L)
{
    swng_lua_trace *t = (swng_lua_trace *)luaL_checkudata(L, 1, SWNG_LUA_TRACE_MT);
    luaL_unref(L, LUA_REGISTRYINDEX, t->fn_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, t->helper_ref);
    t->fn_ref = t->helper_ref = LUA_NOREF;
    return 0;
}

/* client_set_trace(client, fn | nil) -> trace userdata | nil: the face
 * keeps the userdata as long as the client (the core holds its address). */
static int swng_lua_client_set_trace(lua_State *L)
{
    swng_client *client = NULL;
    swng_lua_trace *t;
    SWNG_LUA_NOT_TRACING(L);
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&client, SWIGTYPE_p_swng_client, 0)) || !client)
        return luaL_argerror(L, 1, "swng client handle expected");
    if (lua_isnoneornil(L, 2)) {
        swng_client_set_trace(client, NULL, NULL);
        lua_pushnil(L);
        return 1;
    }
    luaL_checktype(L, 2, LUA_TFUNCTION);
    t = (swng_lua_trace *)lua_newuserdata(L, sizeof *t);
    t->fn_ref = t->helper_ref = LUA_NOREF;
    if (luaL_newmetatable(L, SWNG_LUA_TRACE_MT)) {
        lua_pushcfunction(L, swng_lua_trace_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, 2);
    t->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushcfunction(L, swng_lua_trace_call);
    t->helper_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    swng_client_set_trace(client, swng_lua_trace_cb, t);
    return 1;
}
%}

%ignore swng_client_set_trace;
%ignore swng_client_set_interrupt;
%ignore swng_client_set_cancel;
%rename("$ignore", regextarget=1, fullname=1) "^swng_batch_";
%rename("$ignore", regextarget=1, fullname=1) "^swng_sync_plan_";

/* The types of the sync on a loop (swng.i's sync_plan_start and
 * sync_plan_apply_start). */
/* A loop: the face's loop userdata (raises when closed). */
%typemap(in) swng_loop * "$1 = swng_lua_openloop(L, $input);"
/* A plan: a SWIG userdata that owns it (freed from __gc, or by
 * swng_sync_plan_free through the face's plan = nil; freeing it while its
 * read is in flight cancels the read). */
%typemap(in, numinputs=0) swng_sync_plan ** (swng_sync_plan *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_sync_plan ** {
  if (*$1) SWIG_NewPointerObj(L, (void *)*$1, $descriptor(swng_sync_plan *), 1);
  else lua_pushnil(L);
  *$1 = NULL;
  SWIG_arg++;
}
/* A request in flight: its id and a light userdata, as request_start
 * gives them (nil, nil when none). */
%typemap(in, numinputs=0) swng_request ** (swng_request *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_request ** {
  if (*$1) {
    lua_pushinteger(L, (lua_Integer)swng_request_id(*$1));
    lua_pushlightuserdata(L, *$1);
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
  SWIG_arg += 2;
}
/* A batch of the loop given as the call's first argument (which lists it,
 * as batch_new's). */
%typemap(in, numinputs=0) swng_batch ** (swng_batch *tmp = NULL) "$1 = &tmp;"
%typemap(argout) swng_batch ** {
  swng_lua_batch_wrap(L, swng_lua_checkloop(L, 1), *$1);
  *$1 = NULL;
  SWIG_arg++;
}
/* Many ids: a sequence of strings (the face checks their types first). */
%typemap(in) swng_ids (const char **ids_tmp = NULL, size_t *lens_tmp = NULL) {
  size_t n = 0;
  luaL_checktype(L, $input, LUA_TTABLE);
  swng_lua_ids(L, $input, &ids_tmp, &lens_tmp, &n);
  $1.p = ids_tmp;
  $1.lens = lens_tmp;
  $1.n = n;
}
%rename("$ignore", regextarget=1, fullname=1) "^swng_cancel_";

%native(batch_new) int swng_lua_batch_new(lua_State *L);
%native(batch_push) int swng_lua_batch_push(lua_State *L);
%native(batch_close) int swng_lua_batch_close(lua_State *L);
%native(batch_cancel) int swng_lua_batch_cancel(lua_State *L);
%native(batch_finished) int swng_lua_batch_finished(lua_State *L);
%native(batch_take) int swng_lua_batch_take(lua_State *L);
%native(batch_free) int swng_lua_batch_free(lua_State *L);
%native(sync) int swng_lua_sync(lua_State *L);
%native(client_set_trace) int swng_lua_client_set_trace(lua_State *L);

%native(loop_new) int swng_lua_loop_new(lua_State *L);
%native(loop_close) int swng_lua_loop_close(lua_State *L);
%native(loop_fd) int swng_lua_loop_fd(lua_State *L);
%native(loop_timeout) int swng_lua_loop_timeout(lua_State *L);
%native(loop_pending) int swng_lua_loop_pending(lua_State *L);
%native(loop_cancel_all) int swng_lua_loop_cancel_all(lua_State *L);
%native(loop_step) int swng_lua_loop_step(lua_State *L);
%native(loop_wait) int swng_lua_loop_wait(lua_State *L);
%native(loop_take) int swng_lua_loop_take(lua_State *L);
%native(request_start) int swng_lua_request_start(lua_State *L);
%native(request_cancel) int swng_lua_request_cancel(lua_State *L);
%native(cursor_adopt) int swng_lua_cursor_adopt(lua_State *L);
%native(cursor_fetch) int swng_lua_cursor_fetch(lua_State *L);
%native(cursor_drain) int swng_lua_cursor_drain(lua_State *L);
%native(cursor_free) int swng_lua_cursor_free(lua_State *L);
