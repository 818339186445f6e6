#!/usr/bin/env bash
# The demo: installs what is missing, builds and installs swng into
# _build/demo-prefix, starts the emulated SignalWire space on loopback, adds
# phone numbers to a number group with the swng command and the C example,
# prints the results, and stops the space.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/_build/demo
prefix=$root/_build/demo-prefix

./scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" >/dev/null
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name libswng.so | head -n1)")
cc -Wall examples/c/create_membership.c \
  $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs swng) \
  -Wl,-rpath,"$libdir" -o "$build/create_membership"

export SWNG_DEMO_BIN=$prefix/bin SWNG_DEMO_BUILD=$build
exec python3 tests/space/with_space.py -- bash "$root/scripts/demo-steps.sh"
