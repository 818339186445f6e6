"""swng's exceptions, one class per code of the C core's error table.

The classes do not decide anything: the C core classifies every failure
(HTTP status, transport failure, contract breach, bad argument) into one of
its swng_status codes, and this module only picks the class whose core code
name matches. The class-to-name table below is built by asking the core for
each class's name (swng_status_name), so a name can never drift from C.
"""

from __future__ import annotations

import builtins
from typing import Any, ClassVar, Dict, NamedTuple, Optional, Sequence, Tuple, Type

from . import swng_core as _core

__all__ = [
    "Error", "ErrorItem", "InvalidArgument", "OutOfMemoryError", "AuthenticationError",
    "NotFoundError", "ValidationError", "RateLimitError", "ServerError", "TransportError",
    "TimeoutError", "ProtocolError", "ClosedError",
]


class ErrorItem(NamedTuple):
    """One item of a 422 response's ``errors`` array (strings, as sent)."""

    detail: Optional[str]
    status: Optional[str]
    title: Optional[str]
    code: Optional[str]


class Error(Exception):
    """Base class of every swng error.

    Attributes:
        code: the stable short name from the C core's error table, the same
            string in C, Python and Lua (for example ``"not_found"``).
        http_status: the HTTP status of the response, or None when there was
            no response (bad argument, connection failure, timeout).
        message: what went wrong, in words; never contains the API token.
        errors: the 422 response's ``errors`` items (empty otherwise).
        request_id: the response's X-Request-Id, or None.
        retry_after: the server's Retry-After in seconds, or None.
        body: the raw response body (at most 64 KiB), or None.
    """

    #: The core status code this class stands for (None: any unknown code).
    swng_status: ClassVar[Optional[int]] = None

    code: str
    http_status: Optional[int]
    message: str
    errors: Tuple[ErrorItem, ...]
    request_id: Optional[str]
    retry_after: Optional[int]
    body: Optional[str]

    def __init__(self, code: str, http_status: Optional[int], message: str,
                 errors: Sequence[ErrorItem] = (), request_id: Optional[str] = None,
                 retry_after: Optional[int] = None, body: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.message = message
        self.errors = tuple(errors)
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return "%s(code=%r, http_status=%r, message=%r, request_id=%r)" % (
            type(self).__name__, self.code, self.http_status, self.message, self.request_id)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.code, self.http_status, self.message, self.errors,
                             self.request_id, self.retry_after, self.body))


class InvalidArgument(Error, ValueError):
    """A bad argument or option; nothing was sent."""
    swng_status = _core.SWNG_EINVAL


class OutOfMemoryError(Error, builtins.MemoryError):
    """The C library ran out of memory."""
    swng_status = _core.SWNG_ENOMEM


class AuthenticationError(Error):
    """HTTP 401 or 403: the project id / token were refused."""
    swng_status = _core.SWNG_EAUTH


class NotFoundError(Error):
    """HTTP 404: the number group (or the route) does not exist."""
    swng_status = _core.SWNG_ENOTFOUND


class ValidationError(Error):
    """HTTP 422: the request failed validation; see ``errors``."""
    swng_status = _core.SWNG_EVALIDATION


class RateLimitError(Error):
    """HTTP 429: rate limited; ``retry_after`` says how long to wait, if known."""
    swng_status = _core.SWNG_ERATELIMIT


class ServerError(Error):
    """HTTP 5xx."""
    swng_status = _core.SWNG_ESERVER


class TransportError(Error):
    """Connection, DNS, TLS or reset failure (no usable response)."""
    swng_status = _core.SWNG_ETRANSPORT


class TimeoutError(TransportError, builtins.TimeoutError):
    """The connect or total timeout expired (also a builtin TimeoutError)."""
    swng_status = _core.SWNG_ETIMEOUT


class ProtocolError(Error):
    """The server's answer breaks the API contract (for example a 2xx whose
    body is not a membership, or a status the contract does not describe)."""
    swng_status = _core.SWNG_EPROTOCOL


class ClosedError(Error):
    """The client was used after close()."""
    swng_status = _core.SWNG_ECLOSED


_CLASSES: Tuple[Type[Error], ...] = (
    InvalidArgument, OutOfMemoryError, AuthenticationError, NotFoundError, ValidationError,
    RateLimitError, ServerError, TransportError, TimeoutError, ProtocolError, ClosedError)

#: core code name (from swng_status_name) -> exception class
CLASS_BY_CODE: Dict[str, Type[Error]] = {
    _core.swng_status_name(cls.swng_status): cls for cls in _CLASSES if cls.swng_status is not None}


def error_class(code: str) -> Type[Error]:
    """The exception class for a core code name; Error for a name this
    version does not know (the core only ever appends codes)."""
    return CLASS_BY_CODE.get(code, Error)


def from_core(rc: int, err: Optional[_core.swng_error]) -> Error:
    """The exception for a failed core call: its status and its swng_error."""
    if err is None:  # the core could not even allocate the detail
        name = _core.swng_status_name(rc)
        return error_class(name)(name, None, _core.swng_strerror(rc))
    name = _core.swng_error_code_name(err)
    items = tuple(
        ErrorItem(_core.swng_error_item_detail(err, i), _core.swng_error_item_status(err, i),
                  _core.swng_error_item_title(err, i), _core.swng_error_item_code(err, i))
        for i in range(_core.swng_error_item_count(err)))
    http_status = _core.swng_error_http_status(err)
    retry_after = _core.swng_error_retry_after(err)
    return error_class(name)(
        name, http_status if http_status > 0 else None, _core.swng_error_message(err),
        items, _core.swng_error_request_id(err), retry_after if retry_after >= 0 else None,
        _core.swng_error_body(err))


def binding_error(status: int, message: str) -> Error:
    """An error the binding itself detects (a closed client, a NUL in a
    string the C API cannot carry), named from the core's table."""
    name = _core.swng_status_name(status)
    return error_class(name)(name, None, message)
