#!/usr/bin/env python3
"""Run a command against a fresh emulated SignalWire space.

    python3 with_space.py [--fixture F] [--fault SPEC ...] [--paging SPEC] [--allow-duplicates]
                          [--verbose] [--timeout S] -- CMD ARGS...
    eval "$(python3 with_space.py [options] --print-env)"

Starts space.py on a free loopback port, runs CMD with these variables added
to its environment:

    SWNG_TEST_BASE_URL    http://127.0.0.1:PORT
    SWNG_TEST_PROJECT_ID  project id from the fixture
    SWNG_TEST_TOKEN       API token from the fixture
    SWNG_TEST_FIXTURE     absolute path of the fixture
    SWNG_TEST_SPACE_PID   process id of the server

and the variables the library itself reads, so that swng programs (the
command, examples, a Python or Lua session) work against the space as is:

    SIGNALWIRE_PROJECT_ID     = SWNG_TEST_PROJECT_ID
    SIGNALWIRE_API_TOKEN      = SWNG_TEST_TOKEN
    SIGNALWIRE_REST_BASE_URL  = SWNG_TEST_BASE_URL
    SIGNALWIRE_REST_CA_FILE   = SWNG_TEST_CA_FILE (HTTPS space), else unset
    SIGNALWIRE_SPACE          unset

(--no-signalwire-env leaves the caller's SIGNALWIRE_* as they are).

--print-env starts the space in the background instead, prints the same
variables as shell `export` lines for eval, and exits; the space runs until
`kill "$SWNG_TEST_SPACE_PID"`.

then stops the server and exits with CMD's exit code (128+N if CMD died of
signal N; 125 if the space could not start; 127 if CMD could not be run).
The server is stopped however CMD ends, and exits by itself if this wrapper
is killed outright.
"""

import argparse
import os
import shlex
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing is written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spaceclient import SpaceError, start_space  # noqa: E402

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
SIGNALWIRE_VARS = ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "SIGNALWIRE_SPACE",
                   "SIGNALWIRE_REST_BASE_URL", "SIGNALWIRE_REST_CA_FILE")


def signalwire_env(test_env):
    """The SIGNALWIRE_* values for a space's SWNG_TEST_* ones (None: unset)."""
    return {"SIGNALWIRE_PROJECT_ID": test_env["SWNG_TEST_PROJECT_ID"],
            "SIGNALWIRE_API_TOKEN": test_env["SWNG_TEST_TOKEN"],
            "SIGNALWIRE_REST_BASE_URL": test_env["SWNG_TEST_BASE_URL"],
            "SIGNALWIRE_REST_CA_FILE": test_env.get("SWNG_TEST_CA_FILE"),
            "SIGNALWIRE_SPACE": None}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="with_space.py", usage="%(prog)s [options] -- CMD [ARGS...]",
        description="Run CMD against a fresh emulated SignalWire space.")
    parser.add_argument("--fixture", help="fixture JSON (default: fixture.json beside space.py)")
    parser.add_argument("--fault", action="append", default=[], metavar="SPEC",
                        help="JSON fault object active for the whole run; repeatable")
    parser.add_argument("--paging", metavar="SPEC",
                        help='JSON paging object for the whole run, e.g. \'{"mode":"cycle"}\'')
    parser.add_argument("--allow-duplicates", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="server logs requests to stderr")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate "
                        "(exported as SWNG_TEST_CA_FILE)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds to wait for the server to listen (default 10)")
    parser.add_argument("--no-signalwire-env", action="store_true",
                        help="do not set SIGNALWIRE_* for CMD (only SWNG_TEST_*)")
    parser.add_argument("--print-env", action="store_true",
                        help="start the space in the background, print `export` lines "
                        "for eval and exit (stop it: kill $SWNG_TEST_SPACE_PID)")
    if "--print-env" in argv and "--" not in argv:
        args = parser.parse_args(argv)
        return print_env(args)
    if "--" not in argv:
        parser.error("missing '-- CMD [ARGS...]'")
    split = argv.index("--")
    args, cmd = parser.parse_args(argv[:split]), argv[split + 1:]
    if args.print_env:
        parser.error("--print-env takes no command")
    if not cmd:
        parser.error("no command after '--'")

    # Signals are recorded and passed on to CMD (a terminal's Ctrl-C reaches
    # CMD directly as well; a second SIGINT is harmless). We keep running
    # until CMD is gone so that the server is always stopped afterwards.
    received = []
    child = None

    def on_signal(signum, _frame):
        received.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, on_signal)

    try:
        space = start_space(fixture=args.fixture, faults=args.fault, paging=args.paging,
                            allow_duplicates=args.allow_duplicates,
                            verbose=args.verbose, timeout=args.timeout,
                            stderr=None, tls_cert=args.tls_cert, tls_key=args.tls_key)
    except (SpaceError, OSError) as e:
        print("with_space.py: cannot start the space: %s" % e, file=sys.stderr)
        return 125

    try:
        if received:  # interrupted while the server was starting
            return 128 + received[0]
        env = dict(os.environ)
        env.update(space.env())
        if not args.no_signalwire_env:
            for name, value in signalwire_env(space.env()).items():
                if value is None:
                    env.pop(name, None)
                else:
                    env[name] = value
        try:
            child = subprocess.Popen(cmd, env=env)
        except OSError as e:
            print("with_space.py: cannot run %s: %s" % (cmd[0], e), file=sys.stderr)
            return 127
        if received and child.poll() is None:  # signal raced with Popen
            child.send_signal(received[0])
        returncode = child.wait()
    finally:
        space.stop()
    return 128 - returncode if returncode < 0 else returncode


def print_env(args):
    """--print-env: a space that outlives us, and its variables for eval."""
    try:
        space = start_space(fixture=args.fixture, faults=args.fault,
                            allow_duplicates=args.allow_duplicates,
                            verbose=False, timeout=args.timeout,
                            stderr=subprocess.DEVNULL, tls_cert=args.tls_cert,
                            tls_key=args.tls_key, watch_parent=False)
    except (SpaceError, OSError) as e:
        print("with_space.py: cannot start the space: %s" % e, file=sys.stderr)
        return 125
    values = dict(space.env())
    if not args.no_signalwire_env:
        values.update(signalwire_env(values))
    for name, value in sorted(values.items()):
        print("unset %s" % name if value is None
              else "export %s=%s" % (name, shlex.quote(value)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
