#!/usr/bin/env bash
# The part of the demo that runs while the emulated space is up
# (with_space.py exports SWNG_TEST_*; a real user sets SIGNALWIRE_SPACE).
set -euo pipefail
fixture_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$SWNG_TEST_FIXTURE" "$1"; }
group=$(fixture_get 'd["number_groups"][0]["id"]')
export SIGNALWIRE_PROJECT_ID=$SWNG_TEST_PROJECT_ID
export SIGNALWIRE_API_TOKEN=$SWNG_TEST_TOKEN
export SIGNALWIRE_REST_BASE_URL=$SWNG_TEST_BASE_URL

echo "== emulated SignalWire space at $SWNG_TEST_BASE_URL"
echo "== swng create-membership (the command)"
"$SWNG_DEMO_BIN/swng" create-membership "$group" "$(fixture_get 'd["phone_numbers"][0]["id"]')"
echo "== examples/c (built with pkg-config against the installed library)"
"$SWNG_DEMO_BUILD/create_membership" "$group" "$(fixture_get 'd["phone_numbers"][1]["id"]')"
echo "== the same number again: a validation error, exit status 5"
set +e
"$SWNG_DEMO_BIN/swng" create-membership "$group" "$(fixture_get 'd["phone_numbers"][0]["id"]')" 2>&1
echo "exit status $?"
set -e
