"""Run by test_interrupt.py in a child process: one blocking call against
the space, with a signal expected while it waits.

    interrupt_child.py BASE_URL PROJECT TOKEN MAX_RETRIES CALL HANDLER

CALL: create (create_membership), get (get_number_group) or list
(list_phone_numbers, first item).
HANDLER: default (Python's KeyboardInterrupt), raise (a SIGUSR1 handler
that raises RuntimeError) or quiet (a SIGUSR1 handler that returns).
Prints "ready", then one line: "raised NAME MONOTONIC" or "returned
MONOTONIC" or "error NAME MONOTONIC".
"""

import signal
import sys
import time

import swng


def main() -> None:
    base_url, project, token, retries, call, handler = sys.argv[1:7]
    if handler == "raise":
        def on_usr1(signum: int, frame: object) -> None:
            raise RuntimeError("from the handler")
        signal.signal(signal.SIGUSR1, on_usr1)
    elif handler == "quiet":
        signal.signal(signal.SIGUSR1, lambda signum, frame: None)
    client = swng.Client(project_id=project, token=token, base_url=base_url, timeout=30,
                         max_retries=int(retries))
    print("ready", flush=True)
    try:
        if call == "create":
            client.create_membership("41148420-0549-49cf-924c-e4a320c8c1e9",
                                     "ead2f00b-5111-4a4e-9c61-05ecf273d1f7")
        elif call == "get":
            client.get_number_group("41148420-0549-49cf-924c-e4a320c8c1e9")
        else:
            next(iter(client.list_phone_numbers()))
    except swng.Error as e:
        print("error %s %.6f" % (type(e).__name__, time.monotonic()), flush=True)
    except BaseException as e:
        print("raised %s %.6f" % (type(e).__name__, time.monotonic()), flush=True)
    else:
        print("returned %.6f" % time.monotonic(), flush=True)


if __name__ == "__main__":
    main()
