#!/bin/sh
# check_module.sh MODULE.so - the shared Lua module exports luaopen_swng and
# nothing else, and does not link liblua (the host provides the Lua API).
set -e
so=$1
exports=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort)
if [ "$exports" != "luaopen_swng" ]; then
  echo "FAIL: $so exports more than luaopen_swng:"; echo "$exports"; exit 1
fi
if readelf -d "$so" | grep NEEDED | grep -i 'lua'; then
  echo "FAIL: $so links a Lua library"; exit 1
fi
undef_swng=$(nm -D --undefined-only "$so" | awk '{ print $2 }' | grep '^swng_' || true)
if [ -n "$undef_swng" ]; then
  echo "FAIL: $so needs libswng at run time (core not linked in):"; echo "$undef_swng"; exit 1
fi
echo "ok: $so exports only luaopen_swng, links no liblua, contains the core"
