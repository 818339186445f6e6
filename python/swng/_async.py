"""swng.AsyncClient: the operations of swng.Client as coroutines, on the
running asyncio event loop, with no threads.

The C core does the work exactly as for the blocking Client (the same
requests, retries, validation, results and errors): this module only
drives the core's non-blocking engine (a swng_loop: libcurl's multi
interface behind one epoll descriptor) from asyncio. It watches the loop's
descriptor with loop.add_reader, wakes after the core's swng_loop_timeout
with loop.call_at, and on either calls the core's step, which hands back
every request that finished, already converted into the same result objects
and exceptions as the blocking calls; each resolves the future of its
request (by the core's request id).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import (Any, AsyncIterator, Dict, Iterable, List, Mapping, Optional, Tuple, Type,
                    Union)

from . import _errors
from . import swng_core as _core
from ._client import (_Configured, Id, Membership, NumberGroup, PathArg, PhoneNumber, Progress,
                      SyncResult, _attach, _batch_ids, _concurrency, _flag, _group, _id,
                      _if_exists, _new_handle, _opt_str, _page_size, _progress, _secret, _str,
                      _type_error)

__all__ = ["AsyncClient"]

_OK = _core.SWNG_OK
_TRUE, _FALSE = b"true", b"false"


class _Batch:
    """A batch of the core on the AsyncClient's loop, and what its
    coroutine is waiting for."""

    __slots__ = ("batch", "progress", "results", "pushed", "done", "error", "wake", "peer")

    def __init__(self, batch: Any, progress: Optional[Progress]) -> None:
        self.batch: Any = batch  # None once freed (close())
        self.progress = progress
        self.results: Dict[int, Any] = {}
        self.pushed = 0
        self.done = 0
        self.error: Optional[BaseException] = None
        self.wake: Optional["asyncio.Future[None]"] = None
        #: a sync's other batch, cancelled with this one when progress raises
        self.peer: Optional["_Batch"] = None

    def outcomes(self, why: str) -> List[Any]:
        """One outcome per item pushed, in input order; an item with none
        (its batch freed first) is a CancelledError saying why."""
        return [self.results[i] if i in self.results
                else _errors.binding_error(_core.SWNG_ECANCELLED, why)
                for i in range(self.pushed)]

    def take(self) -> None:
        """The outcomes the core kept, then progress (on the event loop's
        thread); an exception from progress cancels the batch."""
        got = _core.batch_take(self.batch)
        if not got:
            return
        for index, status, obj in got:
            self.results[index] = obj if status == _OK else _errors.from_core(status, obj)
            self.done += 1
            if self.progress is not None and self.error is None:
                try:
                    self.progress(self.done, self.pushed)
                except BaseException as e:  # noqa: B036 (it is re-raised by the coroutine)
                    self.error = e
                    _core.swng_batch_cancel(self.batch)
                    peer = self.peer
                    if peer is not None and peer.batch is not None:
                        _core.swng_batch_cancel(peer.batch)
        self.wakeup()

    def wakeup(self) -> None:
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)


def _bool_text(name: str, value: object) -> bytes:
    """A bool argument as the loop's operations take it ("true"/"false"),
    type-checked as the blocking Client checks it."""
    return _TRUE if _flag(name, value) else _FALSE


class AsyncClient(_Configured):
    """A configured connection to one SignalWire space, for asyncio.

    The arguments are those of swng.Client (which see), read the same way
    (None: from the SIGNALWIRE_* environment). Every operation of Client is
    a coroutine here with the same arguments, results and exceptions; the
    lists (list_number_groups, list_memberships, list_phone_numbers) are
    async iterators::

        async with swng.AsyncClient() as client:
            group = await client.find_number_group("Sales")
            m = await client.create_membership(group.id, number_id)
            async for member in client.list_memberships(group.id):
                print(member.phone_number.number)

    Requests run concurrently (asyncio.gather, tasks): each is a transfer
    of the core's loop, which the running event loop drives through one
    descriptor and one timer. No thread is made. Cancelling a task that
    awaits a call cancels the request in the core: its transfer ends at
    once and nothing more is sent for it (not even a due retry).

    An AsyncClient is used from one event loop at a time (the one running
    when a call is made; it may move to another loop once nothing is in
    flight) and is not thread-safe. close() (or leaving `async with`) ends
    the requests still in flight with swng.CancelledError and frees the
    client.

    Raises:
        swng.InvalidArgument: a missing or malformed setting (nothing is sent).
        TypeError: an argument of the wrong type.
    """

    __slots__ = ("_handle", "_base_url", "_project_id", "_loop", "_fd", "_aio", "_timer",
                 "_pending", "_batches", "__weakref__")

    def __init__(self, space: Optional[str] = None, project_id: Optional[str] = None,
                 token: Optional[str] = None, *, base_url: Optional[str] = None,
                 timeout: Optional[float] = None, connect_timeout: Optional[float] = None,
                 ca_file: Optional[PathArg] = None, max_retries: Optional[int] = None,
                 retry_base: Optional[float] = None, retry_max: Optional[float] = None,
                 headers: Optional[Mapping[str, str]] = None,
                 proxy: Optional[str] = None) -> None:
        secret = _secret(token)  # first of all (see Client.__init__)
        del token
        self._handle: Optional[_core.swng_client] = None
        self._loop: Optional[_core.swng_loop] = None
        self._aio: Optional[asyncio.AbstractEventLoop] = None
        self._timer: Optional[asyncio.TimerHandle] = None
        #: request id -> (future, request, what must outlive it: a cursor)
        self._pending: Dict[int, Tuple["asyncio.Future[Any]", Any, Any]] = {}
        #: the batches running on the loop (create_memberships, remove_numbers)
        self._batches: List[_Batch] = []
        handle = _new_handle({
            "space": space, "project_id": project_id, "token": secret, "base_url": base_url,
            "ca_file": ca_file, "timeout": timeout, "connect_timeout": connect_timeout,
            "max_retries": max_retries, "retry_base": retry_base, "retry_max": retry_max,
            "headers": headers, "proxy": proxy})
        del secret
        rc, loop, err = _core.swng_loop_new(handle)
        if rc != _OK or loop is None:
            raise _errors.from_core(rc, err)
        self._handle = handle
        self._loop = loop
        self._fd: int = _core.swng_loop_fd(loop)
        self._base_url: str = _core.swng_client_base_url(handle)
        self._project_id: str = _core.swng_client_project_id(handle)

    # -- driving the core's loop from asyncio

    def _live(self) -> Tuple[asyncio.AbstractEventLoop, Any]:
        """The running event loop (watching the core's descriptor from now
        on) and the core's loop; ClosedError after close()."""
        loop = self._loop
        if loop is None:
            raise _errors.binding_error(_core.SWNG_ECLOSED, "the swng.AsyncClient is closed")
        aio = asyncio.get_running_loop()
        if aio is not self._aio:
            old = self._aio
            if old is not None:
                if (self._pending or self._batches) and not old.is_closed():
                    raise RuntimeError("this swng.AsyncClient has requests in flight on "
                                       "another event loop")
                self._detach()
            aio.add_reader(self._fd, self._step)
            self._aio = aio
        return aio, loop

    def _detach(self) -> None:
        """Stops watching: requests left from an event loop that is gone are
        cancelled (their futures belong to that loop and are dropped)."""
        aio, self._aio = self._aio, None
        self._free_batches()
        if self._pending and self._loop is not None:
            _core.swng_loop_cancel_all(self._loop)
            _core.loop_step(self._loop)
            self._pending.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if aio is not None and not aio.is_closed():
            aio.remove_reader(self._fd)

    def _step(self) -> None:
        """The descriptor is readable or the timer is due: the core's step,
        then the futures of the requests that finished."""
        loop = self._loop
        if loop is None:
            return
        rc, done, err = _core.loop_step(loop)
        pending = self._pending
        for rid, status, result, error in done:
            entry = pending.pop(rid, None)
            if entry is None:
                continue
            fut = entry[0]
            if fut.done():  # cancelled by its task
                continue
            if status == _OK:
                fut.set_result(result)
            else:
                fut.set_exception(_errors.from_core(status, error))
        if rc < 0:  # the loop is unusable (after fork()): fail what is left
            failure = _errors.from_core(rc, err)
            for fut, _, _ in pending.values():
                if not fut.done():
                    fut.set_exception(failure)
            pending.clear()
        for batch in self._batches:
            batch.take()
        self._schedule()

    def _free_batches(self) -> None:
        """Cancels and frees every batch (before the loop is freed or left):
        the outcomes the cancel delivers are taken first; their coroutines
        wake and report the rest as CancelledError."""
        batches = self._batches
        if not batches:
            return
        for b in batches:
            _core.swng_batch_cancel(b.batch)
        if self._loop is not None:
            _core.loop_step(self._loop)
        for b in batches:
            b.take()
            _core.swng_batch_free(b.batch)
            b.batch = None
            b.wakeup()
        batches.clear()

    def _on_timer(self) -> None:
        self._timer = None
        self._step()

    def _schedule(self) -> None:
        """Wakes the step when the core's timeout says (-1: no timer)."""
        aio, loop = self._aio, self._loop
        if aio is None or loop is None:
            return
        ms = _core.swng_loop_timeout(loop)
        timer = self._timer
        if ms < 0:
            if timer is not None:
                timer.cancel()
                self._timer = None
            return
        when = aio.time() + ms / 1000.0
        if timer is not None:
            if abs(timer.when() - when) < 0.001:
                return
            timer.cancel()
        self._timer = aio.call_at(when, self._on_timer)

    def _started(self, aio: asyncio.AbstractEventLoop, answer: Any,
                 keep: Any = None) -> Tuple[int, "asyncio.Future[Any]"]:
        rc, req, err = answer
        if rc != _OK:
            raise _errors.from_core(rc, err)
        fut: asyncio.Future[Any] = aio.create_future()
        rid = _core.swng_request_id(req)
        self._pending[rid] = (fut, req, keep)
        self._schedule()
        return rid, fut

    async def _await(self, rid: int, fut: "asyncio.Future[Any]") -> Any:
        try:
            return await fut
        except asyncio.CancelledError:
            self._cancel(rid)
            raise

    def _cancel(self, rid: int) -> None:
        """Cancels a request in flight and steps at once, so that its
        transfer ends now."""
        entry = self._pending.get(rid)
        if entry is not None:
            _core.swng_request_cancel(entry[1])
            self._step()

    async def _run(self, op: int, a0: Optional[bytes] = None, a1: Optional[bytes] = None,
                   a2: Optional[bytes] = None) -> Any:
        """Starts op (arguments are checked by the core before anything is
        sent: InvalidArgument at once) and awaits its result."""
        aio, loop = self._live()
        rid, fut = self._started(aio, _core.request_start(loop, op, a0, a1, a2))
        return await self._await(rid, fut)

    def _cursor(self, fn: Any, *args: Any) -> Any:
        """A core cursor (made without sending; bad arguments refused now)."""
        if self._handle is None:
            raise _errors.binding_error(_core.SWNG_ECLOSED, "the swng.AsyncClient is closed")
        rc, cursor, err = fn(self._handle, *args)
        if rc != _OK:
            raise _errors.from_core(rc, err)
        return cursor

    async def _pages(self, cursor: Any) -> AsyncIterator[Any]:
        """The items of a cursor: a page the core needs is fetched on the
        loop (the cursor is kept alive until its fetch has ended), then the
        core's next item is taken without blocking."""
        while True:
            aio, loop = self._live()
            while _core.cursor_needs_fetch(cursor):
                rid, fut = self._started(aio, _core.cursor_fetch(loop, cursor), keep=cursor)
                await self._await(rid, fut)
                aio, loop = self._live()
            rc, item, err = _core.cursor_next(cursor)
            if rc != _OK:
                raise _errors.from_core(rc, err)
            if item is None:
                return
            yield item

    # -- number groups

    def list_number_groups(self, name: Optional[str] = None,
                           page_size: Optional[int] = None) -> AsyncIterator[NumberGroup]:
        """The project's number groups, as an async iterator (``async
        for``): pages are fetched when needed, as Client.list_number_groups
        does (which see for the arguments and errors). Bad arguments raise
        at once."""
        return self._pages(self._cursor(_core.list_number_groups, _opt_str("name", name),
                                        _page_size(page_size)))

    async def create_number_group(self, name: str, sticky_sender: bool = False) -> NumberGroup:
        """Create a number group; as Client.create_number_group."""
        text, flag = _str("name", name), _bool_text("sticky_sender", sticky_sender)
        return await self._run(_core.SWNG_OP_NUMBER_GROUP_CREATE, text, flag)  # type: ignore[no-any-return]

    async def get_number_group(self, id: Id) -> NumberGroup:
        """The number group with this id; as Client.get_number_group."""
        return await self._run(_core.SWNG_OP_NUMBER_GROUP_GET, _id("id", id))  # type: ignore[no-any-return]

    async def update_number_group(self, id: Id, name: str,
                                  sticky_sender: Optional[bool] = None) -> NumberGroup:
        """Rename a number group and/or set its sticky_sender (None: left
        unchanged); as Client.update_number_group."""
        text = _id("id", id), _str("name", name)
        flag = None if sticky_sender is None else _bool_text("sticky_sender", sticky_sender)
        return await self._run(_core.SWNG_OP_NUMBER_GROUP_UPDATE,  # type: ignore[no-any-return]
                               text[0], text[1], flag)

    async def delete_number_group(self, id: Id) -> None:
        """Delete a number group; as Client.delete_number_group."""
        await self._run(_core.SWNG_OP_NUMBER_GROUP_DELETE, _id("id", id))

    async def find_number_group(self, name: str) -> NumberGroup:
        """The one group named exactly `name` (NotFoundError, AmbiguousError);
        as Client.find_number_group."""
        return await self._run(_core.SWNG_OP_NUMBER_GROUP_FIND, _str("name", name))  # type: ignore[no-any-return]

    # -- memberships

    def list_memberships(self, number_group_id: Id,
                         page_size: Optional[int] = None) -> AsyncIterator[Membership]:
        """The memberships of a number group, as an async iterator; as
        Client.list_memberships."""
        return self._pages(self._cursor(_core.list_memberships,
                                        _id("number_group_id", number_group_id),
                                        _page_size(page_size)))

    async def create_membership(self, number_group_id: Id, phone_number_id: Id,
                                if_exists: str = "error") -> Membership:
        """Add a phone number to a number group and return the membership;
        if_exists="return" returns the existing membership (existed=True)
        instead of the server's 422. As Client.create_membership (which see
        for the errors)."""
        group = _id("number_group_id", number_group_id)
        phone = _id("phone_number_id", phone_number_id)
        policy = b"error" if _if_exists(if_exists) == _core.SWNG_IF_EXISTS_ERROR else b"return"
        return await self._run(_core.SWNG_OP_MEMBERSHIP_CREATE,  # type: ignore[no-any-return]
                               group, phone, policy)

    async def get_membership(self, id: Id) -> Membership:
        """The membership with this id; as Client.get_membership."""
        return await self._run(_core.SWNG_OP_MEMBERSHIP_GET, _id("id", id))  # type: ignore[no-any-return]

    async def delete_membership(self, id: Id) -> None:
        """Delete a membership by its id; as Client.delete_membership."""
        await self._run(_core.SWNG_OP_MEMBERSHIP_DELETE, _id("id", id))

    async def remove_number(self, number_group_id: Id, phone_number_id: Id) -> None:
        """Take a phone number out of a group (NotFoundError when it is not
        in it); as Client.remove_number."""
        await self._run(_core.SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER,
                        _id("number_group_id", number_group_id),
                        _id("phone_number_id", phone_number_id))

    # -- many numbers at once (the core's batches, on this client's loop)

    async def _batch(self, op: int, number_group_id: Id, phone_number_ids: Iterable[Id],
                     concurrency: int, policy: int, progress: Optional[Progress]) -> List[Any]:
        group, conc, fn = _group(number_group_id), _concurrency(concurrency), _progress(progress)
        if isinstance(phone_number_ids, (str, bytes)):
            raise _type_error("phone_number_ids", "an iterable of str", phone_number_ids)
        try:
            it = iter(phone_number_ids)
        except TypeError:
            raise _type_error("phone_number_ids", "an iterable of str",
                              phone_number_ids) from None
        aio, loop = self._live()
        rc, batch, err = _core.batch_new(loop, op, group, conc, policy)
        if rc != _OK or batch is None:
            raise _errors.from_core(rc, err)
        st = _Batch(batch, fn)
        self._batches.append(st)
        # Ids are read from the iterable only while the core has few
        # waiting to be sent: a long generator is streamed, not stored.
        window = 2 * (conc or 8)
        more = True
        try:
            while st.batch is not None:
                while more and st.error is None and _core.swng_batch_waiting(batch) < window:
                    try:
                        value = next(it)
                    except StopIteration:
                        more = False
                        break
                    text = (value.encode("utf-8", "surrogatepass") if type(value) is str
                            else _id("phone_number_ids item", value))
                    rc, err = _core.batch_push(batch, text)
                    if rc != _OK:
                        raise _errors.from_core(rc, err)
                    st.pushed += 1
                if not more or st.error is not None:
                    more = False
                    _core.swng_batch_close(batch)
                    st.take()
                    if _core.swng_batch_finished(batch):
                        break
                st.wake = aio.create_future()
                self._schedule()
                await st.wake
        except BaseException as e:
            # Task cancelled, the iterable raised, an item of the wrong
            # type: nothing more is sent (transfers end at once); the
            # exception carries the outcomes so far, as the sync's does.
            if st.batch is not None:
                _core.swng_batch_cancel(st.batch)
                self._step()
            raise _attach(e, st.outcomes("the batch was cancelled"))
        finally:
            if st in self._batches:
                self._batches.remove(st)
                _core.swng_batch_free(batch)
                st.batch = None
        results = st.outcomes("the swng.AsyncClient was closed")
        if st.error is not None:
            raise _attach(st.error, results)
        return results

    async def create_memberships(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                                 concurrency: int = 8, if_exists: str = "error",
                                 progress: Optional[Progress] = None
                                 ) -> List[Union[Membership, _errors.Error]]:
        """Add many phone numbers to one group: one outcome per input, in
        input order (the Membership or the item's exception object), as
        Client.create_memberships (which see), on the running event loop.

        The iterable is streamed: ids are read from it (on the event loop)
        only while the core has fewer than 2 x concurrency waiting to be
        sent. progress(done, total) runs on the event loop's thread after
        each outcome (total: ids read so far); if it raises, the batch is
        cancelled and the exception propagates with the outcomes as its
        ``results``. Cancelling the awaiting task cancels the batch: its
        transfers end at once and nothing more is sent. An exception from
        the iterable, or an item that is not a str, does the same and
        propagates; either way the exception's ``results`` has the outcomes
        of the ids read so far (unfinished ones CancelledError). close()
        during the batch ends it: the list then has the
        outcomes of the ids read so far (no more are read), the unfinished
        ones CancelledError; likewise ``results`` after a raising progress."""
        policy = _if_exists(if_exists)
        return await self._batch(_core.SWNG_OP_MEMBERSHIP_CREATE, number_group_id,
                                 phone_number_ids, concurrency, policy, progress)

    async def remove_numbers(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                             concurrency: int = 8, progress: Optional[Progress] = None
                             ) -> List[Optional[_errors.Error]]:
        """Take many phone numbers out of one group: one outcome per input,
        None or the item's exception object; as Client.remove_numbers, run
        as AsyncClient.create_memberships runs."""
        return await self._batch(_core.SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, number_group_id,
                                 phone_number_ids, concurrency, 0, progress)

    async def sync_memberships(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                               dry_run: bool = False, concurrency: int = 8,
                               progress: Optional[Progress] = None) -> SyncResult:
        """Make the group's numbers exactly phone_number_ids, as
        Client.sync_memberships (which see: the same arguments, SyncResult
        and exceptions), on the running event loop: the core's plan reads
        the group on this client's loop (swng_sync_plan_start), then,
        unless dry_run, its add batch and its remove batch run there
        (swng_sync_plan_apply_start: the removes start when the adds have
        finished).

        progress(done, total) counts both batches as one and runs on the
        event loop's thread; if it raises, both batches are cancelled and
        the exception propagates with the SyncResult so far as its
        ``results``. Cancelling the awaiting task cancels the read, or
        both batches (their transfers end at once, nothing more is sent):
        the CancelledError then carries the SyncResult so far as
        ``results`` (None during the read); unfinished items are
        swng.CancelledError. close() during the sync ends it the same way:
        the read raises swng.CancelledError, the batches return the
        SyncResult with their unfinished items CancelledError.
        """
        group, ids = _group(number_group_id), _batch_ids(phone_number_ids)
        flag, conc, fn = _flag("dry_run", dry_run), _concurrency(concurrency), _progress(progress)
        aio, loop = self._live()
        rc, plan, req, err = _core.sync_plan_start(loop, group, ids)
        if rc != _OK or plan is None:
            raise _errors.from_core(rc, err)
        # The plan outlives its read (kept with the request until it ends).
        rid, fut = self._started(aio, (rc, req, err), keep=plan)
        await self._await(rid, fut)
        to_add = [_core.sync_plan_id(plan, 0, i) for i in range(_core.sync_plan_count(plan, 0))]
        to_remove = [_core.sync_plan_id(plan, 1, i)
                     for i in range(_core.sync_plan_count(plan, 1))]
        result = SyncResult(to_add, to_remove, _core.sync_plan_kept(plan), bool(flag))
        if flag:
            return result
        aio, loop = self._live()
        rc, added, removed, err = _core.sync_plan_apply_start(loop, plan, conc)
        del plan  # not needed by the batches
        if rc != _OK or added is None or removed is None:
            raise _attach(_errors.from_core(rc, err), result)
        nadd, total = len(to_add), len(to_add) + len(to_remove)
        sa = _Batch(added, None if fn is None else (lambda d, _t: fn(d, total)))
        sr = _Batch(removed, None if fn is None else (lambda d, _t: fn(nadd + d, total)))
        sa.pushed, sr.pushed = nadd, len(to_remove)
        sa.peer, sr.peer = sr, sa
        both = (sa, sr)
        self._batches.extend(both)
        try:
            while True:
                for b in both:
                    if b.batch is not None:
                        b.take()
                if all(b.batch is None or _core.swng_batch_finished(b.batch) for b in both):
                    break
                wake: asyncio.Future[None] = aio.create_future()
                sa.wake = sr.wake = wake
                self._schedule()
                await wake
        except BaseException as e:
            # Task cancelled: nothing more is sent (transfers end at once);
            # the cancellations are taken as the items' outcomes.
            for b in both:
                if b.batch is not None:
                    _core.swng_batch_cancel(b.batch)
            self._step()
            result.added = sa.outcomes("the sync was cancelled")
            result.removed = sr.outcomes("the sync was cancelled")
            raise _attach(e, result)
        finally:
            for b in both:
                if b in self._batches:
                    self._batches.remove(b)
                    _core.swng_batch_free(b.batch)
                    b.batch = None
        result.added = sa.outcomes("the swng.AsyncClient was closed")
        result.removed = sr.outcomes("the swng.AsyncClient was closed")
        error = sa.error or sr.error
        if error is not None:
            raise _attach(error, result)
        return result

    # -- phone numbers (read-only)

    def list_phone_numbers(self, number: Optional[str] = None, name: Optional[str] = None,
                           page_size: Optional[int] = None) -> AsyncIterator[PhoneNumber]:
        """The project's phone numbers, as an async iterator; as
        Client.list_phone_numbers."""
        return self._pages(self._cursor(_core.list_phone_numbers, _opt_str("number", number),
                                        _opt_str("name", name), _page_size(page_size)))

    async def get_phone_number(self, id: Id) -> PhoneNumber:
        """The phone number with this id; as Client.get_phone_number."""
        return await self._run(_core.SWNG_OP_PHONE_NUMBER_GET, _id("id", id))  # type: ignore[no-any-return]

    async def find_phone_number(self, e164: str) -> PhoneNumber:
        """The one phone number whose number is exactly `e164`; as
        Client.find_phone_number."""
        return await self._run(_core.SWNG_OP_PHONE_NUMBER_FIND, _str("e164", e164))  # type: ignore[no-any-return]

    # -- closing

    def close(self) -> None:
        """Cancel the requests in flight (their awaiting tasks get
        swng.CancelledError; nothing more is sent), stop watching the event
        loop and free the client. Idempotent; later calls raise
        swng.ClosedError."""
        loop = self._loop
        if loop is None:
            return
        self._free_batches()
        if self._pending:
            _core.swng_loop_cancel_all(loop)
            aio = self._aio
            if aio is not None and not aio.is_closed():
                self._step()  # delivers the cancellations to their futures
        self._detach()
        self._loop = None
        _core.swng_loop_free(loop)  # before the client it belongs to
        handle, self._handle = self._handle, None
        del handle

    async def aclose(self) -> None:
        """close(), as a coroutine."""
        self.close()

    async def __aenter__(self) -> "AsyncClient":
        if self._handle is None:
            raise _errors.binding_error(_core.SWNG_ECLOSED, "the swng.AsyncClient is closed")
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]],
                        exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter exit, or from a foreign thread
            pass

    def __repr__(self) -> str:
        if self._handle is None and not hasattr(self, "_base_url"):
            return "<swng.AsyncClient (not configured)>"
        return "<swng.AsyncClient base_url=%r project_id=%r%s>" % (
            self._base_url, self._project_id, " closed" if self._handle is None else "")
