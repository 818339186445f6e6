/*
 * swng_lua.h - for C hosts that link the swng Lua module statically
 * (libswng_lua5.x.a) into their own program.
 *
 *     #include <lua.h>
 *     #include <lauxlib.h>
 *     #include "swng_lua.h"
 *
 *     lua_getglobal(L, "package");
 *     lua_getfield(L, -1, "preload");
 *     lua_pushcfunction(L, luaopen_swng);
 *     lua_setfield(L, -2, "swng");             -- package.preload.swng
 *     lua_pop(L, 2);
 *
 * after which Lua code runs `local swng = require "swng"` as usual. The
 * archive holds the Lua face, the SWIG wrapper and the C core; link it with
 * libcurl, libcjson and pthreads (pkg-config: libcurl libcjson). Build it
 * for the same Lua version as the host (5.1 also serves LuaJIT 2.1).
 */
#ifndef SWNG_LUA_H
#define SWNG_LUA_H

#include <lua.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#  define SWNG_LUA_API __attribute__((visibility("default")))
#else
#  define SWNG_LUA_API
#endif

/** Opens the swng module and leaves its table on the stack (returns 1). */
SWNG_LUA_API int luaopen_swng(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif /* SWNG_LUA_H */
