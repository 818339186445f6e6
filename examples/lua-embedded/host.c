/*
 * host.c - a C program that embeds Lua 5.4 and links the swng Lua module
 * statically (libswng_lua5.4.a): no swng.so is looked for or loaded.
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

/* Error handler: adds a traceback, using __tostring for non-string errors
 * (swng's error tables have one). */
static int on_error(lua_State *L)
{
    const char *msg = luaL_tolstring(L, 1, NULL);
    luaL_traceback(L, L, msg, 1);
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
        fprintf(stderr, "%s: %s\n", argv[0], luaL_tolstring(L, -1, NULL));
        rc = 1;
    } else if (!lua_toboolean(L, -2)) {
        fprintf(stderr, "%s: %s\n", argv[0],
                lua_isnil(L, -1) ? "script failed" : luaL_tolstring(L, -1, NULL));
        rc = 1;
    }
    lua_close(L);   /* collects every swng client the script left open */
    return rc;
}
