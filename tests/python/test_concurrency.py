"""The GIL is released while a call waits for the network, so one Client
serves many threads at once."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, List

import swng
from spaceclient import Space

DELAY = 0.2
THREADS = 8


def test_threads_share_one_client(client: swng.Client, space: Space,
                                  fixture_data: Dict[str, Any]) -> None:
    group = fixture_data["number_groups"][1]["id"]
    numbers = [n["id"] for n in fixture_data["phone_numbers"] if n["name"].startswith("Pool")]
    space.fault("delay", count=THREADS, seconds=DELAY)
    results: List[Any] = [None] * THREADS
    start = threading.Barrier(THREADS + 1)

    def work(i: int) -> None:
        start.wait()
        try:
            results[i] = client.create_membership(group, numbers[i])
        except BaseException as e:
            results[i] = e

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join(30)
    elapsed = time.monotonic() - t0

    for i, r in enumerate(results):
        assert isinstance(r, swng.Membership), r
        assert r.phone_number.id == numbers[i]
    # Serialised calls would take THREADS * DELAY = 1.6 s.
    assert elapsed < THREADS * DELAY / 2, "8 calls took %.2f s" % elapsed
    journal = space.journal()
    assert len(journal) == THREADS
    assert all(r["fault"] == "delay" and r["status"] == 200 for r in journal)
    # Each call had its own connection: they really overlapped.
    assert len({r["connection_id"] for r in journal}) == THREADS


def test_python_runs_during_a_call(client: swng.Client, space: Space, group_id: str,
                                   phone_id: str) -> None:
    """Another Python thread keeps running while a call waits on the server."""
    space.fault("delay", seconds=0.5)
    done = threading.Event()
    ticks = 0

    def call() -> None:
        try:
            client.create_membership(group_id, phone_id)
        finally:
            done.set()

    t = threading.Thread(target=call)
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.01)
    t.join()
    assert ticks >= 20  # ~50 ticks of 10 ms in 0.5 s; a held GIL would give ~1


def test_sequential_calls_reuse_the_connection(client: swng.Client, space: Space,
                                               fixture_data: Dict[str, Any]) -> None:
    group = fixture_data["number_groups"][0]["id"]
    for n in fixture_data["phone_numbers"][:3]:
        client.create_membership(group, n["id"])
    assert len({r["connection_id"] for r in space.journal()}) == 1
