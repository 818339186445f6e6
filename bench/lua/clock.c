/* clock.c - the two clocks the Lua bench client needs and plain Lua lacks,
 * as a tiny Lua C module (require "swng_bench_clock"), built by run.py for
 * each Lua it runs (one source for 5.1/LuaJIT and 5.4; not linked against
 * liblua, the host provides the API). Not part of swng.
 *   cpu_us()   user + system CPU of this process, getrusage(RUSAGE_SELF),
 *              as in bench/c/common.h and bench/py/client.py
 *   wall_us()  CLOCK_MONOTONIC */
#include <lauxlib.h>
#include <lua.h>
#include <sys/resource.h>
#include <time.h>

static int cpu_us(lua_State *L)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    lua_pushnumber(L, (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                          (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
    return 1;
}

static int wall_us(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, ts.tv_sec * 1e6 + ts.tv_nsec / 1e3);
    return 1;
}

int luaopen_swng_bench_clock(lua_State *L);

int luaopen_swng_bench_clock(lua_State *L)
{
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, cpu_us);
    lua_setfield(L, -2, "cpu_us");
    lua_pushcfunction(L, wall_us);
    lua_setfield(L, -2, "wall_us");
    return 1;
}
