"""swng.Client and its results (Membership, PhoneNumber, NumberGroup): a
thin face over the C core.

Everything that matters happens in C (libswng): configuration from the
environment, validation, HTTP, authentication, JSON, retries and the
classification of errors. This module converts Python values to what the C
API takes (and checks their *types*), and C results to Python objects.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple,
                    Type, Union)

from . import _errors
from . import swng_core as _core
# The extension's own function, for the hot path of create_membership: the
# generated swng_core.create_membership only passes its arguments on.
_core_create_membership: Callable[..., Any] = importlib.import_module(
    "._swng_core", __package__).create_membership

__all__ = ["Client", "Membership", "NumberGroup", "PhoneNumber", "SyncResult"]

Id = Union[str, uuid.UUID]
#: progress(done, total): items with their outcome, of the items known so far.
Progress = Callable[[int, int], Any]
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


@dataclass(frozen=True)
class PhoneNumber:
    """A phone number: of a membership (only id, name, number and
    capabilities are known there), or of the project (get_phone_number,
    list_phone_numbers, find_phone_number). Fields the server left out are
    None; to_dict() has every field of the full resource."""

    id: Optional[str]
    name: Optional[str]
    number: Optional[str]
    capabilities: Tuple[str, ...]
    number_type: Optional[str] = None
    e911_address_id: Optional[str] = None
    e911_status: Optional[str] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None
    http_status: Optional[int] = field(default=None, repr=False, compare=False)
    request_id: Optional[str] = field(default=None, repr=False, compare=False)
    _json: Optional[str] = field(default=None, repr=False, compare=False)

    def to_dict(self) -> Dict[str, Any]:
        """The response's fields (a new dict each call), including any this
        version of swng does not know about; {} for a membership's number."""
        if self._json is None:
            return {}
        data: Dict[str, Any] = json.loads(self._json)
        return data


@dataclass(frozen=True)
class NumberGroup:
    """A number group, as the server returned it. phone_number_count is
    None when the server left it out."""

    id: str
    name: str
    sticky_sender: bool
    phone_number_count: Optional[int]
    http_status: int
    request_id: Optional[str]
    _json: str = field(repr=False, compare=False)

    def to_dict(self) -> Dict[str, Any]:
        """The response's fields (a new dict each call)."""
        data: Dict[str, Any] = json.loads(self._json)
        return data


@dataclass(frozen=True)
class Membership:
    """A number group membership, as the server returned it."""

    id: str
    number_group_id: str
    phone_number: PhoneNumber
    created_at: str
    updated_at: str
    http_status: int
    request_id: Optional[str]
    _json: str = field(repr=False, compare=False)
    #: True when create_membership(if_exists="return") found the number
    #: already in the group and returned that membership.
    existed: bool = False

    def to_dict(self) -> Dict[str, Any]:
        """The response's fields (a new dict each call), including any this
        version of swng does not know about."""
        data: Dict[str, Any] = json.loads(self._json)
        return data


# The core builds every result in one call, walking the resource's field
# table and calling these classes with the fields as keyword arguments: the
# names here are the core's type names (core/src/parse.c).
_core.register_class("membership", Membership)
_core.register_class("phone_number", PhoneNumber)
_core.register_class("number_group", NumberGroup)


# ---------------------------------------------------------------- conversions
# Only types are decided here: every value's meaning and range is the
# core's (swng_client_options_set_*). Strings go to C as UTF-8 bytes;
# "surrogatepass" lets even a malformed str through, so that the core (not
# this module) is what refuses it.

def _type_error(name: str, expected: str, value: object) -> TypeError:
    return TypeError("%s must be %s, not %s" % (name, expected, type(value).__name__))


def _check(result: Tuple[int, Optional[_errors.Error]]) -> None:
    rc, err = result
    if rc != _core.SWNG_OK:
        raise _errors.from_core(rc, err)


