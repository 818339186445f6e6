"""Batches and sync from Python (Client.create_memberships, remove_numbers,
sync_memberships, AsyncClient's) and the "swng" logger's trace, against the
emulated space. The behaviour (ordering, duplicates, 429 pauses, the stop
after an authentication failure, bounded concurrency) is the core's: these
tests check that Python reports it faithfully, and what Python adds: the
outcomes as results or exception objects, progress, Ctrl-C with the partial
results, task cancellation, the logger."""

from __future__ import annotations

import asyncio
import threading
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import swng
from spaceclient import Space

SALES = "41148420-0549-49cf-924c-e4a320c8c1e9"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bulk_child.py")


def numbers(fixture: Dict[str, Any], n: int, start: int = 0) -> List[str]:
    return [str(p["id"]) for p in fixture["phone_numbers"][start:start + n]]


def members(space: Space, group: str = SALES) -> List[str]:
    return sorted(m["phone_number"]["id"] if isinstance(m.get("phone_number"), dict)
                  else m["phone_number_id"]
                  for m in space.memberships() if m["number_group_id"] == group)


def stats(space: Space) -> Dict[str, int]:
    return space.control("GET", "stats")  # type: ignore[no-any-return]


def new_client(space: Space, **kw: Any) -> swng.Client:
    return swng.Client(project_id=space.project_id, token=space.token,
                       base_url=space.base_url, timeout=10, **kw)


# ------------------------------------------------------------- outcomes

def test_outcomes_in_input_order_from_a_generator(client: swng.Client, space: Space,
                                                  fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 10)
    gen = (i for i in ids)  # an iterable that is not a list
    out = client.create_memberships(SALES, gen, concurrency=4)
    assert len(out) == 10
    for want, got in zip(ids, out):
        assert isinstance(got, swng.Membership), got
        assert got.phone_number.id == want
        assert got.number_group_id == SALES
    assert members(space) == sorted(ids)


def test_partial_failure_gives_exception_objects(client: swng.Client, space: Space,
                                                 fixture_data: Dict[str, Any]) -> None:
    a, b, c = numbers(fixture_data, 3)
    client.create_membership(SALES, b)
    out = client.create_memberships(SALES, [a, UNKNOWN, b, "not-a-uuid", c])
    assert isinstance(out[0], swng.Membership) and out[0].phone_number.id == a
    unknown = out[1]
    assert isinstance(unknown, swng.ValidationError)
    assert unknown.http_status == 422
    assert [e.code for e in unknown.errors] == ["phone_number_not_found"]
    assert unknown.request_id
    already = out[2]
    assert isinstance(already, swng.ValidationError)
    assert [e.code for e in already.errors] == ["already_member"]
    assert isinstance(out[3], swng.InvalidArgument) and out[3].http_status is None
    assert isinstance(out[4], swng.Membership) and out[4].phone_number.id == c
    # if_exists="return": the existing membership instead of its 422.
    again = client.create_memberships(SALES, [b, c], if_exists="return")
    assert all(isinstance(m, swng.Membership) and m.existed for m in again)
    assert members(space) == sorted([a, b, c])


def test_duplicates_are_skipped(client: swng.Client, space: Space,
                                fixture_data: Dict[str, Any]) -> None:
    a, b = numbers(fixture_data, 2)
    out = client.create_memberships(SALES, [a, b, a.upper(), b])
    assert isinstance(out[0], swng.Membership) and isinstance(out[1], swng.Membership)
    assert isinstance(out[2], swng.SkippedError) and isinstance(out[3], swng.SkippedError)
    assert out[2].code == "skipped"
    assert (out[2].duplicate_of, out[3].duplicate_of) == (0, 1)  # where each was sent
    posts = [r for r in space.journal() if r["method"] == "POST"]
    assert len(posts) == 2


def test_e164_numbers_are_looked_up_in_the_batch(client: swng.Client, space: Space,
                                                 fixture_data: Dict[str, Any]) -> None:
    main = fixture_data["phone_numbers"][0]
    out = client.create_memberships(SALES, [main["number"], "+19995550000", main["id"]],
                                    concurrency=1)
    assert isinstance(out[0], swng.Membership) and out[0].phone_number.id == main["id"]
    assert isinstance(out[1], swng.NotFoundError)
    assert isinstance(out[2], swng.SkippedError) and out[2].duplicate_of == 0
    assert members(space) == [main["id"]]
    assert client.remove_numbers(SALES, [main["number"]]) == [None]
    assert members(space) == []


