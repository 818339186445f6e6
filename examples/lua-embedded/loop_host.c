/*
 * loop_host.c - a C program with its own event loop that embeds Lua (5.1,
 * LuaJIT 2.1, 5.3 or 5.4) and the statically linked swng module, and lets
 * swng's requests run without ever blocking it.
 *
 *     swng-lua-loop-host [--max-gap MS] SCRIPT [ARGS...]
 *
 * The host ticks every 10 ms (its own work: here, calling the script's
 * tick function). Between ticks it sleeps in poll() on swng's one
 * descriptor (loop:fd()), for no longer than the next tick or swng's own
 * timer (loop:timeout()), and calls loop:step() when the descriptor is
 * readable or the timer is due: swng's callbacks run there, on the host's
 * thread, and nothing else of swng ever waits.
 *
 * SCRIPT runs with ARGS as `...` and returns an app table:
 *     app.loop           a swng loop (client:loop())
 *     app.tick(n)        called on every tick (n = 1, 2, ...)
 *     app.done()         true when the host may stop
 *     app.report()       ok, text: the script's verdict, printed
 * The host prints the number of ticks and the longest gap between two
 * ticks, and exits 0 when the script's verdict is ok and (with --max-gap)
 * the longest gap stayed under MS milliseconds; 1 otherwise; 2 for a
 * usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "swng_lua.h"

#define TICK_MS 10.0
#define GIVE_UP_MS 120000.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Error handler: the error's text through the global tostring (swng's
 * error tables have a __tostring), with a traceback. */
static int on_error(lua_State *L)
{
    lua_getglobal(L, "tostring");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_getglobal(L, "debug");
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "traceback");
        lua_pushvalue(L, -3);
        lua_pushinteger(L, 2);
        lua_call(L, 2, 1);
    } else {
        lua_pushvalue(L, -2);
    }
    return 1;
}

static int die(lua_State *L, const char *what)
{
    fprintf(stderr, "swng-lua-loop-host: %s: %s\n", what, lua_tostring(L, -1));
    lua_close(L);
    return 1;
}

/* Calls app[name](args pushed by the caller: nargs) with nres results;
 * the app table is at index `app`, the error handler at index 1. */
static int call_app(lua_State *L, int app, const char *name, int nargs, int nres)
{
    lua_getfield(L, app, name);
    lua_insert(L, -1 - nargs);
    return lua_pcall(L, nargs, nres, 1);
}

/* Calls app.loop:name() with nres results. */
static int call_loop(lua_State *L, int app, const char *name, int nres)
{
    lua_getfield(L, app, "loop");
    lua_getfield(L, -1, name);
    lua_insert(L, -2);
    return lua_pcall(L, 1, nres, 1);
}

int main(int argc, char **argv)
{
    lua_State *L;
    int i, app, fd, first = 1;
    long ticks = 0;
    double max_gap_limit = -1.0, max_gap = 0.0, last_tick = 0.0, next_tick, start;

    for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--max-gap") == 0 && i + 1 < argc) {
            max_gap_limit = atof(argv[++i]);
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [--max-gap MS] SCRIPT [ARGS...]\n", argv[0]);
        return 2;
    }
    if (!(L = luaL_newstate())) return 1;
    luaL_openlibs(L);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_swng);
    lua_setfield(L, -2, "swng");
    lua_pop(L, 2);

    lua_pushcfunction(L, on_error); /* index 1 */
    if (luaL_loadfile(L, argv[i]) != 0) return die(L, "loading the script");
    {
        int nargs = argc - i - 1, k;
        for (k = i + 1; k < argc; k++) lua_pushstring(L, argv[k]);
        if (lua_pcall(L, nargs, 1, 1) != 0) return die(L, "running the script");
    }
    if (!lua_istable(L, -1)) {
        fprintf(stderr, "swng-lua-loop-host: the script must return an app table\n");
        lua_close(L);
        return 1;
    }
    app = lua_gettop(L);
    if (call_loop(L, app, "fd", 1) != 0) return die(L, "loop:fd()");
    fd = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);

    start = now_ms();
    next_tick = start;
    for (;;) {
        double now = now_ms(), wait, timer_at = -1.0;
        struct pollfd p;
        int ready;
        if (now >= next_tick) {
            if (!first && now - last_tick > max_gap) max_gap = now - last_tick;
            first = 0;
            last_tick = now;
            next_tick += TICK_MS;
            if (next_tick < now) next_tick = now + TICK_MS; /* fell behind */
            lua_pushinteger(L, ++ticks);
            if (call_app(L, app, "tick", 1, 0) != 0) return die(L, "app.tick");
            if (call_app(L, app, "done", 0, 1) != 0) return die(L, "app.done");
            ready = lua_toboolean(L, -1);
            lua_pop(L, 1);
            if (ready) break;
            if (now - start > GIVE_UP_MS) {
                fprintf(stderr, "swng-lua-loop-host: not done after %.0f s\n", GIVE_UP_MS / 1000);
                break;
            }
        }
        /* Sleep until the next tick, or swng's timer if sooner. */
        if (call_loop(L, app, "timeout", 1) != 0) return die(L, "loop:timeout()");
        now = now_ms();
        wait = next_tick - now;
        if (!lua_isnil(L, -1)) {
            double t = (double)lua_tonumber(L, -1);
            timer_at = now + t;
            if (t < wait) wait = t;
        }
        lua_pop(L, 1);
        if (wait < 0) wait = 0;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        ready = poll(&p, 1, (int)(wait + 0.999));
        if ((ready > 0 && (p.revents & POLLIN)) || (timer_at >= 0 && now_ms() >= timer_at)) {
            if (call_loop(L, app, "step", 2) != 0) return die(L, "loop:step()");
            if (lua_isnil(L, -2)) {
                lua_pushvalue(L, -1);
                return die(L, "loop:step()");
            }
            lua_pop(L, 2);
        }
    }

    /* The last tick's own time counts too (a tick that blocked). */
    if (now_ms() - last_tick > max_gap) max_gap = now_ms() - last_tick;
    printf("ticks: %ld in %.0f ms, longest gap between ticks: %.1f ms", ticks, now_ms() - start,
           max_gap);
    if (max_gap_limit >= 0) printf(" (limit %.1f ms)", max_gap_limit);
    printf("\n");
    if (call_app(L, app, "report", 0, 2) != 0) return die(L, "app.report");
    printf("%s\n", lua_tostring(L, -1) ? lua_tostring(L, -1) : "(no report)");
    i = lua_toboolean(L, -2) && (max_gap_limit < 0 || max_gap < max_gap_limit);
    lua_close(L);
    if (!i) fprintf(stderr, "swng-lua-loop-host: FAILED\n");
    return i ? 0 : 1;
}
