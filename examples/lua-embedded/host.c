/*
 * host.c - a C program that embeds Lua (5.1, LuaJIT 2.1, 5.3 or 5.4) and
 * links the swng Lua module statically (libswng_lua5.X.a; LuaJIT uses the
 * 5.1 archive): no swng.so is looked for or loaded.
 *
 *     swng-lua-host SCRIPT [ARGS...]
 *
 * runs SCRIPT with ARGS as `...` (and in the global `arg`). The script can
 * `require "swng"` because the host registers luaopen_swng in
 * package.preload. The exit status is 0 when the script returns anything
 * but false/nil, 1 when it raises an error or returns false/nil (printing
 * its second return value), 2 for a usage error.
 */
#include <stdio.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "swng_lua.h"

/* Lua 5.1 and LuaJIT lack LUA_OK and luaL_tolstring (5.2+); 5.1 also lacks
 * luaL_traceback. host_tolstring pushes the text of the value at idx (its
 * __tostring if it has one) and returns it, like luaL_tolstring. */
#if LUA_VERSION_NUM < 502
#  ifndef LUA_OK
#    define LUA_OK 0
#  endif
static const char *host_tolstring(lua_State *L, int idx)
{
    if (idx < 0 && idx > LUA_REGISTRYINDEX)
        idx = lua_gettop(L) + idx + 1;
    if (luaL_callmeta(L, idx, "__tostring")) {
        if (!lua_isstring(L, -1)) {
            lua_pop(L, 1);
            lua_pushliteral(L, "(__tostring did not return a string)");
        }
        return lua_tostring(L, -1);
    }
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
    case LUA_TSTRING:
        lua_pushvalue(L, idx);
        break;
    case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
        break;
    case LUA_TNIL:
        lua_pushliteral(L, "nil");
        break;
    default:
        lua_pushfstring(L, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
        break;
    }
    return lua_tostring(L, -1);
}
/* debug.traceback(msg, 2): the same text as luaL_traceback(L, L, msg, 1)
 * called from a C function. */
static void host_traceback(lua_State *L, const char *msg)
{
    lua_getglobal(L, "debug");
    lua_getfield(L, -1, "traceback");
    lua_remove(L, -2);
    lua_pushstring(L, msg);
    lua_pushinteger(L, 2);
    lua_call(L, 2, 1);
}
#else
#  define host_tolstring(L, idx) luaL_tolstring((L), (idx), NULL)
#  define host_traceback(L, msg) luaL_traceback((L), (L), (msg), 1)
#endif

/* Error handler: adds a traceback, using __tostring for non-string errors
 * (swng's error tables have one). */
static int on_error(lua_State *L)
{
    const char *msg = host_tolstring(L, 1);
    host_traceback(L, msg);
    return 1;
}

int main(int argc, char **argv)
{
    lua_State *L;
    int i, status, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [ARGS...]\n", argv[0]);
        return 2;
    }
    L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "%s: cannot create a Lua state\n", argv[0]);
        return 1;
    }
    luaL_openlibs(L);

    /* package.preload["swng"] = luaopen_swng: require "swng" now opens the
     * statically linked module. (luaL_requiref(L, "swng", luaopen_swng, 0)
     * would open it right away instead.) */
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_swng);
    lua_setfield(L, -2, "swng");
    lua_pop(L, 2);

    /* arg = { [0] = SCRIPT, ARGS... } */
    lua_createtable(L, argc - 2, 1);
    for (i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");

    lua_pushcfunction(L, on_error);
    status = luaL_loadfile(L, argv[1]);
    if (status == LUA_OK) {
        for (i = 2; i < argc; i++)
            lua_pushstring(L, argv[i]);
        status = lua_pcall(L, argc - 2, 2, 1);
    }
    if (status != LUA_OK) {
        fprintf(stderr, "%s: %s\n", argv[0], host_tolstring(L, -1));
        rc = 1;
    } else if (!lua_toboolean(L, -2)) {
        fprintf(stderr, "%s: %s\n", argv[0],
                lua_isnil(L, -1) ? "script failed" : host_tolstring(L, -1));
        rc = 1;
    }
    lua_close(L);   /* collects every swng client the script left open */
    return rc;
}
