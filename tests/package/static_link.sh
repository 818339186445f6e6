#!/usr/bin/env bash
# static_link.sh BUILD SRC: the C example linked with libswng.a, as a user
# would, run against the emulated space (under with_space.py):
#  1. CMake: a full install, find_package(swng COMPONENTS static) and
#     swng::swng_static (examples/cmake -DSWNG_EXAMPLE_STATIC=ON);
#  2. pkg-config: a static-only install (components devel + static), then
#     `pkg-config --static --cflags --libs swng`.
# Each program must not need libswng.so at run time (no NEEDED entry, and
# run with no path to one).
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$SWNG_TEST_FIXTURE" "$1"; }
group=$(field 'd["number_groups"][0]["id"]')
export SIGNALWIRE_PROJECT_ID=$SWNG_TEST_PROJECT_ID SIGNALWIRE_API_TOKEN=$SWNG_TEST_TOKEN
export SIGNALWIRE_REST_BASE_URL=$SWNG_TEST_BASE_URL
unset SIGNALWIRE_SPACE SIGNALWIRE_REST_CA_FILE LD_LIBRARY_PATH

check_static() {  # PROGRAM PHONE_INDEX
  if readelf -d "$1" | grep -q 'NEEDED.*libswng'; then fail "$1 needs libswng.so"; fi
  readelf -d "$1" | grep -q 'NEEDED.*libcurl' || fail "$1 does not link libcurl"
  out=$("$1" "$group" "$(field "d['phone_numbers'][$2]['id']")") || fail "$1 exited $?"
  grep -q "group    $group" <<<"$out" || fail "$1 output: $out"
  echo "ok   $1"
}

# 1. CMake, full install (libswng.so and libswng.a side by side)
full=$work/full
cmake --install "$build" --prefix "$full" >/dev/null
[ -n "$(find "$full" -name libswng.a)" ] || fail "libswng.a not installed"
cmake -S "$src/examples/cmake" -B "$work/cm" -DCMAKE_PREFIX_PATH="$full" \
  -DSWNG_EXAMPLE_STATIC=ON >"$work/log" 2>&1 && cmake --build "$work/cm" >>"$work/log" 2>&1 \
  || { cat "$work/log"; fail "CMake static build"; }
rm -rf "$full"   # nothing of the install is needed any more
check_static "$work/cm/create_membership" 3

# 2. pkg-config, static-only install
only=$work/static
cmake --install "$build" --prefix "$only" --component devel >/dev/null
cmake --install "$build" --prefix "$only" --component static >/dev/null
[ -z "$(find "$only" -name 'libswng.so*')" ] || fail "libswng.so in the static-only install"
libdir=$(dirname "$(find "$only" -name libswng.a)")
export PKG_CONFIG_PATH=$libdir/pkgconfig
libs=$(pkg-config --static --libs swng)
for want in -lswng -lcurl -lcjson -pthread; do
  grep -qw -- "$want" <<<"$libs" || fail "pkg-config --static --libs swng lacks $want: $libs"
done
# shellcheck disable=SC2046
cc -Wall -Werror "$src/examples/c/create_membership.c" $(pkg-config --static --cflags --libs swng) \
  -o "$work/example_static" || fail "pkg-config static build"
rm -rf "$only"
check_static "$work/example_static" 4
echo "static_link: ok"
