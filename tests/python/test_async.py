"""swng.AsyncClient against the emulated space: every operation gives what
the blocking Client gives (results, exceptions, the requests on the wire),
requests run concurrently on the running event loop with no threads, task
cancellation ends a transfer at once with nothing more sent, lists page as
async iterators, and `async with` closes everything."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import pytest

import swng
from spaceclient import Space

SALES = "41148420-0549-49cf-924c-e4a320c8c1e9"
SUPPORT = "b179e269-2584-4943-9632-557e345ffb17"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def options(space: Space, kw: Dict[str, Any]) -> Dict[str, Any]:
    return dict({"project_id": space.project_id, "token": space.token,
                 "base_url": space.base_url, "timeout": 10}, **kw)


def async_client(space: Space, **kw: Any) -> swng.AsyncClient:
    return swng.AsyncClient(**options(space, kw))


def blocking_client(space: Space, **kw: Any) -> swng.Client:
    return swng.Client(**options(space, kw))


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def tasks() -> int:
    """The process's OS threads (Python's and any native ones)."""
    return len(os.listdir("/proc/self/task"))


# ------------------------------------------------ the same as the blocking client

Call = Callable[..., Awaitable[Any]]
ListCall = Callable[..., Awaitable[List[Any]]]


def shape(value: Any) -> Any:
    """A result with what differs between two runs left out (created ids,
    timestamps, request ids)."""
    if isinstance(value, list):
        return [shape(v) for v in value]
    if value is None:
        return None
    d = value.to_dict()
    for k in ("id", "created_at", "updated_at"):
        d.pop(k, None)
    if d.get("number_group_id") not in (SALES, SUPPORT, None):
        d["number_group_id"] = "created"
    if isinstance(d.get("phone_number"), dict):
        d["phone_number"] = dict(d["phone_number"])
    extra: Dict[str, Any] = {"http_status": value.http_status}
    if isinstance(value, swng.Membership):
        extra["existed"] = value.existed
    return (type(value).__name__, d, extra)


async def script(call: Call, listing: ListCall, fixture: Dict[str, Any]) -> List[Any]:
    """Every operation once, in an order that makes each meaningful."""
    phones = fixture["phone_numbers"]
    out: List[Any] = []
    out.append(await call("find_number_group", "Sales"))
    out.append(await call("get_number_group", SALES))
    out.append(await listing("list_number_groups"))
    out.append(await listing("list_number_groups", name="Sal", page_size=1))
    g = await call("create_number_group", "Async test", sticky_sender=True)
    out.append(g)
    out.append(await call("update_number_group", g.id, "Async renamed"))
    out.append(await call("update_number_group", g.id, "Async renamed 2", sticky_sender=False))
    m = await call("create_membership", g.id, phones[0]["id"])
    out.append(m)
    out.append(await call("create_membership", g.id, phones[0]["id"], if_exists="return"))
    out.append(await call("get_membership", m.id))
    m2 = await call("create_membership", g.id, phones[1]["id"])
    out.append(await listing("list_memberships", g.id))
    out.append(await listing("list_memberships", g.id, page_size=1))
    out.append(await call("remove_number", g.id, phones[0]["id"]))
    out.append(await call("delete_membership", m2.id))
    out.append(await listing("list_memberships", g.id))
    out.append(await call("delete_number_group", g.id))
    out.append(await call("get_phone_number", phones[2]["id"]))
    out.append(await call("find_phone_number", phones[3]["number"]))
    out.append(await listing("list_phone_numbers", page_size=20))
    out.append(await listing("list_phone_numbers", number="555", name="Pool", page_size=7))
    return out


def wire(space: Space) -> List[Tuple[str, Optional[str], str, Optional[int]]]:
    return [(r["method"], r["operation"], r["body"], r["status"]) for r in space.journal()]


def test_every_operation_matches_the_blocking_client(space: Space,
                                                     fixture_data: Dict[str, Any]) -> None:
    with blocking_client(space) as c:
        async def call(op: str, *a: Any, **k: Any) -> Any:
            return getattr(c, op)(*a, **k)

        async def listing(op: str, *a: Any, **k: Any) -> List[Any]:
            return list(getattr(c, op)(*a, **k))

        expected = run(script(call, listing, fixture_data))
    expected_wire = wire(space)
    space.reset()

    async def main() -> List[Any]:
        async with async_client(space) as ac:
            async def call(op: str, *a: Any, **k: Any) -> Any:
                return await getattr(ac, op)(*a, **k)

            async def listing(op: str, *a: Any, **k: Any) -> List[Any]:
                return [x async for x in getattr(ac, op)(*a, **k)]

            return await script(call, listing, fixture_data)

    got = run(main())
    assert [shape(x) for x in got] == [shape(x) for x in expected]
    assert [type(x) for x in got] == [type(x) for x in expected]
    # The same requests went out, in the same order, with the same bodies.
    assert wire(space) == expected_wire
    assert len(expected_wire) > 20
    # Read-only results are equal, field for field (the request ids aside).
    for a, b in zip(got[:4], expected[:4]):
        if isinstance(a, list):
            assert [x.to_dict() for x in a] == [x.to_dict() for x in b]
        else:
            assert a.to_dict() == b.to_dict()


# A failure case: a fault to queue (or None), client options, and the call.
ERROR_CASES: Dict[str, Tuple[Optional[Dict[str, Any]], Dict[str, Any], str, Tuple[Any, ...],
                             Dict[str, Any]]] = {
    "invalid_id": (None, {}, "get_number_group", ("not-a-uuid",), {}),
    "invalid_e164": (None, {}, "find_phone_number", ("12345",), {}),
    "invalid_if_exists": (None, {}, "create_membership", (SALES, SALES), {"if_exists": "maybe"}),
    "not_found": (None, {}, "get_number_group", (UNKNOWN,), {}),
    "not_found_member": (None, {}, "remove_number", (SALES, UNKNOWN), {}),
    "auth": (None, {"token": "wrong"}, "get_number_group", (SALES,), {}),
    "validation": (None, {}, "create_number_group", ("",), {}),
    "rate_limit": ({"mode": "status", "status": 429, "retry_after": "7"}, {},
                   "get_number_group", (SALES,), {}),
    "server": ({"mode": "status", "status": 503}, {}, "get_number_group", (SALES,), {}),
    "protocol": ({"mode": "malformed"}, {}, "get_number_group", (SALES,), {}),
    "transport": ({"mode": "close", "count": 3}, {}, "get_number_group", (SALES,), {}),
    "timeout": ({"mode": "delay", "seconds": 2}, {"timeout": 0.3}, "get_number_group",
                (SALES,), {}),
    "ambiguous": (None, {}, "find_number_group", ("Twin",), {}),
    "type": (None, {}, "get_number_group", (42,), {}),
    "type_flag": (None, {}, "create_number_group", ("x",), {"sticky_sender": "yes"}),
}


def error_of(space: Space, case: str, make: Callable[..., Any], is_async: bool) -> BaseException:
    fault, opts, name, args, kwargs = ERROR_CASES[case]
    space.reset()
    if case == "ambiguous":
        with blocking_client(space) as c:
            c.create_number_group("Twin")
            c.create_number_group("Twin")
    if fault:
        space.fault(**fault)
    client = make(space, **opts)
    try:
        if is_async:
            async def go() -> None:
                async with client:
                    await getattr(client, name)(*args, **kwargs)
            run(go())
        else:
            with client:
                getattr(client, name)(*args, **kwargs)
    except BaseException as e:  # noqa: B036 - the exception is the result
        return e
    raise AssertionError("no exception")


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_are_the_blocking_client_s(space: Space, case: str) -> None:
    expected = error_of(space, case, blocking_client, False)
    expected_wire = wire(space)
    got = error_of(space, case, async_client, True)
    assert type(got) is type(expected)
    # (a timeout's message gives the milliseconds libcurl measured)
    assert re.sub(r"\d+ milliseconds", "N ms", str(got)) == \
        re.sub(r"\d+ milliseconds", "N ms", str(expected))
    if isinstance(expected, swng.Error):
        assert isinstance(got, swng.Error)
        assert (got.code, got.http_status, got.errors, got.retry_after, got.option) == (
            expected.code, expected.http_status, expected.errors, expected.retry_after,
            expected.option)
    assert wire(space) == expected_wire


def test_list_error_during_iteration(space: Space) -> None:
    """A page that fails raises from the async iteration, as from the
    blocking one, after the items already fetched."""
    async def main() -> Tuple[int, BaseException]:
        n = 0
        async with async_client(space) as ac:
            try:
                async for _ in ac.list_phone_numbers(page_size=10):
                    n += 1
                    if n == 10:
                        space.fault("status", status=500)
            except swng.Error as e:
                return n, e
        raise AssertionError("no error")

    n, e = run(main())
    assert n == 10 and isinstance(e, swng.ServerError) and e.http_status == 500


def test_bad_list_arguments_raise_at_once(space: Space) -> None:
    async def main() -> None:
        async with async_client(space) as ac:
            with pytest.raises(swng.InvalidArgument):
                ac.list_number_groups(page_size=5000)
            with pytest.raises(swng.InvalidArgument):
                ac.list_memberships("nope")
            with pytest.raises(TypeError):
                ac.list_phone_numbers(number=5)  # type: ignore[arg-type]
    run(main())
    assert space.journal() == []


# ------------------------------------------------------------- concurrency

def test_gather_runs_requests_concurrently_without_threads(
        space: Space, fixture_data: Dict[str, Any]) -> None:
    numbers = [n["id"] for n in fixture_data["phone_numbers"]][:20]
    delay = 0.4
    space.fault("delay", count=len(numbers), seconds=delay)
    py_threads, os_threads = threading.active_count(), tasks()
    seen: List[int] = []

    async def watch() -> None:
        while True:
            seen.append(tasks())
            await asyncio.sleep(0.02)

    async def main() -> Tuple[List[Any], float]:
        async with async_client(space) as ac:
            w = asyncio.ensure_future(watch())
            t0 = time.monotonic()
            results = await asyncio.gather(*[ac.create_membership(SUPPORT, n) for n in numbers])
            elapsed = time.monotonic() - t0
            w.cancel()
            return results, elapsed

    results, elapsed = run(main())
    assert [r.phone_number.id for r in results] == numbers
    assert all(type(r) is swng.Membership and r.number_group_id == SUPPORT for r in results)
    # One after the other they would take 20 * 0.4 = 8 s.
    assert elapsed < len(numbers) * delay / 4, "20 requests took %.2f s" % elapsed
    journal = space.journal()
    assert len(journal) == len(numbers) and all(r["status"] == 200 for r in journal)
    assert len({r["connection_id"] for r in journal}) >= 16  # really in flight together
    assert threading.active_count() == py_threads
    assert seen and max(seen) == os_threads and tasks() == os_threads


def test_the_event_loop_runs_during_a_request(space: Space, group_id: str,
                                              phone_id: str) -> None:
    space.fault("delay", seconds=0.5)

    async def main() -> int:
        ticks = 0
        async with async_client(space) as ac:
            call = asyncio.ensure_future(ac.create_membership(group_id, phone_id))
            while not call.done():
                ticks += 1
                await asyncio.sleep(0.01)
            await call
        return ticks

    assert run(main()) >= 20  # ~50 ticks of 10 ms in 0.5 s; a blocked loop gives 1


def test_retries_are_timed_by_the_event_loop(space: Space, group_id: str) -> None:
    """A retry wait is a timer of the core (swng_loop_timeout) that the event
    loop keeps: the retry goes out after Retry-After, as in Client."""
    space.fault("status", status=503, retry_after="1")

    async def main() -> Any:
        async with async_client(space, max_retries=2) as ac:
            return await asyncio.wait_for(ac.get_number_group(group_id), 10)

    assert run(main()).id == group_id
    first, second = space.journal()
    assert first["status"] == 503 and second["status"] == 200
    assert 0.9 <= second["time"] - first["time"] < 3


def test_the_event_loop_runs_during_a_page_fetch(space: Space) -> None:
    space.fault("delay", seconds=0.5)

    async def main() -> int:
        ticks = 0
        async with async_client(space) as ac:
            async def first() -> Any:
                async for x in ac.list_phone_numbers():
                    return x
            call = asyncio.ensure_future(first())
            while not call.done():
                ticks += 1
                await asyncio.sleep(0.01)
            assert isinstance(await call, swng.PhoneNumber)
        return ticks

    assert run(main()) >= 20


# ------------------------------------------------------------- cancellation
# The cancelled calls are reads: the space still answers a delayed request
# after the client has gone, and a create would then change the state a
# later test starts from.

def sockets() -> int:
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            n += os.readlink("/proc/self/fd/" + fd).startswith("socket:")
        except OSError:
            pass
    return n


async def wait_journal(space: Space, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(space.journal()) < n:
        assert time.monotonic() < deadline, "the request never reached the space"
        await asyncio.sleep(0.01)


def test_cancelling_the_task_ends_the_transfer(space: Space, group_id: str,
                                               phone_id: str) -> None:
    space.fault("delay", seconds=3)

    async def main() -> Tuple[float, float, Any]:
        async with async_client(space) as ac:
            task = asyncio.ensure_future(ac.get_number_group(group_id))
            await wait_journal(space, 1)
            await asyncio.sleep(0.1)
            signalled = time.time()
            open_before = sockets()
            t0 = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            latency = time.monotonic() - t0
            # The transfer was abandoned: its connection is closed now, not
            # when the server answers.
            assert sockets() == open_before - 1
            # The client goes on working.
            after = await ac.get_number_group(group_id)
            return latency, signalled, after

    latency, signalled, after = run(main())
    print("\ntask cancel latency: %.1f ms" % (latency * 1000))
    assert latency < 0.5
    assert isinstance(after, swng.NumberGroup)
    journal = space.journal()
    assert [r["operation"] for r in journal] == ["retrieve_number_group"] * 2
    assert journal[1]["connection_id"] != journal[0]["connection_id"]  # the first was dropped


def test_cancelling_during_a_retry_wait_sends_nothing_more(space: Space, group_id: str,
                                                           phone_id: str) -> None:
    space.fault("status", status=503, retry_after="1")

    async def main() -> float:
        async with async_client(space, max_retries=3) as ac:
            task = asyncio.ensure_future(ac.get_number_group(group_id))
            await wait_journal(space, 1)
            t0 = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            latency = time.monotonic() - t0
            await asyncio.sleep(1.5)  # past the retry that would have been sent
            return latency

    assert run(main()) < 0.5
    assert len(space.journal()) == 1


def test_wait_for_timeout_cancels_the_request(space: Space, group_id: str,
                                              phone_id: str) -> None:
    space.fault("delay", seconds=3)

    async def main() -> float:
        async with async_client(space) as ac:
            t0 = time.monotonic()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ac.get_number_group(group_id), 0.3)
            return time.monotonic() - t0

    assert run(main()) < 1.0
    assert len(space.journal()) == 1


def test_cancelling_one_of_many_leaves_the_others(space: Space,
                                                  fixture_data: Dict[str, Any]) -> None:
    numbers = [n["id"] for n in fixture_data["phone_numbers"]][:4]
    space.fault("delay", count=4, seconds=0.5)

    async def main() -> List[Any]:
        async with async_client(space) as ac:
            ts = [asyncio.ensure_future(ac.get_phone_number(n)) for n in numbers]
            await wait_journal(space, 4)
            ts[1].cancel()
            return await asyncio.gather(*ts, return_exceptions=True)

    results = run(main())
    assert isinstance(results[1], asyncio.CancelledError)
    assert [r.id for i, r in enumerate(results) if i != 1] == \
        [n for i, n in enumerate(numbers) if i != 1]


def test_cancelling_a_page_fetch(space: Space) -> None:
    space.fault("delay", seconds=3)

    async def main() -> float:
        async with async_client(space) as ac:
            async def first() -> Any:
                async for x in ac.list_phone_numbers():
                    return x
                return None
            task = asyncio.ensure_future(first())
            await wait_journal(space, 1)
            t0 = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - t0

    assert run(main()) < 0.5
    time.sleep(0.3)
    assert len(space.journal()) == 1


# ---------------------------------------------------------------- paging

def test_async_iteration_over_many_pages(space: Space, fixture_data: Dict[str, Any]) -> None:
    with blocking_client(space) as c:
        expected = [p.to_dict() for p in c.list_phone_numbers(page_size=10)]
    space.reset()

    async def main() -> List[Any]:
        async with async_client(space) as ac:
            it = ac.list_phone_numbers(page_size=10)
            assert space.journal() == []  # lazy: nothing sent before iterating
            return [p async for p in it]

    got = run(main())
    assert len(got) == len(fixture_data["phone_numbers"]) == 67
    assert all(type(p) is swng.PhoneNumber for p in got)
    assert [p.to_dict() for p in got] == expected
    journal = space.journal()
    assert len(journal) == 7  # 67 items, 10 a page
    assert all(r["operation"] == "list_phone_numbers" for r in journal)


def test_endless_empty_pages_end_as_in_the_blocking_client(space: Space) -> None:
    space.paging("endless_empty", operation="list_number_groups")
    with blocking_client(space) as c:
        with pytest.raises(swng.Error) as expected:
            list(c.list_number_groups(page_size=1))
    n = len(space.journal())

    async def main() -> BaseException:
        async with async_client(space) as ac:
            try:
                [g async for g in ac.list_number_groups(page_size=1)]
            except swng.Error as e:
                return e
        raise AssertionError("no error")

    space.clear_journal()
    got = run(main())
    assert type(got) is type(expected.value) and str(got) == str(expected.value)
    assert len(space.journal()) == n


def test_pages_fetched_concurrently(space: Space) -> None:
    """Two lists paged at once on one client."""
    async def main() -> Tuple[List[Any], List[Any]]:
        async with async_client(space) as ac:
            async def all_of(it: Any) -> List[Any]:
                return [x async for x in it]
            a, b = await asyncio.gather(all_of(ac.list_phone_numbers(page_size=5)),
                                        all_of(ac.list_number_groups(page_size=1)))
            return a, b

    a, b = run(main())
    assert len(a) == 67 and len(b) == 2


# ---------------------------------------------------------------- closing

def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_async_with_closes_everything(space: Space, group_id: str) -> None:
    before = fds()

    async def main() -> Tuple[swng.AsyncClient, int]:
        async with async_client(space) as ac:
            await ac.get_number_group(group_id)
            during = fds()
        assert ac.closed
        with pytest.raises(swng.ClosedError):
            await ac.get_number_group(group_id)
        with pytest.raises(swng.ClosedError):
            ac.list_number_groups()
        ac.close()  # idempotent
        return ac, during

    ac, during = run(main())
    assert during > before  # the loop's descriptors and a connection
    assert fds() == before
    assert "closed" in repr(ac)


def test_closing_cancels_requests_in_flight(space: Space, group_id: str,
                                            phone_id: str) -> None:
    space.fault("delay", seconds=3)

    async def main() -> Tuple[BaseException, float]:
        ac = async_client(space)
        task = asyncio.ensure_future(ac.get_number_group(group_id))
        await wait_journal(space, 1)
        t0 = time.monotonic()
        await ac.aclose()
        try:
            await asyncio.wait_for(task, 5)
        except BaseException as e:  # noqa: B036
            return e, time.monotonic() - t0
        raise AssertionError("no error")

    e, latency = run(main())
    assert isinstance(e, swng.CancelledError) and e.code == "cancelled"
    assert latency < 0.5
    assert len(space.journal()) == 1


def test_one_client_in_two_event_loops(space: Space, group_id: str) -> None:
    ac = async_client(space)
    try:
        assert run(ac.get_number_group(group_id)).id == group_id
        assert run(ac.get_number_group(group_id)).id == group_id
    finally:
        ac.close()
    assert len(space.journal()) == 2


def test_needs_a_running_loop(space: Space, group_id: str) -> None:
    ac = async_client(space)
    coro = ac.get_number_group(group_id)
    with pytest.raises(RuntimeError):
        coro.send(None)
    coro.close()
    ac.close()
    assert space.journal() == []


def test_configuration_as_the_blocking_client(space: Space) -> None:
    with pytest.raises(swng.InvalidArgument) as e:
        swng.AsyncClient(project_id="p", token="t", base_url="http://example.com")
    with pytest.raises(swng.InvalidArgument) as f:
        swng.Client(project_id="p", token="t", base_url="http://example.com")
    assert str(e.value) == str(f.value)
    with pytest.raises(TypeError):
        swng.AsyncClient(token=5)  # type: ignore[arg-type]
    ac = async_client(space)
    assert ac.base_url == space.base_url and ac.project_id == space.project_id
    assert space.token not in repr(ac)
    ac.close()
