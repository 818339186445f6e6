#!/usr/bin/env bash
# wheel_test.sh SRC WORK GROUP PHONE_NUMBER - runs under with_space.py.
# The self-contained wheel, as a user without compilers or cJSON gets it:
#  1. scripts/wheel.sh builds it in a mount namespace where the system's
#     SWIG (apt's swig4.0) is hidden, so SWIG comes from PyPI as a build
#     requirement; the wheel must be tagged manylinux and carry libcjson
#     and libcurl in swng.libs/.
#  2. In a second mount namespace where libcjson, libcurl and the C
#     compilers are hidden (/dev/null bind-mounted over them; a control
#     checks they really cannot be loaded/run), the wheel is installed into
#     a fresh venv with `pip install --no-index` and the example adds a
#     number to a group in the emulated space. The test also checks that
#     the libcjson and libcurl the process mapped are the wheel's own.
# Needs root or unprivileged user namespaces (unshare); fails otherwise.
set -euo pipefail
src=$1 work=$2 group=$3 phone=$4
fail() { echo "FAIL: $*"; exit 1; }
hide() {  # bind /dev/null over each existing file (the real file of a symlink)
  local f
  for f in "$@"; do
    [ -e "$f" ] || continue
    mount --bind /dev/null "$(readlink -f "$f")" || fail "cannot hide $f"
  done
}

case ${SWNG_WHEEL_PHASE:-} in
build)
  hide /usr/bin/swig* /usr/local/bin/swig*
  if swig4.0 -version >/dev/null 2>&1 || /usr/bin/swig -version >/dev/null 2>&1; then
    fail "control: the system swig still runs"
  fi
  SWNG_WHEEL_DIR=$work/dist SWNG_WHEEL_TOOLS=$work/tools SWNG_WHEEL_BUILD_DIR=$work/cmake-build \
    "$src/scripts/wheel.sh"
  exit 0 ;;
run)
  mapfile -t libs < <(ldconfig -p | awk '/(libcjson|libcurl)[^ ]*\.so/ {print $NF}')
  [ ${#libs[@]} -ge 2 ] || fail "test setup: no system libcjson/libcurl found by ldconfig"
  hide "${libs[@]}"
  for c in cc gcc c99 clang tcc; do
    p=$(command -v "$c" || true)
    [ -z "$p" ] || hide "$p"
  done
  hide /usr/bin/x86_64-linux-gnu-gcc* /usr/bin/gcc-[0-9]* /usr/bin/clang-[0-9]*
  # Controls: the hiding really works.
  if python3 -c 'import ctypes; ctypes.CDLL("libcjson.so.1")' 2>/dev/null; then
    fail "control: the system libcjson still loads"
  fi
  if python3 -c 'import ctypes; ctypes.CDLL("libcurl.so.4")' 2>/dev/null; then
    fail "control: the system libcurl still loads"
  fi
  if cc --version >/dev/null 2>&1 || gcc --version >/dev/null 2>&1; then
    fail "control: a C compiler still runs"
  fi
  wheel=$(ls "$work"/dist/swng-*.whl)
  rm -rf "$work/venv"
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install -q --no-index --no-deps --disable-pip-version-check "$wheel"
  cd "$work"
  out=$(SIGNALWIRE_PROJECT_ID=$SWNG_TEST_PROJECT_ID SIGNALWIRE_API_TOKEN=$SWNG_TEST_TOKEN \
        SIGNALWIRE_REST_BASE_URL=$SWNG_TEST_BASE_URL SIGNALWIRE_SPACE= PYTHONNOUSERSITE=1 \
        PYTHONPATH= "$work/venv/bin/python" "$src/examples/python/create_membership.py" \
        "$group" "$phone" 2>&1) || { echo "$out"; fail "the example failed"; }
  echo "$out"
  grep -q "number group  $group" <<<"$out" || fail "no membership in the output"
  "$work/venv/bin/python" - "$work/venv" <<'PY' || fail "swng did not load the wheel's libraries"
import os, sys
import swng
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(swng.__file__).startswith(venv), swng.__file__
maps = set(l.split()[-1] for l in open("/proc/self/maps") if "/" in l)
for lib in ("libcjson", "libcurl"):
    mine = [m for m in maps if os.path.basename(m).startswith(lib + "-")]
    assert mine and all("/swng.libs/" in m for m in mine), (lib, sorted(maps))
    assert not [m for m in maps if os.path.basename(m).startswith(lib + ".so")], (lib, sorted(maps))
print("swng %s loaded %s" % (swng.__version__,
      ", ".join(sorted(os.path.basename(m) for m in maps if "/swng.libs/" in m))))
PY
  exit 0 ;;
esac

if [ "$(id -u)" -eq 0 ]; then ns=(unshare --mount --propagation private)
else ns=(unshare --map-root-user --mount --propagation private); fi
rm -rf "$work/dist"
mkdir -p "$work"
start=$(date +%s)
SWNG_WHEEL_PHASE=build "${ns[@]}" "$0" "$@" || fail "building the wheel"
echo "== wheel built in $(( $(date +%s) - start )) s"
wheel=$(ls "$work"/dist/swng-*.whl) || fail "no wheel in $work/dist"
case $(basename "$wheel") in *manylinux*) ;; *) fail "not a manylinux wheel: $wheel" ;; esac
listing=$(python3 -m zipfile -l "$wheel")
for lib in libcjson libcurl; do
  grep -q "swng.libs/$lib-" <<<"$listing" || fail "$lib is not bundled in $wheel"
done
grep -q "swng-.*dist-info/.*LICENSE" <<<"$listing" || fail "no LICENSE in $wheel"
SWNG_WHEEL_PHASE=run "${ns[@]}" "$0" "$@" || fail "installing and using the wheel"
echo "wheel_test: ok ($(basename "$wheel"))"
