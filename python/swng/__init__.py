"""swng: add a phone number to a SignalWire number group.

A thin Python face over the swng C library, which does the HTTP, the
authentication, the JSON, the validation and the error classification, so
that Python, Lua and C programs behave exactly alike::

    import swng

    with swng.Client() as client:      # SIGNALWIRE_* from the environment
        group = client.find_number_group("Sales")
        number = client.find_phone_number("+15551230001")
        m = client.create_membership(group.id, number.id, if_exists="return")
        for member in client.list_memberships(group.id):
            print(member.phone_number.number)

swng.AsyncClient has the same operations as coroutines (and the lists as
async iterators), driven by the running asyncio event loop with no threads::

    async with swng.AsyncClient() as client:
        m = await client.create_membership(group_id, number_id)
"""

from . import swng_core as _core
from ._async import AsyncClient
from ._client import Client, Membership, NumberGroup, PhoneNumber, SyncResult
from ._errors import (
    AmbiguousError,
    AuthenticationError,
    CancelledError,
    ClosedError,
    Error,
    ErrorItem,
    InvalidArgument,
    NotFoundError,
    OutOfMemoryError,
    ProtocolError,
    RateLimitError,
    ServerError,
    SkippedError,
    TimeoutError,
    TransportError,
    ValidationError,
)

# Show the public classes as swng.X (in tracebacks, reprs and pickles).
for _cls in (Client, AsyncClient, Membership, NumberGroup, PhoneNumber, SyncResult, Error, ErrorItem, InvalidArgument,
             OutOfMemoryError, AuthenticationError, NotFoundError, ValidationError,
             RateLimitError, ServerError, TransportError, TimeoutError, ProtocolError,
             ClosedError, AmbiguousError, CancelledError, SkippedError):
    _cls.__module__ = __name__
del _cls

#: The version of the C library this module runs on (swng_version()).
__version__: str = _core.swng_version()

__all__ = [
    "__version__",
    "Client", "AsyncClient", "Membership", "NumberGroup", "PhoneNumber", "SyncResult",
    "Error", "ErrorItem", "InvalidArgument", "OutOfMemoryError", "AuthenticationError",
    "NotFoundError", "ValidationError", "RateLimitError", "ServerError", "TransportError",
    "TimeoutError", "ProtocolError", "ClosedError", "AmbiguousError", "CancelledError",
    "SkippedError",
]
