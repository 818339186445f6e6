"""swng.Client and swng.Membership: a thin face over the C core.

Everything that matters happens in C (libswng): configuration from the
environment, validation, HTTP, authentication, JSON, retries and the
classification of errors. This module converts Python values to what the C
API takes (and checks their *types*), and C results to Python objects.
"""

from __future__ import annotations

import json
import math
import os
import uuid
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type, Union

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

    @classmethod
    def _from_core(cls, m: _core.swng_membership) -> "Membership":
        phone = PhoneNumber(
            id=_core.swng_membership_phone_number_id(m),
            name=_core.swng_membership_phone_number_name(m),
            number=_core.swng_membership_phone_number_number(m),
            capabilities=tuple(_core.swng_membership_capability(m, i)
                               for i in range(_core.swng_membership_capability_count(m))))
        return cls(
            id=_core.swng_membership_id(m),
            number_group_id=_core.swng_membership_number_group_id(m),
            phone_number=phone,
            created_at=_core.swng_membership_created_at(m),
            updated_at=_core.swng_membership_updated_at(m),
            http_status=_core.swng_membership_http_status(m),
            request_id=_core.swng_membership_request_id(m),
            _json=_core.swng_membership_json(m))


# ---------------------------------------------------------------- conversions
# Strings go to C as UTF-8 bytes. "surrogatepass" lets even a malformed str
# through, so that the core (not this module) is what refuses it.

def _type_error(name: str, expected: str, value: object) -> TypeError:
    return TypeError("%s must be %s, not %s" % (name, expected, type(value).__name__))


def _c_string(name: str, value: Optional[str]) -> Optional[bytes]:
    """An optional string option as NUL-terminated C text (None: NULL)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(name, "a str or None", value)
    data = value.encode("utf-8", "surrogatepass")
    if b"\0" in data:
        # C strings end at a NUL: the core could not even see the rest.
        raise _errors.binding_error(_core.SWNG_EINVAL, "%s must not contain NUL characters" % name)
    return data


def _c_path(name: str, value: Optional[PathArg]) -> Optional[bytes]:
    if value is None:
        return None
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise _type_error(name, "a path (str, bytes or os.PathLike) or None", value)
    data = os.fsencode(value)
    if b"\0" in data:
        raise _errors.binding_error(_core.SWNG_EINVAL, "%s must not contain NUL characters" % name)
    return data


def _milliseconds(name: str, seconds: Optional[float]) -> int:
    """Seconds (int or float) as the core's milliseconds; None: the core's default."""
    if seconds is None:
        return 0
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise _type_error(name, "a number of seconds or None", seconds)
    if not (math.isfinite(seconds) and seconds > 0):
        # 0 would mean "default" in C; a Python caller means something else.
        raise _errors.binding_error(_core.SWNG_EINVAL,
                                    "%s must be a positive, finite number of seconds" % name)
    return max(1, math.ceil(seconds * 1000))


def _headers(headers: Optional[Mapping[str, str]]) -> Optional[List[bytes]]:
    """A mapping of extra request headers as the core's "Name: value" list.
    The core decides which names and values are acceptable."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise _type_error("headers", "a mapping of str to str or None", headers)
    lines = []
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("headers must map str to str, not %s to %s"
                            % (type(name).__name__, type(value).__name__))
        line = _c_string("headers", "%s: %s" % (name, value))
        assert line is not None
        lines.append(line)
    return lines


def _id(name: str, value: Id) -> bytes:
    """An id argument as counted bytes: embedded NULs reach the core intact
    (swng_membership_create_n), which refuses them like any other bad id."""
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
            connect failures), with backoff honouring Retry-After (default 0).
        retry_base: first backoff delay in seconds (default 0.5).
        retry_max: longest single wait in seconds (default 30).
        headers: extra request headers, {name: value}.

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
                 ca_file: Optional[PathArg] = None, max_retries: int = 0,
                 retry_base: Optional[float] = None, retry_max: Optional[float] = None,
                 headers: Optional[Mapping[str, str]] = None) -> None:
        self._handle: Optional[_core.swng_client] = None
        if isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise _type_error("max_retries", "an int", max_retries)
        if not 0 <= max_retries <= 0xFFFFFFFF:
            raise _errors.binding_error(_core.SWNG_EINVAL,
                                        "max_retries must be between 0 and 4294967295")
        rc, handle, err = _core.client_new(
            _c_string("space", space), _c_string("project_id", project_id),
            _c_string("token", token), _c_string("base_url", base_url),
            _c_path("ca_file", ca_file),
            _milliseconds("connect_timeout", connect_timeout), _milliseconds("timeout", timeout),
            max_retries, _milliseconds("retry_base", retry_base),
            _milliseconds("retry_max", retry_max), _headers(headers))
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
        rc, m, err = _core.swng_membership_create_n(handle, group, phone)
        if rc != _core.SWNG_OK or m is None:
            raise _errors.from_core(rc, err)
        return Membership._from_core(m)

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
