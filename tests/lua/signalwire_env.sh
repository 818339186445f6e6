#!/bin/sh
# signalwire_env.sh CMD ARGS... - runs CMD with the emulated space's address
# and credentials (SWNG_TEST_*, from with_space.py) in the variables a user
# sets (SIGNALWIRE_*), so that examples run exactly as users run them.
set -e
SIGNALWIRE_PROJECT_ID=$SWNG_TEST_PROJECT_ID
SIGNALWIRE_API_TOKEN=$SWNG_TEST_TOKEN
SIGNALWIRE_REST_BASE_URL=$SWNG_TEST_BASE_URL
export SIGNALWIRE_PROJECT_ID SIGNALWIRE_API_TOKEN SIGNALWIRE_REST_BASE_URL
unset SIGNALWIRE_SPACE SIGNALWIRE_REST_CA_FILE
exec "$@"