class _Secret:
    """The token on its way to the core. A traceback that shows frame
    locals (pytest --showlocals, traceback's capture_locals, error
    trackers) shows its repr, never the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<swng token hidden>"

    __str__ = __repr__

    def reveal(self) -> bytes:
        return self._value.encode("utf-8", "surrogatepass")


def _text(name: str, value: object) -> bytes:
    if name == "ca_file":
        if not isinstance(value, (str, bytes, os.PathLike)):
            raise _type_error(name, "a path (str, bytes or os.PathLike) or None", value)
        return os.fsencode(value)
    if not isinstance(value, str):
        raise _type_error(name, "a str or None", value)
    return value.encode("utf-8", "surrogatepass")


def _options(values: Mapping[str, Any]) -> _core.swng_binding_options:
    """The core's options object for the arguments given (None: not set)."""
    opts = _core.options_new()
    for name, value in values.items():
        if value is None:
            continue
        kind = _core.swng_client_option_kind(name)
        if kind == _core.SWNG_OPTION_STRING:
            if isinstance(value, _Secret):  # passed on without a local copy
                _check(_core.options_set_string(opts, name, value.reveal()))
                continue
            _check(_core.options_set_string(opts, name, _text(name, value)))
        elif kind in (_core.SWNG_OPTION_SECONDS, _core.SWNG_OPTION_COUNT):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _type_error(name, "a number" if kind == _core.SWNG_OPTION_COUNT
                                  else "a number of seconds or None", value)
            _check(_core.options_set_number(opts, name, value))
        else:  # SWNG_OPTION_HEADERS
            if not isinstance(value, Mapping):
                raise _type_error(name, "a mapping of str to str or None", value)
            for hname, hvalue in value.items():
                if not isinstance(hname, str) or not isinstance(hvalue, str):
                    raise TypeError("headers must map str to str, not %s to %s"
                                    % (type(hname).__name__, type(hvalue).__name__))
                line = "%s: %s" % (hname, hvalue)
                _check(_core.options_add_header(opts, line.encode("utf-8", "surrogatepass")))
    return opts


def _secret(token: object) -> Optional[_Secret]:
    """The token argument, type-checked and wrapped (None: not given)."""
    if token is not None and not isinstance(token, str):
        raise _type_error("token", "a str or None", token)
    return None if token is None else _Secret(token)


#: The "swng" logger: at DEBUG, every attempt of every request (see _trace).
_log = logging.getLogger("swng")


def _trace(method: str, path: str, http_status: int, status: int, seconds: float,
           attempt: int, request_id: Optional[str]) -> None:
    """The core's trace function (swng_client_set_trace) for a client made
    while the "swng" logger was enabled for DEBUG: one DEBUG record per
    attempt. The core passes no credentials (the path and query only, never
    the token); the values are also in the record as swng_* attributes
    (swng_attempt counts from 0, the message from 1)."""
    if not _log.isEnabledFor(logging.DEBUG):
        return
    code = _core.swng_status_name(status)
    _log.debug("%s %s -> %s %s in %.3f s (attempt %d, request id %s)", method, path,
               http_status or "no response", code, seconds, attempt + 1, request_id,
               extra={"swng_method": method, "swng_path": path,
                      "swng_http_status": http_status or None, "swng_code": code,
                      "swng_seconds": seconds, "swng_attempt": attempt,
                      "swng_request_id": request_id})


_core.register_class("trace", _trace)


def _new_handle(values: Mapping[str, Any]) -> _core.swng_client:
    """A configured C client for the constructor's arguments (the token as
    a _Secret), shared by Client and AsyncClient.

    The trace hook is installed only when the "swng" logger is enabled for
    DEBUG at this point: a client made without it pays nothing per request
    (no hook, so no GIL taken in the middle of a call); one made with it
    logs every attempt while DEBUG stays enabled."""
    opts = _options(values)
    rc, handle, err = _core.client_new(opts)
    del opts
    if rc != _core.SWNG_OK or handle is None:
        raise _errors.from_core(rc, err)
    if _log.isEnabledFor(logging.DEBUG):
        _check((_core.client_trace(handle, 1), None))
    return handle


