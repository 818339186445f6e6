"""Run by test_bulk.py in a child process: one blocking batch against the
space (which delays every request), with SIGINT expected while it runs.

    bulk_child.py BASE_URL PROJECT TOKEN GROUP CONCURRENCY ID...

Prints "ready", then one line:
"raised NAME MONOTONIC N OK CANCELLED" (N outcomes in exc.results, OK of
them Memberships, CANCELLED of them swng.CancelledError) or "returned
MONOTONIC".
"""

import sys
import time

import swng


def main() -> None:
    base_url, project, token, group, concurrency = sys.argv[1:6]
    ids = sys.argv[6:]
    client = swng.Client(project_id=project, token=token, base_url=base_url, timeout=30)
    print("ready", flush=True)
    try:
        client.create_memberships(group, ids, concurrency=int(concurrency))
    except BaseException as e:
        now = time.monotonic()
        results = getattr(e, "results", None) or []
        ok = sum(isinstance(r, swng.Membership) for r in results)
        cancelled = sum(isinstance(r, swng.CancelledError) for r in results)
        print("raised %s %.6f %d %d %d" % (type(e).__name__, now, len(results), ok, cancelled),
              flush=True)
    else:
        print("returned %.6f" % time.monotonic(), flush=True)


if __name__ == "__main__":
    main()