def test_remove_numbers(client: swng.Client, space: Space,
                        fixture_data: Dict[str, Any]) -> None:
    a, b, c = numbers(fixture_data, 3)
    client.create_memberships(SALES, [a, b])
    out = client.remove_numbers(SALES, iter([b, c, a, b]))
    assert out[0] is None and out[2] is None
    assert isinstance(out[1], swng.NotFoundError)
    assert isinstance(out[3], swng.SkippedError)
    assert members(space) == []


def test_a_429_pauses_the_batch_and_all_succeed(client: swng.Client, space: Space,
                                                fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 6)
    space.fault("delay", seconds=0.05, count=2)
    space.fault("status", status=429, retry_after="1")
    t0 = time.monotonic()
    out = client.create_memberships(SALES, ids, concurrency=2)
    took = time.monotonic() - t0
    assert all(isinstance(m, swng.Membership) for m in out), out
    assert took >= 1.0
    assert members(space) == sorted(ids)
    assert [r["status"] for r in space.journal()].count(429) == 1


def test_an_auth_failure_stops_the_batch(client: swng.Client, space: Space,
                                         fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 6)
    space.fault("delay", seconds=0.01, count=2)
    space.fault("status", status=401)
    out = client.create_memberships(SALES, ids, concurrency=1)
    assert [type(o).__name__ for o in out] == [
        "Membership", "Membership", "AuthenticationError", "SkippedError", "SkippedError",
        "SkippedError"]
    assert [o.duplicate_of for o in out[3:]] == [None, None, None]  # not attempted: no duplicate
    assert len(space.journal()) == 3