def _id(name: str, value: Id) -> bytes:
    """An id argument as counted bytes: embedded NULs reach the core intact,
    which refuses them like any other bad id."""
    if type(value) is str:  # the usual case first: it is on every call's path
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, uuid.UUID):
        value = str(value)
    if not isinstance(value, str):
        raise _type_error(name, "a str (or uuid.UUID)", value)
    return value.encode("utf-8", "surrogatepass")


def _str(name: str, value: object) -> bytes:
    """A text argument (a name, a filter, an E.164 number) as bytes."""
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    return value.encode("utf-8", "surrogatepass")


def _opt_str(name: str, value: object) -> Optional[bytes]:
    """An optional text argument (a list filter): None is "not given"."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(name, "a str or None", value)
    return value.encode("utf-8", "surrogatepass")


_INT_MIN, _INT_MAX = -2 ** 31, 2 ** 31 - 1


def _page_size(value: object) -> int:
    """page_size for the core: None is 0 (the server's default). The range
    is the core's to check; an int beyond a C int is passed as the nearest
    C int, which is just as out of range."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error("page_size", "an int or None", value)
    return max(_INT_MIN, min(_INT_MAX, value))


def _flag(name: str, value: object) -> int:
    if not isinstance(value, bool):
        raise _type_error(name, "a bool", value)
    return int(value)


def _closed() -> _errors.Error:
    return _errors.binding_error(_core.SWNG_ECLOSED, "the swng.Client is closed")


#: if_exists of create_membership -> the core's policy
_IF_EXISTS = {"error": _core.SWNG_IF_EXISTS_ERROR, "return": _core.SWNG_IF_EXISTS_RETURN}


def _if_exists(value: object) -> int:
    """create_membership's if_exists as the core's policy."""
    if not isinstance(value, str):
        raise _type_error("if_exists", 'a str ("error" or "return")', value)
    policy = _IF_EXISTS.get(value)
    if policy is None:
        raise _errors.binding_error(
            _core.SWNG_EINVAL, 'if_exists must be "error" or "return", not %r' % value,
            option="if_exists")
    return policy


# ---------------------------------------------------------------------- bulk

_UINT_MAX = 2 ** 32 - 1


def _concurrency(value: object) -> int:
    """concurrency for the core, which checks the range (1 to 64; 0 is its
    default, 8). A negative or huge int is passed as the largest C unsigned
    int, which is just as out of range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error("concurrency", "an int", value)
    return _UINT_MAX if value < 0 or value > _UINT_MAX else value


def _group(value: Id) -> bytes:
    """A batch's group id: the core's batch takes a C string, so a NUL in
    it (which the counted single calls pass on, to be refused) is refused
    here, with the core's code and argument name."""
    text = _id("number_group_id", value)
    if b"\0" in text:
        raise _errors.binding_error(_core.SWNG_EINVAL, "number_group_id contains a NUL byte",
                                    option="number_group_id")
    return text


def _batch_ids(ids: Iterable[Id]) -> Tuple[bytes, ...]:
    """Every id of an iterable (a generator too), type-checked before
    anything is sent."""
    if isinstance(ids, (str, bytes)):
        raise _type_error("phone_number_ids", "an iterable of str", ids)
    try:
        it = iter(ids)
    except TypeError:
        raise _type_error("phone_number_ids", "an iterable of str", ids) from None
    return tuple(v.encode("utf-8", "surrogatepass") if type(v) is str
                 else _id("phone_number_ids item", v) for v in it)


def _progress(value: object) -> Optional[Progress]:
    if value is not None and not callable(value):
        raise _type_error("progress", "a callable or None", value)
    return value


def _outcomes(pair: Optional[Tuple[List[int], List[Any]]]) -> List[Any]:
    """The core's outcomes in input order: each the result (None for a
    remove) or the exception object of that item."""
    if pair is None:
        return []
    statuses, objs = pair
    return [o if s == 0 else _errors.from_core(s, o) for s, o in zip(statuses, objs)]


def _attach(exc: BaseException, results: Any) -> BaseException:
    """exc with the partial results as exc.results (when it takes them)."""
    try:
        exc.results = results  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        pass
    return exc


@dataclass
class SyncResult:
    """What Client.sync_memberships planned and, unless dry_run, did.

    Attributes:
        to_add: the wanted numbers not in the group, in input order, once
            each (ids as given).
        to_remove: the numbers in the group that are not wanted.
        kept: how many wanted numbers were already in the group.
        dry_run: True when only planned.
        added: one outcome per to_add item, in the same order: the
            Membership (existed=True for one added meanwhile by someone
            else), or the exception object of that item. Empty for a dry
            run.
        removed: one outcome per to_remove item: None (removed) or the
            exception object.
    """

    to_add: List[str]
    to_remove: List[str]
    kept: int
    dry_run: bool
    added: List[Union[Membership, _errors.Error]] = field(default_factory=list)
    removed: List[Optional[_errors.Error]] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        """True when the plan had anything to add or remove."""
        return bool(self.to_add or self.to_remove)

    @property
    def failures(self) -> List[_errors.Error]:
        """The exception objects among added and removed."""
        return [o for o in [*self.added, *self.removed] if isinstance(o, _errors.Error)]


# --------------------------------------------------------------------- client

class _Configured:
    """What Client and AsyncClient both show of their configuration."""

    __slots__ = ()
    _handle: Any
    _base_url: str
    _project_id: str

    @property
    def base_url(self) -> str:
        """The effective base URL, e.g. "https://example.signalwire.com"."""
        return self._base_url

    @property
    def project_id(self) -> str:
        """The effective project id (there is no way to read the token back)."""
        return self._project_id

    @property
    def closed(self) -> bool:
        return self._handle is None


class Client(_Configured):
    """A configured connection to one SignalWire space.

    Arguments left out (None) come from the environment, read by the C core
    exactly as for C programs: SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN,
    SIGNALWIRE_SPACE, SIGNALWIRE_REST_BASE_URL and SIGNALWIRE_REST_CA_FILE.

    Args:
        space: a space name ("example" means https://example.signalwire.com)
            or host name.
        project_id: the project id (the Basic-auth user name).
        token: the API token (the Basic-auth password); never shown anywhere.
        base_url: "https://host[:port]" instead of a space (wins over space);
            plain http:// only for loopback hosts.
        timeout: total seconds for one attempt (default 30).
        connect_timeout: seconds to connect (default 10).
        ca_file: PEM CA bundle for verifying the server (default: system).
        max_retries: extra attempts after a retryable failure (429, 503,
            connect failures), with backoff honouring Retry-After (default 0,
            at most 100).
        retry_base: first backoff delay in seconds (default 0.5).
        retry_max: longest single wait in seconds (default 30).
            Every duration must be positive and at most 86400 seconds; 0,
            negative, NaN and infinite values are InvalidArgument (the C
            core's one rule, the same in Lua and the command).
        headers: extra request headers, {name: value}.
        proxy: an HTTP proxy "http://host[:port]" (default: the
            SIGNALWIRE_REST_PROXY variable, else none), used as a CONNECT
            tunnel for https:// spaces only (never for loopback hosts).
            http_proxy, https_proxy and ALL_PROXY are never read.

    Raises:
        swng.InvalidArgument: a missing or malformed setting (nothing is sent).
        TypeError: an argument of the wrong type.

    One Client may be used by many threads at once; calls release the GIL
    while they wait for the network. Use it as a context manager, or call
    close(), to close its connections.
    """

    __slots__ = ("_handle", "_base_url", "_project_id", "__weakref__")

    def __init__(self, space: Optional[str] = None, project_id: Optional[str] = None,
                 token: Optional[str] = None, *, base_url: Optional[str] = None,
                 timeout: Optional[float] = None, connect_timeout: Optional[float] = None,
                 ca_file: Optional[PathArg] = None, max_retries: Optional[int] = None,
                 retry_base: Optional[float] = None, retry_max: Optional[float] = None,
                 headers: Optional[Mapping[str, str]] = None,
                 proxy: Optional[str] = None) -> None:
        # First of all, the token becomes a _Secret: from here on no frame
        # (this one, _options') holds it in a form a traceback would show.
        secret = _secret(token)
        del token
        self._handle: Optional[_core.swng_client] = None
        handle = _new_handle({
            "space": space, "project_id": project_id, "token": secret, "base_url": base_url,
            "ca_file": ca_file, "timeout": timeout, "connect_timeout": connect_timeout,
            "max_retries": max_retries, "retry_base": retry_base, "retry_max": retry_max,
            "headers": headers, "proxy": proxy})
        del secret  # the core keeps its own copy; none stays here
        self._handle = handle
        self._base_url: str = _core.swng_client_base_url(handle)
        self._project_id: str = _core.swng_client_project_id(handle)

    # -- plumbing: every operation is a type check, one of these, and a return

    def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(handle, *args) for a core call answering [rc, result, err] or
        [rc, err]: refuses a closed client, raises the core's error, returns
        the result (None for a call without one)."""
        # The local reference keeps the C client alive until this call is
        # over, even if another thread calls close() meanwhile.
        handle = self._handle
        if handle is None:
            raise _closed()
        answer = fn(handle, *args)
        if answer[0] == 0:  # SWNG_OK; [rc, result, err] or [rc, err]
            return answer[1] if len(answer) == 3 else None
        raise _errors.from_core(answer[0], answer[-1])

    def _list(self, fn: Callable[..., Any], *args: Any) -> Iterator[Any]:
        """A lazy iterator over a core list: the cursor is made now (which
        sends nothing, and refuses bad arguments at once); each page is
        fetched by the core when the iteration needs it."""
        return self._pages(self._call(fn, *args))

    def _pages(self, cursor: _core.swng_cursor) -> Iterator[Any]:
        while True:
            # The cursor points at the C client: it is never used once the
            # client is closed (and maybe freed), and a local reference
            # keeps the client alive while the core fetches a page.
            handle = self._handle
            if handle is None:
                raise _closed()
            rc, item, err = _core.cursor_next(cursor)
            del handle
            if rc != _core.SWNG_OK:
                raise _errors.from_core(rc, err)
            if item is None:
                return
            yield item

    # -- number groups

    def list_number_groups(self, name: Optional[str] = None,
                           page_size: Optional[int] = None) -> Iterator[NumberGroup]:
        """The project's number groups ("List Number Groups"), as a lazy
        iterator: nothing is sent until the first next(), and each page is
        fetched when needed, following the server's links.next.

        Args:
            name: only groups whose name contains this (the server's
                filter_name, a substring match); None for all.
            page_size: items per page, 1 to 1000; None for the server's
                default.

        Raises:
            InvalidArgument (at once, nothing sent); while iterating, any
            swng.Error of a request, ProtocolError for a page or a link that
            breaks the contract (a links.next to another host, scheme or
            path is never followed; a cycle, or an endless run of empty
            pages, ends the iteration), ClosedError after close().
            TypeError for arguments of the wrong type.
        """
        return self._list(_core.list_number_groups, _opt_str("name", name),
                          _page_size(page_size))

    def create_number_group(self, name: str, sticky_sender: bool = False) -> NumberGroup:
        """Create a number group ("Create a Number Group") and return it.

        Raises a subclass of swng.Error (InvalidArgument before sending,
        ValidationError for a 422, ...); TypeError for a name that is not a
        str or a sticky_sender that is not a bool.
        """
        text, flag = _str("name", name), _flag("sticky_sender", sticky_sender)
        return self._call(_core.create_number_group, text, flag)  # type: ignore[no-any-return]

    def get_number_group(self, id: Id) -> NumberGroup:
        """The number group with this id ("Retrieve a Number Group");
        NotFoundError when there is none."""
        return self._call(_core.get_number_group, _id("id", id))  # type: ignore[no-any-return]

    def update_number_group(self, id: Id, name: str,
                            sticky_sender: Optional[bool] = None) -> NumberGroup:
        """Rename a number group and/or set its sticky_sender ("Update a
        Number Group", PUT); returns the group as updated. name is required
        (the contract's PUT); sticky_sender None leaves it unchanged (it is
        not sent)."""
        flag = _core.SWNG_KEEP if sticky_sender is None else _flag("sticky_sender", sticky_sender)
        return self._call(_core.update_number_group, _id("id", id),  # type: ignore[no-any-return]
                          _str("name", name), flag)

    def delete_number_group(self, id: Id) -> None:
        """Delete a number group ("Delete a Number Group"). Its phone
        numbers are not released; its memberships go with it."""
        self._call(_core.delete_number_group, _id("id", id))

    def find_number_group(self, name: str) -> NumberGroup:
        """The one group whose name is exactly `name` (the server's filter
        is a substring match: the core reads every page of it).

        Raises NotFoundError when there is none, AmbiguousError when several
        groups have that name, or any other swng.Error.
        """
        text = _str("name", name)
        return self._call(_core.find_number_group, text)  # type: ignore[no-any-return]

    # -- memberships

    def list_memberships(self, number_group_id: Id,
                         page_size: Optional[int] = None) -> Iterator[Membership]:
        """The memberships of a number group ("List Number Group
        Memberships"): which numbers are in it. A lazy iterator, paged like
        list_number_groups (which see for the errors)."""
        return self._list(_core.list_memberships, _id("number_group_id", number_group_id),
                          _page_size(page_size))

    def create_membership(self, number_group_id: Id, phone_number_id: Id,
                          if_exists: str = "error") -> Membership:
        """Add a phone number to a number group ("Create a Number Group
        Membership") and return the new membership.

        Args:
            if_exists: "error" (the default): a number already in the group
                is the server's 422, a ValidationError. "return": when the
                server answers 422 and the group's list shows the number in
                it, that membership is returned, with existed=True; any
                other 422 stays a ValidationError.

        Raises a subclass of swng.Error: InvalidArgument (nothing sent),
        AuthenticationError, NotFoundError, ValidationError, RateLimitError,
        ServerError, TransportError, TimeoutError, ProtocolError, or
        ClosedError after close(). TypeError for arguments that are not str.
        """
        # The hot path of every caller that adds numbers: _id, the if_exists
        # check and _call written out for the usual types (exactly str), the
        # general code for anything else; the same checks, in the same order.
        if type(number_group_id) is str:
            group = number_group_id.encode("utf-8", "surrogatepass")
        else:
            group = _id("number_group_id", number_group_id)
        if type(phone_number_id) is str:
            phone = phone_number_id.encode("utf-8", "surrogatepass")
        else:
            phone = _id("phone_number_id", phone_number_id)
        policy = _IF_EXISTS.get(if_exists) if type(if_exists) is str else None
        if policy is None:
            policy = _if_exists(if_exists)
        handle = self._handle  # keeps the C client alive during the call (see _call)
        if handle is None:
            raise _closed()
        answer = _core_create_membership(handle, group, phone, policy)
        if answer[0] == 0:  # SWNG_OK
            return answer[1]  # type: ignore[no-any-return]
        raise _errors.from_core(answer[0], answer[2])

    def get_membership(self, id: Id) -> Membership:
        """The membership with this (membership) id ("Retrieve a Number
        Group Membership"); NotFoundError when there is none."""
        return self._call(_core.get_membership, _id("id", id))  # type: ignore[no-any-return]

    def delete_membership(self, id: Id) -> None:
        """Delete a membership by its id ("Delete a Number Group
        Membership"): the number leaves the group."""
        self._call(_core.delete_membership, _id("id", id))

    def remove_number(self, number_group_id: Id, phone_number_id: Id) -> None:
        """Take a phone number out of a group: the core finds its
        membership through the group's list and deletes it. NotFoundError
        when the number is not in the group."""
        self._call(_core.remove_number, _id("number_group_id", number_group_id),
                   _id("phone_number_id", phone_number_id))

    # -- many numbers at once (the core's batches)

    def _batch(self, op: int, number_group_id: Id, phone_number_ids: Iterable[Id],
               concurrency: int, policy: int, progress: Optional[Progress]) -> List[Any]:
        group, ids = _group(number_group_id), _batch_ids(phone_number_ids)
        conc, fn = _concurrency(concurrency), _progress(progress)
        handle = self._handle  # keeps the C client alive during the call (see _call)
        if handle is None:
            raise _closed()
        rc, out, err, exc = _core.batch_run(handle, op, group, ids, conc, policy, fn)
        if exc is not None:  # Ctrl-C, a signal handler's or progress's exception
            raise _attach(exc, _outcomes(out))
        if rc != _core.SWNG_OK:
            failure = _errors.from_core(rc, err)
            raise _attach(failure, _outcomes(out)) if out is not None else failure
        return _outcomes(out)

    def create_memberships(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                           concurrency: int = 8, if_exists: str = "error",
                           progress: Optional[Progress] = None
                           ) -> List[Union[Membership, _errors.Error]]:
        """Add many phone numbers to one group, `concurrency` requests in
        flight at most (the core's batch), and return one outcome per input,
        in input order: the Membership, or the exception object that
        create_membership would have raised for that number. One failure
        never raises for the whole batch. The GIL is released meanwhile.

        What the core decides, and this method only reports:
          - an id seen before in the input (without case) is sent once; its
            later positions are SkippedError;
          - a 429 pauses the whole batch for its Retry-After and sends the
            item again; an AuthenticationError (401/403) stops it: the
            items not yet sent are SkippedError;
          - if_exists as for create_membership ("return": an existing
            membership, existed=True; "error": its ValidationError).

        Args:
            phone_number_ids: any iterable of str (or uuid.UUID): a list, a
                generator, ... (read whole before anything is sent).
            concurrency: requests in flight at most, 1 to 64 (0: the core's
                default, 8).
            progress: progress(done, total), called on this thread (with
                the GIL) after each outcome. If it raises, the batch is
                cancelled (nothing more is sent, within 50 ms) and that
                exception propagates, with the outcomes so far as its
                ``results`` attribute (unfinished items CancelledError).

        Raises:
            KeyboardInterrupt: Ctrl-C (or whatever a signal handler raised)
                stops the batch within the core's 50 ms check: nothing more
                is sent; the exception's ``results`` attribute is the list
                of outcomes (CancelledError for the unfinished items).
            InvalidArgument: a bad group id or concurrency (nothing sent; a
                bad phone-number id is only that item's InvalidArgument).
            TypeError: arguments of the wrong type (nothing sent).
            ClosedError: after close().
        """
        policy = _if_exists(if_exists)
        return self._batch(_core.SWNG_OP_MEMBERSHIP_CREATE, number_group_id, phone_number_ids,
                           concurrency, policy, progress)

    def remove_numbers(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                       concurrency: int = 8, progress: Optional[Progress] = None
                       ) -> List[Optional[_errors.Error]]:
        """Take many phone numbers out of one group (the core's batch: the
        group's list is read once, then one DELETE per number) and return
        one outcome per input, in input order: None when removed, else the
        exception object (NotFoundError for a number not in the group,
        SkippedError for a duplicate, ...). Arguments, progress, Ctrl-C and
        errors as for create_memberships."""
        return self._batch(_core.SWNG_OP_NUMBER_GROUP_REMOVE_NUMBER, number_group_id,
                           phone_number_ids, concurrency, 0, progress)

    def sync_memberships(self, number_group_id: Id, phone_number_ids: Iterable[Id],
                         dry_run: bool = False, concurrency: int = 8,
                         progress: Optional[Progress] = None) -> SyncResult:
        """Make the group's numbers exactly phone_number_ids: the core plans
        from one read of the group's memberships (to_add, to_remove, kept),
        then, unless dry_run, adds (if_exists "return") and removes with two
        batches. Applied, then planned again, there is nothing to do.

        Every id is checked before anything is sent: one that is not a UUID
        refuses the whole sync (InvalidArgument). progress(done, total)
        counts both batches as one. Ctrl-C and a raising progress stop it as
        for create_memberships; the exception's ``results`` attribute is
        then the SyncResult so far (the remove batch is not run after a
        cancelled add batch: its items are CancelledError, like the
        unfinished adds).

        Raises:
            swng.Error for the plan's read (NotFoundError for an unknown
            group, ...), InvalidArgument, TypeError, ClosedError.
        """
        group, ids = _group(number_group_id), _batch_ids(phone_number_ids)
        flag, conc, fn = _flag("dry_run", dry_run), _concurrency(concurrency), _progress(progress)
        handle = self._handle
        if handle is None:
            raise _closed()
        rc, to_add, to_remove, kept, added, removed, err, exc = _core.sync_run(
            handle, group, ids, flag, conc, fn)
        result = None
        if to_add is not None and to_remove is not None:
            result = SyncResult(to_add, to_remove, kept, bool(flag), _outcomes(added),
                                _outcomes(removed))
        if exc is not None:
            raise _attach(exc, result)
        if rc != _core.SWNG_OK:
            failure = _errors.from_core(rc, err)
            raise _attach(failure, result) if result is not None else failure
        assert result is not None
        return result

    # -- phone numbers (read-only)

    def list_phone_numbers(self, number: Optional[str] = None, name: Optional[str] = None,
                           page_size: Optional[int] = None) -> Iterator[PhoneNumber]:
        """The project's phone numbers ("List Phone Numbers"), with the
        server's filter_number and filter_name (substring matches; None: no
        filter). A lazy iterator, paged like list_number_groups (which see
        for the errors)."""
        return self._list(_core.list_phone_numbers, _opt_str("number", number),
                          _opt_str("name", name), _page_size(page_size))

    def get_phone_number(self, id: Id) -> PhoneNumber:
        """The phone number with this id ("Retrieve a Phone Number");
        NotFoundError when there is none."""
        return self._call(_core.get_phone_number, _id("id", id))  # type: ignore[no-any-return]

    def find_phone_number(self, e164: str) -> PhoneNumber:
        """The one phone number of the project whose number is exactly
        `e164` (the server's filter is a substring match).

        Raises InvalidArgument, before sending, for an argument that is not
        E.164 ("+" and 2 to 15 digits); NotFoundError when there is none;
        AmbiguousError when several match; or any other swng.Error.
        """
        text = _str("e164", e164)
        return self._call(_core.find_phone_number, text)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the client's connections. Idempotent. Calls already running
        in other threads finish first; later calls raise swng.ClosedError."""
        handle, self._handle = self._handle, None
        del handle  # the last reference frees the C client

    def __enter__(self) -> "Client":
        if self._handle is None:
            raise _closed()
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._handle is None and not hasattr(self, "_base_url"):
            return "<swng.Client (not configured)>"
        return "<swng.Client base_url=%r project_id=%r%s>" % (
            self._base_url, self._project_id, " closed" if self._handle is None else "")
