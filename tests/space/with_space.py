#!/usr/bin/env python3
"""Run a command against a fresh emulated SignalWire space.

    python3 with_space.py [--fixture F] [--fault SPEC ...] [--paging SPEC] [--allow-duplicates]
                          [--verbose] [--timeout S] -- CMD ARGS...

Starts space.py on a free loopback port, runs CMD with these variables added
to its environment:

    SWNG_TEST_BASE_URL    http://127.0.0.1:PORT
    SWNG_TEST_PROJECT_ID  project id from the fixture
    SWNG_TEST_TOKEN       API token from the fixture
    SWNG_TEST_FIXTURE     absolute path of the fixture
    SWNG_TEST_SPACE_PID   process id of the server

then stops the server and exits with CMD's exit code (128+N if CMD died of
signal N; 125 if the space could not start; 127 if CMD could not be run).
The server is stopped however CMD ends, and exits by itself if this wrapper
is killed outright.
"""

import argparse
import os
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # nothing is written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spaceclient import SpaceError, start_space  # noqa: E402

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


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
    if "--" not in argv:
        parser.error("missing '-- CMD [ARGS...]'")
    split = argv.index("--")
    args, cmd = parser.parse_args(argv[:split]), argv[split + 1:]
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


if __name__ == "__main__":
    sys.exit(main())
