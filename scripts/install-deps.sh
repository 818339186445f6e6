#!/usr/bin/env bash
# Installs what swng needs to build and test on Debian 12, only what is missing.
# Safe to run repeatedly; needs root (or sudo) for apt-get.
set -euo pipefail

pkgs=(build-essential cmake ninja-build pkg-config swig
      libcurl4-openssl-dev libcjson-dev
      lua5.1 lua5.3 lua5.4 luajit liblua5.1-0-dev liblua5.3-dev liblua5.4-dev
      libluajit-5.1-dev lua-busted luarocks
      valgrind clang libclang-rt-14-dev python3 python3-dev python3-venv curl openssl
      # `pkg-config --static --libs swng` (a static link, tests/package)
      # lists libcurl's own dependencies; these provide their -l names.
      libnghttp2-dev librtmp-dev libssh2-1-dev libpsl-dev libkrb5-dev libldap-dev
      libzstd-dev libbrotli-dev libidn2-dev libssl-dev zlib1g-dev)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node/npm usually come with the image (NodeSource); Debian's npm conflicts with it.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