def quiet(space: Space) -> None:
    """Waits until no request of an earlier test is being served (a delayed
    one whose client has gone), then resets the space's peak."""
    deadline = time.monotonic() + 15
    while stats(space)["in_flight"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    space.reset()


def test_bounded_concurrency(client: swng.Client, space: Space,
                             fixture_data: Dict[str, Any]) -> None:
    quiet(space)
    space.fault("delay", seconds=0.2, count=-1)
    out = client.create_memberships(SALES, numbers(fixture_data, 12), concurrency=3)
    assert all(isinstance(m, swng.Membership) for m in out)
    peak = stats(space)["peak_in_flight"]
    assert 2 <= peak <= 3, peak


def test_progress(client: swng.Client, fixture_data: Dict[str, Any]) -> None:
    calls: List[Tuple[int, int]] = []
    client.create_memberships(SALES, numbers(fixture_data, 5) + [UNKNOWN],
                              progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]


def test_an_exception_in_progress_cancels_the_batch(client: swng.Client, space: Space,
                                                    fixture_data: Dict[str, Any]) -> None:
    space.fault("delay", seconds=0.05, count=-1)
    ids = numbers(fixture_data, 8)

    def progress(done: int, total: int) -> None:
        if done == 2:
            raise ValueError("stop here")

    with pytest.raises(ValueError, match="stop here") as info:
        client.create_memberships(SALES, ids, concurrency=1, progress=progress)
    results = info.value.results  # type: ignore[attr-defined]
    assert len(results) == 8
    assert all(isinstance(r, swng.Membership) for r in results[:2])
    assert all(isinstance(r, swng.CancelledError) for r in results[3:])
    sent = len(space.journal())
    assert sent <= 3
    time.sleep(0.3)
    assert len(space.journal()) == sent
    # The client is usable afterwards.
    assert isinstance(client.create_memberships(SALES, ids[-1:])[0], swng.Membership)


def test_arguments_are_checked_before_sending(client: swng.Client, space: Space) -> None:
    with pytest.raises(TypeError):
        client.create_memberships(SALES, "not a list")
    with pytest.raises(TypeError):
        client.create_memberships(SALES, [UNKNOWN, 42])  # type: ignore[list-item]
    with pytest.raises(swng.InvalidArgument) as info:
        client.create_memberships(SALES, [UNKNOWN], concurrency=65)
    assert info.value.option == "concurrency"
    with pytest.raises(swng.InvalidArgument) as info:
        client.create_memberships("nope", [UNKNOWN])
    assert info.value.option == "number_group_id"
    with pytest.raises(swng.InvalidArgument):
        client.create_memberships(SALES + "\0", [UNKNOWN])
    assert space.journal() == []
    assert client.create_memberships(SALES, []) == []


# ------------------------------------------------------------------ Ctrl-C

def test_ctrl_c_stops_a_batch_with_partial_results(space: Space,
                                                   fixture_data: Dict[str, Any]) -> None:
    space.fault("delay", seconds=0.5, count=-1)
    ids = numbers(fixture_data, 20)
    proc = subprocess.Popen(
        [sys.executable, CHILD, space.base_url, space.project_id, space.token, SALES, "2"] + ids,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 10
        while len(space.journal()) < 4:  # two rounds of two
            assert time.monotonic() < deadline, "the batch never reached the space"
            time.sleep(0.01)
        time.sleep(0.2)
        assert proc.poll() is None
        signalled = time.time()
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    words = out.split()
    assert words[:2] == ["raised", "KeyboardInterrupt"], (out, err)
    latency = float(words[2]) - sent
    n, ok, cancelled = int(words[3]), int(words[4]), int(words[5])
    print("\nCtrl-C latency (batch): %.1f ms; %d done, %d cancelled" % (
        latency * 1000, ok, cancelled))
    assert latency < 1.0
    assert n == 20 and ok >= 2 and cancelled >= 10 and ok + cancelled == 20
    time.sleep(0.7)  # longer than a delayed request
    late = [r for r in space.journal() if r["time"] >= signalled]
    assert not late, late


# -------------------------------------------------------------------- sync

def test_sync_plans_applies_and_then_has_nothing_to_do(client: swng.Client, space: Space,
                                                      fixture_data: Dict[str, Any]) -> None:
    a, b, c, d = numbers(fixture_data, 4)
    client.create_memberships(SALES, [a, b])
    plan = client.sync_memberships(SALES, [b, c, d, c], dry_run=True)
    assert plan.dry_run and plan.to_add == [c, d] and plan.to_remove == [a] and plan.kept == 1
    assert plan.added == [] and plan.removed == []
    assert members(space) == sorted([a, b])  # a dry run changes nothing
    calls: List[Tuple[int, int]] = []
    done = client.sync_memberships(SALES, iter([b, c, d]),
                                   progress=lambda x, t: calls.append((x, t)))
    assert done.to_add == [c, d] and done.to_remove == [a]
    assert [m.phone_number.id for m in done.added] == [c, d]  # type: ignore[union-attr]
    assert done.removed == [None] and done.failures == []
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert members(space) == sorted([b, c, d])
    again = client.sync_memberships(SALES, [b, c, d])
    assert not again.changes and again.kept == 3 and again.added == [] and again.removed == []


def test_sync_refuses_a_bad_id_before_sending(client: swng.Client, space: Space) -> None:
    with pytest.raises(swng.InvalidArgument):
        client.sync_memberships(SALES, [UNKNOWN, "bad"])
    assert space.journal() == []


# ------------------------------------------------------------------- trace

def test_trace_logs_every_attempt_without_the_token(space: Space, caplog: pytest.LogCaptureFixture,
                                                    fixture_data: Dict[str, Any]) -> None:
    caplog.set_level(logging.DEBUG, logger="swng")
    space.fault("status", status=503, headers={"X-Request-Id": "echo-" + space.token})
    with new_client(space, max_retries=1, retry_base=0.01) as c:
        c.get_number_group(SALES)
        c.create_memberships(SALES, numbers(fixture_data, 2))
    records = [r for r in caplog.records if r.name == "swng"]
    assert len(records) == 4, [r.getMessage() for r in records]
    first = records[0]
    assert first.levelno == logging.DEBUG
    assert first.swng_method == "GET"  # type: ignore[attr-defined]
    assert first.swng_path == "/api/relay/rest/number_groups/" + SALES  # type: ignore[attr-defined]
    assert first.swng_http_status == 503 and first.swng_code == "server"  # type: ignore[attr-defined]
    assert first.swng_attempt == 0 and first.swng_seconds >= 0  # type: ignore[attr-defined]
    assert records[1].swng_attempt == 1 and records[1].swng_code == "ok"  # type: ignore[attr-defined]
    journal = space.journal()
    assert records[1].swng_request_id == journal[1]["request_id"]  # type: ignore[attr-defined]
    assert {r.swng_method for r in records[2:]} == {"POST"}  # type: ignore[attr-defined]
    text = caplog.text + "".join(repr(r.__dict__) for r in records)
    assert space.token not in text
    assert "GET /api/relay/rest/number_groups/%s -> 503 server" % SALES in records[0].getMessage()


def test_no_trace_when_debug_is_off(space: Space, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="swng")
    with new_client(space) as c:
        c.get_number_group(SALES)
    assert [r for r in caplog.records if r.name == "swng"] == []


# -------------------------------------------------------------- AsyncClient

def async_client(space: Space) -> swng.AsyncClient:
    return swng.AsyncClient(project_id=space.project_id, token=space.token,
                            base_url=space.base_url, timeout=10)


def test_async_batch_streams_in_order_with_progress(space: Space,
                                                    fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 40) + [UNKNOWN, numbers(fixture_data, 1)[0]]
    read: List[int] = []
    calls: List[Tuple[int, int, int, int]] = []  # done, total, ids read, thread

    def gen() -> Iterator[str]:
        for i, v in enumerate(ids):
            read.append(i)
            yield v

    async def main() -> List[Any]:
        async with async_client(space) as c:
            return await c.create_memberships(
                SALES, gen(), concurrency=2,
                progress=lambda d, t: calls.append((d, t, len(read), threading.get_ident())))

    quiet(space)
    space.fault("delay", seconds=0.02, count=-1)
    out = asyncio.run(main())
    assert [m.phone_number.id for m in out[:40]] == ids[:40]
    assert isinstance(out[40], swng.ValidationError)
    assert isinstance(out[41], swng.SkippedError)
    assert [c[0] for c in calls] == list(range(1, 43))
    assert calls[-1][1] == 42
    assert {c[3] for c in calls} == {threading.get_ident()}
    # Streamed: at the first outcome only a window of ids had been read.
    assert calls[0][2] <= 10, calls[0]
    assert stats(space)["peak_in_flight"] <= 2
    assert members(space) == sorted(ids[:40])


def test_async_remove_numbers(space: Space, fixture_data: Dict[str, Any]) -> None:
    a, b = numbers(fixture_data, 2)

    async def main() -> List[Any]:
        async with async_client(space) as c:
            await c.create_memberships(SALES, [a])
            return await c.remove_numbers(SALES, [a, b])

    out = asyncio.run(main())
    assert out[0] is None and isinstance(out[1], swng.NotFoundError)
    assert members(space) == []


def test_cancelling_the_task_cancels_the_batch(space: Space,
                                               fixture_data: Dict[str, Any]) -> None:
    space.fault("delay", seconds=0.3, count=-1)
    ids = numbers(fixture_data, 20)

    async def main() -> float:
        async with async_client(space) as c:
            task = asyncio.ensure_future(c.create_memberships(SALES, ids, concurrency=2))
            while len(space.journal()) < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            t = time.time()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            assert not c._batches  # freed
            # The outcomes of the ids read so far: none finished, all cancelled.
            results = info.value.results  # type: ignore[attr-defined]
            assert 2 <= len(results) <= 20
            assert all(isinstance(r, swng.CancelledError) for r in results), results
            await asyncio.sleep(0.5)  # the client's loop still runs: nothing more is sent
            return t

    cancelled_at = asyncio.run(main())
    late = [r for r in space.journal() if r["time"] >= cancelled_at]
    assert not late, late
    assert len(space.journal()) <= 4


def test_async_progress_exception_and_close(space: Space, fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 6)

    def progress(done: int, total: int) -> None:
        if done == 1:
            raise KeyError("enough")

    async def main() -> Any:
        async with async_client(space) as c:
            with pytest.raises(KeyError) as info:
                await c.create_memberships(SALES, ids, concurrency=1, progress=progress)
            return info.value

    space.fault("delay", seconds=0.05, count=-1)
    exc = asyncio.run(main())
    results = exc.results
    assert isinstance(results[0], swng.Membership)
    assert all(isinstance(r, swng.CancelledError) for r in results[2:])
    assert len(space.journal()) <= 2

    async def closing() -> List[Any]:
        c = async_client(space)
        task = asyncio.ensure_future(c.create_memberships(SALES, ids, concurrency=1))
        while not space.journal()[2:]:
            await asyncio.sleep(0.01)
        c.close()
        return await task

    space.reset()
    space.fault("delay", seconds=0.3, count=-1)
    out = asyncio.run(closing())
    # The ids read so far have outcomes (streamed: not all six were read).
    assert 3 <= len(out) <= 6 and isinstance(out[-1], swng.CancelledError)
    assert isinstance(out[0], swng.Membership)


# ---------------------------------------------------- AsyncClient: sync

def methods(space: Space) -> List[str]:
    return [r["method"] for r in space.journal()]


def test_async_sync_plans_applies_and_then_has_nothing_to_do(space: Space,
                                                            fixture_data: Dict[str, Any]) -> None:
    a, b, c, d = numbers(fixture_data, 4)
    calls: List[Tuple[int, int, int]] = []

    async def main() -> Tuple[swng.SyncResult, swng.SyncResult, swng.SyncResult]:
        async with async_client(space) as ac:
            await ac.create_memberships(SALES, [a, b])
            space.clear_journal()
            plan = await ac.sync_memberships(SALES, [b, c, d, c], dry_run=True)
            assert methods(space) == ["GET"]  # a dry run only reads the group
            assert members(space) == sorted([a, b])
            done = await ac.sync_memberships(
                SALES, iter([b, c, d]),
                progress=lambda x, t: calls.append((x, t, threading.get_ident())))
            again = await ac.sync_memberships(SALES, [b, c, d])
            return plan, done, again

    plan, done, again = asyncio.run(main())
    assert plan.dry_run and plan.to_add == [c, d] and plan.to_remove == [a] and plan.kept == 1
    assert plan.added == [] and plan.removed == []
    assert not done.dry_run and done.to_add == [c, d] and done.to_remove == [a]
    assert [m.phone_number.id for m in done.added] == [c, d]  # type: ignore[union-attr]
    assert done.removed == [None] and done.failures == []
    assert [x[:2] for x in calls] == [(1, 3), (2, 3), (3, 3)]
    assert {x[2] for x in calls} == {threading.get_ident()}  # on the event loop's thread
    assert members(space) == sorted([b, c, d])
    assert not again.changes and again.kept == 3 and again.added == [] and again.removed == []


def test_async_sync_gives_what_the_blocking_sync_gives(client: swng.Client, space: Space,
                                                       fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 6)

    def fresh() -> None:
        space.reset()
        client.create_memberships(SALES, ids[:3])
        space.clear_journal()

    def wire() -> List[Tuple[str, str]]:
        return sorted((r["method"], r["path"].rsplit("/", 1)[0]) for r in space.journal())

    async def run_async() -> swng.SyncResult:
        async with async_client(space) as ac:
            return await ac.sync_memberships(SALES, ids[2:] + [ids[4]], concurrency=3)

    fresh()
    blocking = client.sync_memberships(SALES, ids[2:] + [ids[4]], concurrency=3)
    sent, after = wire(), members(space)
    fresh()
    got = asyncio.run(run_async())
    assert wire() == sent and members(space) == after == sorted(ids[2:])
    # (to_remove is in the group's list order: memberships made anew for
    # each run, so compared as sets.)
    assert (got.to_add, sorted(got.to_remove), got.kept) == (
        blocking.to_add, sorted(blocking.to_remove), blocking.kept)
    assert [m.phone_number.id for m in got.added] == [  # type: ignore[union-attr]
        m.phone_number.id for m in blocking.added]  # type: ignore[union-attr]
    assert got.removed == blocking.removed == [None, None]


def test_async_sync_refuses_before_sending(space: Space) -> None:
    async def main() -> None:
        async with async_client(space) as ac:
            with pytest.raises(swng.InvalidArgument) as info:
                await ac.sync_memberships(SALES, [UNKNOWN, "bad"])
            assert "ids[1]" in info.value.message
            with pytest.raises(swng.InvalidArgument):
                await ac.sync_memberships("not-a-group", [UNKNOWN])
            with pytest.raises(swng.InvalidArgument):
                await ac.sync_memberships(SALES + "\0", [UNKNOWN])
            with pytest.raises(TypeError):
                await ac.sync_memberships(SALES, [UNKNOWN, 7])  # type: ignore[list-item]
            with pytest.raises(TypeError):
                await ac.sync_memberships(SALES, [UNKNOWN], dry_run=1)  # type: ignore[arg-type]
            assert space.journal() == []
            # The plan's read fails as the blocking one does.
            with pytest.raises(swng.NotFoundError):
                await ac.sync_memberships(UNKNOWN, [UNKNOWN])
            # A concurrency out of range is the core's to refuse, after the
            # read and before any change, with the plan as .results.
            with pytest.raises(swng.InvalidArgument) as bad:
                await ac.sync_memberships(SALES, [UNKNOWN], concurrency=65)
            assert bad.value.results.to_add == [UNKNOWN]  # type: ignore[attr-defined]
            assert methods(space) == ["GET", "GET"]
            assert not ac._pending and not ac._batches

    asyncio.run(main())


def test_cancelling_the_task_cancels_the_sync(space: Space, fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 20)
    remove = numbers(fixture_data, 3, 20)

    async def main() -> Tuple[BaseException, float, Any]:
        async with async_client(space) as c:
            await c.create_memberships(SALES, remove)
            space.fault("delay", seconds=0.3, count=-1)
            space.clear_journal()
            task = asyncio.ensure_future(c.sync_memberships(SALES, ids, concurrency=2))
            while methods(space).count("POST") < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            t = time.time()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            assert not c._batches and not c._pending  # freed
            await asyncio.sleep(0.5)  # the client's loop still runs: nothing more is sent
            space.clear_faults()
            group = await c.get_number_group(SALES)  # and it is still usable
            return info.value, t, group

    quiet(space)
    exc, cancelled_at, group = asyncio.run(main())
    assert group.id == SALES
    late = [r for r in space.journal() if r["time"] >= cancelled_at and r["method"] != "GET"]
    assert not late, late
    result = exc.results  # type: ignore[attr-defined]
    assert isinstance(result, swng.SyncResult)
    assert result.to_add == ids and len(result.to_remove) == 3 and not result.dry_run
    assert len(result.added) == 20 and len(result.removed) == 3
    done = [r for r in result.added if isinstance(r, swng.Membership)]
    assert 0 <= len(done) <= 4
    assert all(isinstance(r, swng.CancelledError) for r in result.added[len(done):])
    assert all(isinstance(r, swng.CancelledError) for r in result.removed)
    # Nothing was removed; the adds in flight at the cancel may have been
    # done by the server (their answers were not awaited), no others.
    now = set(members(space))
    assert set(remove) | {m.phone_number.id for m in done} <= now
    assert now <= set(remove) | set(ids[:len(done) + 2])


def test_cancelling_the_sync_during_its_read(space: Space, fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 3)

    async def main() -> Tuple[BaseException, float]:
        async with async_client(space) as c:
            space.fault("delay", seconds=0.5, count=1)
            task = asyncio.ensure_future(c.sync_memberships(SALES, ids))
            while not space.journal():
                await asyncio.sleep(0.01)
            t = time.time()
            task.cancel()
            with pytest.raises(asyncio.CancelledError) as info:
                await task
            assert not c._batches and not c._pending
            await asyncio.sleep(0.6)
            assert (await c.sync_memberships(SALES, ids, dry_run=True)).to_add == ids
            return info.value, t

    quiet(space)
    exc, t = asyncio.run(main())
    assert getattr(exc, "results", None) is None
    assert methods(space) == ["GET", "GET"] and members(space) == []


def test_async_sync_progress_exception_and_close(space: Space,
                                                 fixture_data: Dict[str, Any]) -> None:
    ids = numbers(fixture_data, 6)

    def progress(done: int, total: int) -> None:
        if done == 1:
            raise KeyError("enough")

    async def main() -> BaseException:
        async with async_client(space) as c:
            with pytest.raises(KeyError) as info:
                await c.sync_memberships(SALES, ids, concurrency=1, progress=progress)
            assert not c._batches
            return info.value

    quiet(space)
    space.fault("delay", seconds=0.05, count=-1)
    exc = asyncio.run(main())
    result = exc.results  # type: ignore[attr-defined]
    assert isinstance(result.added[0], swng.Membership)
    assert all(isinstance(r, swng.CancelledError) for r in result.added[2:])
    assert methods(space).count("POST") <= 2

    async def closing() -> swng.SyncResult:
        c = async_client(space)
        task = asyncio.ensure_future(c.sync_memberships(SALES, ids, concurrency=1))
        while methods(space).count("POST") < 2:
            await asyncio.sleep(0.01)
        c.close()
        return await task

    space.reset()
    space.fault("delay", seconds=0.3, count=-1)
    out = asyncio.run(closing())
    assert len(out.added) == 6 and isinstance(out.added[0], swng.Membership)
    assert isinstance(out.added[-1], swng.CancelledError)
