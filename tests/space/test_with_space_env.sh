#!/usr/bin/env bash
# with_space.py gives the command the SIGNALWIRE_* variables the library
# reads (and drops a SIGNALWIRE_SPACE of the caller), keeps them out with
# --no-signalwire-env, and --print-env prints them for eval while the space
# keeps running. SWNG_CLI: the swng command, used as a real client.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=$1
fail() { echo "FAIL: $*"; exit 1; }
group=41148420-0549-49cf-924c-e4a320c8c1e9 phone=ead2f00b-5111-4a4e-9c61-05ecf273d1f7

out=$(SIGNALWIRE_SPACE=elsewhere SIGNALWIRE_API_TOKEN=stale python3 "$here/with_space.py" -- sh -c '
  [ "$SIGNALWIRE_PROJECT_ID" = "$SWNG_TEST_PROJECT_ID" ] || exit 11
  [ "$SIGNALWIRE_API_TOKEN" = "$SWNG_TEST_TOKEN" ] || exit 12
  [ "$SIGNALWIRE_REST_BASE_URL" = "$SWNG_TEST_BASE_URL" ] || exit 13
  [ -z "${SIGNALWIRE_SPACE+set}" ] || exit 14
  exec "$0" create-membership "$1" "$2"' "$cli" "$group" $phone) || fail "with_space.py env (status $?)"
grep -q "\"number_group_id\": \"$group\"" <<<"$out" || fail "swng create-membership: $out"

SIGNALWIRE_API_TOKEN=mine python3 "$here/with_space.py" --no-signalwire-env -- sh -c '
  [ "$SIGNALWIRE_API_TOKEN" = mine ] && [ -z "${SIGNALWIRE_PROJECT_ID+set}" ]' \
  || fail "--no-signalwire-env changed SIGNALWIRE_*"

unset SIGNALWIRE_PROJECT_ID SIGNALWIRE_API_TOKEN SIGNALWIRE_REST_BASE_URL SWNG_TEST_SPACE_PID
eval "$(SIGNALWIRE_SPACE=elsewhere python3 "$here/with_space.py" --print-env)"
trap 'kill "$SWNG_TEST_SPACE_PID" 2>/dev/null || true' EXIT
[ -n "${SWNG_TEST_SPACE_PID:-}" ] && [ "$SIGNALWIRE_REST_BASE_URL" = "$SWNG_TEST_BASE_URL" ] \
  || fail "--print-env printed no usable variables"
out=$("$cli" create-membership "$group" "$phone") || fail "swng against the --print-env space"
grep -q "\"number_group_id\": \"$group\"" <<<"$out" || fail "swng create-membership: $out"
kill "$SWNG_TEST_SPACE_PID"
echo "with_space env: ok"
