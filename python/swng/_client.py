"""swng.Client and swng.Membership: a thin face over the C core.

Everything that matters happens in C (libswng): configuration from the
environment, validation, HTTP, authentication, JSON, retries and the
classification of errors. This module converts Python values to what the C
API takes (and checks their *types*), and C results to Python objects.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, Mapping, Optional, Tuple, Type, Union

from . import _errors
from . import swng_core as _core

__all__ = ["Client", "Membership", "PhoneNumber"]

Id = Union[str, uuid.UUID]
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


@dataclass(frozen=True)
class PhoneNumber:
    """The phone number of a membership. Fields the server left out are None."""

    id: Optional[str]
    name: Optional[str]
    number: Optional[str]
    capabilities: Tuple[str, ...]


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


def _id(name: str, value: Id) -> bytes:
    """An id argument as counted bytes: embedded NULs reach the core intact,
    which refuses them like any other bad id."""
    if isinstance(value, uuid.UUID):
        value = str(value)
    if not isinstance(value, str):
        raise _type_error(name, "a str (or uuid.UUID)", value)
    return value.encode("utf-8", "surrogatepass")


# --------------------------------------------------------------------- client

class Client:
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
        if token is not None and not isinstance(token, str):
            raise _type_error("token", "a str or None", token)
        secret = None if token is None else _Secret(token)
        del token
        self._handle: Optional[_core.swng_client] = None
        opts = _options({
            "space": space, "project_id": project_id, "token": secret, "base_url": base_url,
            "ca_file": ca_file, "timeout": timeout, "connect_timeout": connect_timeout,
            "max_retries": max_retries, "retry_base": retry_base, "retry_max": retry_max,
            "headers": headers, "proxy": proxy})
        del secret  # the core keeps its own copy; none stays here
        rc, handle, err = _core.client_new(opts)
        del opts
        if rc != _core.SWNG_OK or handle is None:
            raise _errors.from_core(rc, err)
        self._handle = handle
        self._base_url: str = _core.swng_client_base_url(handle)
        self._project_id: str = _core.swng_client_project_id(handle)

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

    def create_membership(self, number_group_id: Id, phone_number_id: Id) -> Membership:
        """Add a phone number to a number group ("Create a Number Group
        Membership") and return the new membership.

        Raises a subclass of swng.Error: InvalidArgument (nothing sent),
        AuthenticationError, NotFoundError, ValidationError, RateLimitError,
        ServerError, TransportError, TimeoutError, ProtocolError, or
        ClosedError after close(). TypeError for arguments that are not str.
        """
        group = _id("number_group_id", number_group_id)
        phone = _id("phone_number_id", phone_number_id)
        # The local reference keeps the C client alive until this call is
        # over, even if another thread calls close() meanwhile.
        handle = self._handle
        if handle is None:
            raise _errors.binding_error(_core.SWNG_ECLOSED, "the swng.Client is closed")
        rc, m, err = _core.create_membership(handle, group, phone)
        if m is None:
            raise _errors.from_core(rc, err)
        return m  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the client's connections. Idempotent. Calls already running
        in other threads finish first; later calls raise swng.ClosedError."""
        handle, self._handle = self._handle, None
        del handle  # the last reference frees the C client

    def __enter__(self) -> "Client":
        if self._handle is None:
            raise _errors.binding_error(_core.SWNG_ECLOSED, "the swng.Client is closed")
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._handle is None and not hasattr(self, "_base_url"):
            return "<swng.Client (not configured)>"
        return "<swng.Client base_url=%r project_id=%r%s>" % (
            self._base_url, self._project_id, " closed" if self._handle is None else "")
