#!/usr/bin/env bash
# missing_deps.sh SRC CC: the configure step reports every missing build
# dependency at once, each with its Debian and Fedora package.
#  1. Nothing findable (every find_* rerooted to an empty directory): all of
#     pkg-config, libcurl, cJSON, SWIG, the Python and the Lua headers are
#     listed in one error, with one apt-get and one dnf line.
#  2. Only libcjson.pc hidden from pkg-config: exactly that one is reported
#     (the others are really found).
set -euo pipefail
src=$1 cc=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; echo "---- configure output:"; cat "$work/out"; exit 1; }
ninja=$(command -v ninja)

configure() {
  rm -rf "$work/b"
  if cmake -S "$src" -B "$work/b" -G Ninja -DCMAKE_MAKE_PROGRAM="$ninja" \
       -DCMAKE_C_COMPILER="$cc" -DBUILD_TESTING=OFF \
       -DSWNG_BUILD_PYTHON=ON -DSWNG_BUILD_LUA=ON -DSWNG_LUA_VERSIONS='5.1;5.3;5.4' \
       "$@" >"$work/out" 2>&1; then
    fail "configure succeeded with $*"
  fi
}
expect() { grep -qF -- "$1" "$work/out" || fail "no '$1' in the report"; }

# 1. everything missing
configure -DCMAKE_FIND_ROOT_PATH="$work/empty" \
  -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY \
  -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY
expect "swng: missing build dependencies (8):"
for what in "- pkg-config" "- libcurl >= 7.76" "- cJSON" "- SWIG >= 4.0" "- Python >= 3.9 headers" \
            "- Lua 5.1 headers" "- Lua 5.3 headers" "- Lua 5.4 headers"; do
  expect "$what"
done
expect "sudo apt-get install pkg-config libcurl4-openssl-dev libcjson-dev swig python3-dev liblua5.1-0-dev liblua5.3-dev liblua5.4-dev"
expect "sudo dnf install pkgconf-pkg-config libcurl-devel cjson-devel swig python3-devel lua5.1-devel compat-lua-devel lua-devel"

# 2. only cJSON missing: pkg-config sees every .pc file but libcjson.pc
mkdir -p "$work/pc"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
  [ -d "$d" ] || continue
  for f in "$d"/*.pc; do
    [ -e "$f" ] && [ "$(basename "$f")" != libcjson.pc ] && ln -sf "$f" "$work/pc/"
  done
done
[ -e "$work/pc/libcurl.pc" ] || { echo "FAIL: test setup: no libcurl.pc"; exit 1; }
PKG_CONFIG_LIBDIR=$work/pc PKG_CONFIG_PATH= configure
expect "swng: missing build dependencies (1):"
expect "- cJSON"
expect "Debian/Ubuntu: libcjson-dev"
expect "Fedora/RHEL:   cjson-devel"
if grep -q -e "- libcurl" -e "- SWIG" -e "- Lua" -e "- Python" "$work/out"; then
  fail "a dependency that is there was reported missing"
fi
echo "missing_deps: ok"
