#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds the C example the way
# a user would (pkg-config, and find_package(swng)) and runs it against the
# emulated space (this script runs under with_space.py).
set -euo pipefail
build=$1 src=$2
cc=${CC:-cc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(find "$prefix" -name 'libswng.so' -printf '%h\n' | head -n1)
[ -n "$libdir" ] || { echo "FAIL: libswng.so not installed"; exit 1; }
[ -f "$prefix/include/swng.h" ] || { echo "FAIL: swng.h not installed"; exit 1; }

# The soname is libswng.so.<SOVERSION>, and the .so is a link chain to it.
soname=$(objdump -p "$libdir/libswng.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libswng.so.0" ] || { echo "FAIL: soname is '$soname'"; exit 1; }
[ -L "$libdir/libswng.so" ] && [ -e "$libdir/$soname" ] || { echo "FAIL: soname links"; exit 1; }

export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion swng)" = "$(sed -n 's/^#define SWNG_VERSION "\(.*\)"/\1/p' "$prefix/include/swng.h")" ] \
  || { echo "FAIL: pkg-config version differs from the header"; exit 1; }
# shellcheck disable=SC2046
"$cc" -Wall -Werror "$src/examples/c/create_membership.c" $(pkg-config --cflags --libs swng) \
  -Wl,-rpath,"$libdir" -o "$work/example_pc"
# shellcheck disable=SC2046
"$cc" -Wall -Werror "$src/examples/c/group_tasks.c" $(pkg-config --cflags --libs swng) \
  -Wl,-rpath,"$libdir" -o "$work/group_tasks"
# shellcheck disable=SC2046
"$cc" -Wall -Werror "$src/examples/c/poll_loop.c" $(pkg-config --cflags --libs swng) \
  -Wl,-rpath,"$libdir" -o "$work/poll_loop"

cmake -S "$src/examples/cmake" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cm" >/dev/null

fixture=$SWNG_TEST_FIXTURE
group=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["number_groups"][0]["id"])' "$fixture")
phone=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phone_numbers"][0]["id"])' "$fixture")
phone2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["phone_numbers"][2]["id"])' "$fixture")
export SIGNALWIRE_PROJECT_ID=$SWNG_TEST_PROJECT_ID SIGNALWIRE_API_TOKEN=$SWNG_TEST_TOKEN
export SIGNALWIRE_REST_BASE_URL=$SWNG_TEST_BASE_URL

# The README's tasks, as written there (examples/c/group_tasks.c).
out=$("$work/group_tasks" Sales +15551230001)
echo "$out"
want=$(printf '%s\n' "+15551230001 already there: yes" "in Sales: +15551230001 (Main line)" \
  "removed +15551230001 from Sales")
[ "$out" = "$want" ] || { echo "FAIL: group_tasks output"; exit 1; }

out=$("$work/example_pc" "$group" "$phone")
echo "$out"
grep -q "group    $group" <<<"$out" || { echo "FAIL: pkg-config example output"; exit 1; }
out=$(LD_LIBRARY_PATH=$libdir "$work/cm/create_membership" "$group" "$phone2")
grep -q "group    $group" <<<"$out" || { echo "FAIL: find_package example output"; exit 1; }
# Adding the same number again is a validation error: exit 1 and a message.
if "$work/example_pc" "$group" "$phone" 2>"$work/err"; then echo "FAIL: duplicate accepted"; exit 1; fi
grep -q "validation" "$work/err" || { echo "FAIL: duplicate error: $(cat "$work/err")"; exit 1; }
# The non-blocking API in a poll() loop (examples/c/poll_loop.c): Sales now
# holds the first and third numbers.
out=$("$work/poll_loop" Sales +15551230001 +41445550002 | LC_ALL=C sort)
echo "$out"
want=$(printf '%s\n' "+15551230001 was already there" "+41445550002 added" "group Sales" \
  "in Sales: +15551230001 (Main line)" "in Sales: +15551230003 (Spare)" \
  "in Sales: +41445550002 (Zürich Büro ☎)" | LC_ALL=C sort)
[ "$out" = "$want" ] || { echo "FAIL: poll_loop output"; exit 1; }
echo "install_and_use: ok"
