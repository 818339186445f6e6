#!/usr/bin/env bash
# The demo: installs what is missing, builds swng (library, command, Python
# and Lua modules) and installs it into _build/demo-prefix, then starts the
# emulated SignalWire space on loopback, adds phone numbers to a number group
# from the command, C, Python, Lua and an embedded Lua host, prints the
# results, and stops the space. Works offline once the apt packages are in.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/_build/demo
prefix=$root/_build/demo-prefix

./scripts/install-deps.sh
echo "== building and installing into $prefix"
cmake -S . -B "$build" -G Ninja -DBUILD_TESTING=OFF \
  -DSWNG_BUILD_PYTHON=ON -DSWNG_BUILD_LUA=ON -DSWNG_LUA_VERSIONS=5.4 \
  -DPython3_EXECUTABLE="$(command -v python3)" >/dev/null
cmake --build "$build" >/dev/null
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

# The C example and the embedded Lua host, built as users build them:
# against the installed library, through pkg-config and CMake.
libdir=$(dirname "$(find "$prefix" -name libswng.so | head -n1)")
cc -Wall examples/c/create_membership.c \
  $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs swng) \
  -Wl,-rpath,"$libdir" -o "$build/create_membership"
cmake -S examples/lua-embedded -B "$build/lua-embedded" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build/lua-embedded" >/dev/null

export SWNG_DEMO_PREFIX=$prefix SWNG_DEMO_BUILD=$build
export PYTHONPATH=$(dirname "$(find "$prefix" -path '*site-packages/swng' -type d | head -n1)")
export LUA_CPATH="$(dirname "$(find "$prefix" -path '*lua/5.4/swng.so' | head -n1)")/?.so;;"
exec python3 tests/space/with_space.py -- bash "$root/scripts/demo-steps.sh"
