#!/usr/bin/env bash
# Runs every test: installs what is missing, builds everything (core, CLI,
# Python and Lua modules, sanitizer and fuzz variants) and runs ctest, which
# starts the emulated space and Prism itself. The ctest summary closes the run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${SWNG_BUILD_DIR:-$root/_build}

./scripts/install-deps.sh
if [ -f tests/contract/package-lock.json ] && [ ! -x tests/contract/node_modules/.bin/prism ]; then
  (cd tests/contract && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPython3_EXECUTABLE="$(command -v python3)" \
  -DSWNG_BUILD_PYTHON=ON -DSWNG_PYTHON_TESTS=ON \
  -DSWNG_BUILD_LUA=ON \
  -DSWNG_CONTRACT_TESTS=ON \
  -DSWNG_FUZZ=ON >/dev/null
cmake --build "$build"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
