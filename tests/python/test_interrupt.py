"""Ctrl-C during a blocking call: the binding's interrupt function runs the
Python signal handlers while the core waits (with the GIL released), so
KeyboardInterrupt (or whatever a handler raises) comes out within the
core's 50 ms check interval, and the core cancels the call: nothing more is
sent, not even a due retry.

The stalled calls are reads (get_number_group): the space still answers a
delayed request after the client has gone, and a create would then change
the state a later test starts from.

Each case runs a real blocking call in a child process against the space,
sends the signal while the call waits, and measures the time from the
signal to the exception reaching Python code. The goal is 0.2 s; the
assertion allows 1 s for a loaded machine, and the figure is printed
(pytest -s, or -rA) for the report.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Dict, List, Tuple

import pytest

from spaceclient import Space

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interrupt_child.py")
LIMIT = 1.0  # seconds: the goal is 0.2 s; margin for a loaded CI machine
LATENCIES: Dict[str, float] = {}


def run_interrupted(space: Space, call: str, retries: int, handler: str = "default",
                    signum: int = signal.SIGINT, wait_requests: int = 1
                    ) -> Tuple[List[str], float, float]:
    """Starts the child, waits until the space has journaled wait_requests
    requests plus 0.3 s (the call is then waiting), sends signum. Returns
    the child's result line (split), the latency (signal -> exception) and
    the signal's time (time.time(), for the journal)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, CHILD, space.base_url, space.project_id, space.token, str(retries),
         call, handler], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while len(space.journal()) < wait_requests:
            assert time.monotonic() < deadline, "the call never reached the space"
            time.sleep(0.01)
        time.sleep(0.3)
        assert proc.poll() is None, "the call ended before the signal"
        sent_wall = time.time()
        sent = time.monotonic()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    words = out.split()
    assert words, err
    return words, float(words[-1]) - sent, sent_wall


def assert_nothing_sent_after(space: Space, signalled: float, settle: float) -> None:
    """Waits settle seconds (longer than any retry wait the call had), then
    checks that every request the space saw came before the signal."""
    time.sleep(settle)
    late = [r for r in space.journal() if r["time"] >= signalled]
    assert not late, "sent after the signal: %r" % [(r["method"], r["path"]) for r in late]


def report(name: str, latency: float) -> None:
    LATENCIES[name] = latency
    print("\nCtrl-C latency (%s): %.1f ms" % (name, latency * 1000))


def test_ctrl_c_during_a_stalled_transfer(space: Space) -> None:
    space.fault("delay", seconds=5)
    words, latency, signalled = run_interrupted(space, "get", retries=0)
    assert words[:2] == ["raised", "KeyboardInterrupt"], words
    report("stalled transfer", latency)
    assert latency < LIMIT
    assert len(space.journal()) == 1
    assert_nothing_sent_after(space, signalled, settle=0.5)


def test_ctrl_c_during_a_retry_wait(space: Space) -> None:
    # 503 with Retry-After: 2 and retries allowed (a GET is always retried):
    # the core waits 2 s, then would send again. Ctrl-C in the wait: no second request, ever.
    space.fault("status", status=503, retry_after="2")
    words, latency, signalled = run_interrupted(space, "get", retries=3)
    assert words[:2] == ["raised", "KeyboardInterrupt"], words
    report("retry wait", latency)
    assert latency < LIMIT
    assert_nothing_sent_after(space, signalled, settle=2.5)
    assert len(space.journal()) == 1


def test_ctrl_c_during_a_429_wait(space: Space) -> None:
    space.fault("status", status=429, retry_after="2")
    words, latency, signalled = run_interrupted(space, "get", retries=3)
    assert words[:2] == ["raised", "KeyboardInterrupt"], words
    report("429 wait", latency)
    assert latency < LIMIT
    assert_nothing_sent_after(space, signalled, settle=2.5)
    assert len(space.journal()) == 1


def test_ctrl_c_during_a_page_fetch(space: Space) -> None:
    """A list's page is fetched by the core inside next(): the same."""
    space.fault("delay", seconds=5)
    words, latency, signalled = run_interrupted(space, "list", retries=0)
    assert words[:2] == ["raised", "KeyboardInterrupt"], words
    report("page fetch", latency)
    assert latency < LIMIT
    assert_nothing_sent_after(space, signalled, settle=0.5)


def test_a_handler_s_own_exception_propagates(space: Space) -> None:
    """Not only KeyboardInterrupt: whatever a Python signal handler raises
    ends the call, as it would end pure-Python code."""
    space.fault("delay", seconds=5)
    words, latency, signalled = run_interrupted(space, "get", retries=0, handler="raise",
                                                signum=signal.SIGUSR1)
    assert words[:2] == ["raised", "RuntimeError"], words
    assert latency < LIMIT
    assert_nothing_sent_after(space, signalled, settle=0.5)


def test_a_handler_that_returns_does_not_cancel(space: Space) -> None:
    """A signal whose handler returns normally leaves the call running: it
    completes with the server's answer."""
    space.fault("delay", seconds=1)
    words, _, _ = run_interrupted(space, "create", retries=0, handler="quiet",
                                  signum=signal.SIGUSR1)
    assert words[0] == "returned", words
    assert len(space.memberships()) == 1


@pytest.fixture(scope="module", autouse=True)
def _summary() -> object:
    yield None
    if LATENCIES:
        print("\nCtrl-C latencies: " + ", ".join(
            "%s %.1f ms" % (k, v * 1000) for k, v in LATENCIES.items()))
