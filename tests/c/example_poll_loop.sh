#!/usr/bin/env bash
# examples/c/poll_loop.c against the space (run under with_space.py, which
# exports SIGNALWIRE_*): two numbers added at once, the group listed; run
# again, both are already there; a bad number is refused before sending.
set -euo pipefail
# "$@": the program, possibly behind valgrind and its options.
sorted() { "$@" | LC_ALL=C sort; }

out=$(sorted "$@" Sales +15551230001 +41445550002)
want=$(LC_ALL=C sort <<'W'
group Sales
+15551230001 added
+41445550002 added
in Sales: +15551230001 (Main line)
in Sales: +41445550002 (Zürich Büro ☎)
W
)
[ "$out" = "$want" ] || { printf 'FAIL: first run:\n%s\nwanted:\n%s\n' "$out" "$want"; exit 1; }

out=$(sorted "$@" Sales +15551230001 +41445550002)
want=${want//added/was already there}
[ "$out" = "$want" ] || { printf 'FAIL: second run:\n%s\nwanted:\n%s\n' "$out" "$want"; exit 1; }

# Refused at start: exit 1, the argument named.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if "$@" Sales 15551230001 >/dev/null 2>"$err"; then echo "FAIL: bad number accepted"; exit 1; fi
grep -q "e164.*invalid_argument" "$err" || { echo "FAIL: error: $(cat "$err")"; exit 1; }
echo "example_poll_loop: ok"
