#!/usr/bin/env bash
# embedded_hosts.sh BUILD SRC GROUP PHONE_NUMBER LUA...
# For each Lua (5.1, luajit, 5.3, 5.4) builds examples/lua-embedded/host.c
# the two ways a user would against an installed swng: CMake
# (find_package(swng COMPONENTS lua5.X), target swng::lua5.X) and
# pkg-config (swng-lua5.X plus the host's Lua), checks that each host
# embeds the Lua it should and no swng.so, and runs add_membership.lua with
# it against the emulated space (with_space.py --allow-duplicates,
# SIGNALWIRE_* set). It builds the host with its own loop
# (examples/lua-embedded/loop_host.c) the same two ways and runs
# tick_loop.lua with it: 50 create_membership requests in flight at once
# against a space that delays each answer by 1 s, while the host ticks
# every 10 ms; the longest gap between two ticks must stay under 50 ms and
# all 50 memberships must be right. Every build and run must succeed.
set -euo pipefail
build=$1 src=$2 group=$3 phone=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name 'libswng_lua5.*.a' | head -n1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
# Only the statically linked module may load.
export LUA_CPATH=/nonexistent/?.so LUA_CPATH_5_3=/nonexistent/?.so LUA_CPATH_5_4=/nonexistent/?.so

for lua in "$@"; do
  case $lua in
    luajit) archive=5.1 pc=luajit lib=libluajit-5.1.so version="Lua 5.1" ;;
    5.1|5.3|5.4) archive=$lua pc=lua$lua lib=liblua$lua.so version="Lua $lua" ;;
    *) echo "FAIL: unknown Lua '$lua'"; exit 1 ;;
  esac
  hosts=()
  cmake -S "$src/examples/lua-embedded" -B "$work/cm-$lua" -DSWNG_HOST_LUA="$lua" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$work/log" 2>&1 \
    && cmake --build "$work/cm-$lua" >>"$work/log" 2>&1 \
    || { cat "$work/log"; echo "FAIL: CMake build of the $lua host"; exit 1; }
  hosts+=("$work/cm-$lua/swng-lua-host")
  # shellcheck disable=SC2046
  cc -Wall -Wextra -Werror "$src/examples/lua-embedded/host.c" -o "$work/pc-$lua" \
    $(pkg-config --cflags --libs "swng-lua$archive" "$pc") -Wl,--export-dynamic \
    || { echo "FAIL: pkg-config build of the $lua host"; exit 1; }
  hosts+=("$work/pc-$lua")
  # shellcheck disable=SC2046
  cc -Wall -Wextra -Werror "$src/examples/lua-embedded/loop_host.c" -o "$work/pc-loop-$lua" \
    $(pkg-config --cflags --libs "swng-lua$archive" "$pc") -Wl,--export-dynamic \
    || { echo "FAIL: pkg-config build of the $lua loop host"; exit 1; }
  loop_hosts=("$work/cm-$lua/swng-lua-loop-host" "$work/pc-loop-$lua")
  for host in "${hosts[@]}"; do
    needed=$(readelf -d "$host" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
    grep -q "^$lib" <<<"$needed" || { echo "FAIL: $host does not link $lib: $needed"; exit 1; }
    if grep -q -e swng -e 'liblua.*' <<<"$(grep -v "^$lib" <<<"$needed")"; then
      echo "FAIL: $host links another Lua or swng library: $needed"; exit 1
    fi
    out=$("$host" "$src/examples/lua-embedded/add_membership.lua" "$group" "$phone" 2>&1) \
      || { echo "$out"; echo "FAIL: $host ($lua) exited $?"; exit 1; }
    grep -q "($version, embedded)" <<<"$out" || { echo "$out"; echo "FAIL: $host is not $version"; exit 1; }
    grep -q "to number group $group as membership" <<<"$out" || { echo "$out"; echo "FAIL: $host ($lua)"; exit 1; }
    echo "ok   $lua: $(basename "$host"): $(tail -n1 <<<"$out")"
  done
  for host in "${loop_hosts[@]}"; do
    # Each of the next 50 memberships is answered after 1 s.
    curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' \
      --data '{"mode": "delay", "seconds": 1, "count": 50, "operation": "create_number_group_membership"}' \
      "$SWNG_TEST_BASE_URL/__space/faults" >/dev/null
    out=$("$host" --max-gap 50 "$src/examples/lua-embedded/tick_loop.lua" "$group" 50 2>&1) \
      || { echo "$out"; echo "FAIL: $host ($lua) exited $?"; exit 1; }
    grep -q "($version, embedded, own loop)" <<<"$out" || { echo "$out"; echo "FAIL: $host is not $version"; exit 1; }
    grep -q "^50 requests in flight at once; 50/50 memberships correct" <<<"$out" \
      || { echo "$out"; echo "FAIL: $host ($lua)"; exit 1; }
    echo "ok   $lua: $(basename "$host"): $(grep '^ticks' <<<"$out")"
  done
done
echo "embedded_hosts: ok"
