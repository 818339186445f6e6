#!/usr/bin/env bash
# The part of the demo that runs while the emulated space is up. with_space.py
# exports SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and
# SIGNALWIRE_REST_BASE_URL for it (and SWNG_TEST_*); a real user would set
# SIGNALWIRE_SPACE instead of SIGNALWIRE_REST_BASE_URL.
set -euo pipefail
cd "$(dirname "$0")/.."
fixture_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$SWNG_TEST_FIXTURE" "$1"; }
phone() { fixture_get "d['phone_numbers'][$1]['id']"; }
group=$(fixture_get 'd["number_groups"][0]["id"]')

echo "== emulated SignalWire space at $SWNG_TEST_BASE_URL, number group $group"
echo "== the swng command"
"$SWNG_DEMO_PREFIX/bin/swng" create-membership "$group" "$(phone 0)"
echo "== C: examples/c, built with pkg-config against the installed library"
"$SWNG_DEMO_BUILD/create_membership" "$group" "$(phone 1)"
echo "== Python: examples/python"
python3 examples/python/create_membership.py "$group" "$(phone 2)"
echo "== Lua 5.4: examples/lua"
lua5.4 examples/lua/add_membership.lua "$group" "$(phone 3)"
echo "== Lua embedded in a C host: examples/lua-embedded"
"$SWNG_DEMO_BUILD/lua-embedded/swng-lua-host" examples/lua-embedded/add_membership.lua "$group" "$(phone 4)"
echo "== the same number again: a validation error (exit status 5)"
set +e
"$SWNG_DEMO_PREFIX/bin/swng" create-membership "$group" "$(phone 0)" 2>&1
echo "exit status $?"
set -e
echo "== ... or, by name and E.164, without failing on numbers already there"
"$SWNG_DEMO_PREFIX/bin/swng" members add --group-name Sales +15551230001 --ignore-existing >/dev/null
echo "== what is in the group now (every page read)"
"$SWNG_DEMO_PREFIX/bin/swng" members list --group-name Sales -o table
echo "== take a number out again"
"$SWNG_DEMO_PREFIX/bin/swng" members remove --group-name Sales +15551230003
"$SWNG_DEMO_PREFIX/bin/swng" members list --group-name Sales -o table
