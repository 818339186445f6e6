#!/usr/bin/env bash
# compile_old_curl.sh CURL_DIR VERSION CC FLAGS... -- SOURCES...
# Compiles (-fsyntax-only) every core source against the public headers of
# an older libcurl (CURL_DIR/include, put ahead of the system include path),
# so any use of a libcurl API newer than VERSION is a compile error. Fails,
# never skips, when CURL_DIR is missing.
set -euo pipefail
dir=$1 version=$2 cc=$3
shift 3
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
shift
[ $# -gt 0 ] || { echo "FAIL: no sources given"; exit 1; }
if [ ! -f "$dir/include/curl/curl.h" ]; then
  echo "FAIL: $dir/include/curl/curl.h not found: the libcurl $version headers are expected"
  echo "      in shared/compat beside the checkout (or set SWNG_CURL_COMPAT_DIR)"
  exit 1
fi
# The headers really are the ones compiled against.
seen=$(printf '#include <curl/curl.h>\nLIBCURL_VERSION_MAJOR.LIBCURL_VERSION_MINOR.LIBCURL_VERSION_PATCH\n' \
       | "$cc" -E -P -I"$dir/include" - | tail -n1 | tr -d ' ')
[ "$seen" = "$version" ] || { echo "FAIL: compiled against libcurl $seen, not $version"; exit 1; }

rc=0
for src in "$@"; do
  if "$cc" -fsyntax-only -std=c99 -Werror=implicit-function-declaration \
       -I"$dir/include" "${flags[@]}" "$src"; then
    echo "ok   $src (libcurl $version headers)"
  else
    echo "FAIL $src does not compile against libcurl $version"
    rc=1
  fi
done
exit $rc
