"""Every row of DESIGN.md's error table, against the emulated space.

The expected class of each row is looked up by the C core's code name, and
every raised error is checked against the core's table (swng_status_name),
so these tests also prove that the Python classes come from that table.
"""

from __future__ import annotations

import builtins
import pickle
from typing import Any, Dict, Optional, Type

import pytest

import swng
from swng import swng_core as core
from spaceclient import Space

UNKNOWN_GROUP = "00000000-0000-4000-8000-000000000000"
UNKNOWN_NUMBER = "00000000-0000-4000-8000-000000000001"


def check_error(e: swng.Error, cls: Type[swng.Error], status: int,
                http_status: Optional[int]) -> None:
    """e is exactly cls, its code is the core's name for status, and the
    fields have their documented types."""
    assert type(e) is cls
    assert cls.swng_status == status
    assert e.code == core.swng_status_name(status)
    assert e.http_status == http_status
    assert isinstance(e.message, str) and e.message
    assert str(e) == e.message
    assert isinstance(e.errors, tuple)
    assert e.request_id is None or isinstance(e.request_id, str)
    assert e.retry_after is None or isinstance(e.retry_after, int)


def create_fails(client: swng.Client, group: str, phone: str) -> swng.Error:
    with pytest.raises(swng.Error) as info:
        client.create_membership(group, phone)
    return info.value


# ------------------------------------------------------------ the table

def test_every_core_code_has_a_class() -> None:
    """Each code of the core's one table maps to a class that says it stands
    for that code; the mapping is keyed by the core's own names."""
    assert core.SWNG_STATUS_FIRST == core.SWNG_OK
    names = set()
    for code in range(core.SWNG_STATUS_LAST, core.SWNG_STATUS_FIRST):
        name = core.swng_status_name(code)
        assert name not in ("unknown", "ok")
        names.add(name)
        cls = swng._errors.error_class(name)
        assert cls is not swng.Error, "no exception class for core code %s" % name
        assert cls.swng_status == code
        assert issubclass(cls, swng.Error)
    assert names == set(swng._errors.CLASS_BY_CODE)
    # An unknown (future) code name still gives a swng.Error.
    assert swng._errors.error_class("from_the_future") is swng.Error
    assert core.swng_status_name(core.SWNG_STATUS_LAST - 1) == "unknown"


def test_builtin_bases() -> None:
    assert issubclass(swng.InvalidArgument, ValueError)
    assert issubclass(swng.TimeoutError, builtins.TimeoutError)
    assert issubclass(swng.TimeoutError, swng.TransportError)
    assert issubclass(swng.OutOfMemoryError, MemoryError)
    for name in ("AuthenticationError", "NotFoundError", "ValidationError", "RateLimitError",
                 "ServerError", "TransportError", "ProtocolError", "ClosedError"):
        assert issubclass(getattr(swng, name), swng.Error)


# ----------------------------------------------------------------- rows

def test_200(client: swng.Client, space: Space, group_id: str, phone_id: str) -> None:
    m = client.create_membership(group_id, phone_id)
    assert isinstance(m, swng.Membership)
    assert m.http_status == 200
    assert m.number_group_id == group_id
    assert m.phone_number.id == phone_id
    assert space.memberships()[0]["id"] == m.id


@pytest.mark.parametrize("bad", [
    "", "abc", "41148420-0549-49cf-924c-e4a320c8c1e", "41148420-0549-49cf-924c-e4a320c8c1e9\r\n",
    "41148420-0549-49cf-924c-e4a320c8c1e9\n", "41148420\x00-0549-49cf-924c-e4a320c8c1e9",
    "41148420-0549-49cf-924c-e4a320c8c1e9\x00", "../../x", "4114842/-0549-49cf-924c-e4a320c8c1e9",
    "41148420-0549-49cf-924c-e4a320c8c1e9?x", " 41148420-0549-49cf-924c-e4a320c8c1e9",
    "ü", "\ud800"])
def test_bad_argument_nothing_sent(client: swng.Client, space: Space, group_id: str,
                                   phone_id: str, bad: str) -> None:
    for args, name in (((bad, phone_id), "number_group_id"), ((group_id, bad), "phone_number_id")):
        e = create_fails(client, *args)
        check_error(e, swng.InvalidArgument, core.SWNG_EINVAL, None)
        assert isinstance(e, ValueError)
        assert name in e.message
    assert space.journal() == []


@pytest.mark.parametrize("status", [401, 403])
def test_401_403(space: Space, group_id: str, phone_id: str, status: int) -> None:
    if status == 401:
        client = swng.Client(project_id=space.project_id, token="wrong-token",
                             base_url=space.base_url)
    else:
        client = swng.Client(project_id=space.project_id, token=space.token,
                             base_url=space.base_url)
        space.fault("status", status=403)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.AuthenticationError, core.SWNG_EAUTH, status)
    assert e.request_id == space.journal()[-1]["request_id"]


def test_404(client: swng.Client, space: Space, phone_id: str) -> None:
    e = create_fails(client, UNKNOWN_GROUP, phone_id)
    check_error(e, swng.NotFoundError, core.SWNG_ENOTFOUND, 404)
    assert e.body is not None and "Not Found" in e.body
    assert e.request_id == space.journal()[-1]["request_id"]


def test_422_already_member(client: swng.Client, group_id: str, phone_id: str) -> None:
    client.create_membership(group_id, phone_id)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.ValidationError, core.SWNG_EVALIDATION, 422)
    assert len(e.errors) == 1
    item = e.errors[0]
    assert isinstance(item, swng.ErrorItem)
    assert item.code == "already_member" and item.status == "422"
    assert isinstance(item.title, str) and isinstance(item.detail, str)
    assert phone_id in item.detail


def test_422_unknown_number(client: swng.Client, group_id: str) -> None:
    e = create_fails(client, group_id, UNKNOWN_NUMBER)
    check_error(e, swng.ValidationError, core.SWNG_EVALIDATION, 422)
    assert [i.code for i in e.errors] == ["phone_number_not_found"]
    assert e.errors[0] == swng.ErrorItem(e.errors[0].detail, "422", e.errors[0].title,
                                         "phone_number_not_found")


@pytest.mark.parametrize("header,expected", [("7", 7), ("0", 0)])
def test_429_retry_after(client: swng.Client, space: Space, group_id: str, phone_id: str,
                         header: str, expected: int) -> None:
    space.fault("status", status=429, retry_after=header)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.RateLimitError, core.SWNG_ERATELIMIT, 429)
    assert e.retry_after == expected


def test_429_without_retry_after(client: swng.Client, space: Space, group_id: str,
                                 phone_id: str) -> None:
    space.fault("status", status=429)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.RateLimitError, core.SWNG_ERATELIMIT, 429)
    assert e.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx(client: swng.Client, space: Space, group_id: str, phone_id: str,
             status: int) -> None:
    space.fault("status", status=status)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.ServerError, core.SWNG_ESERVER, status)


def test_503_retry_after_http_date(client: swng.Client, space: Space, group_id: str,
                                   phone_id: str) -> None:
    space.fault("status", status=503, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.ServerError, core.SWNG_ESERVER, 503)
    assert e.retry_after == 0  # a date in the past: retry now


def test_500_from_server_exception(client: swng.Client, space: Space, group_id: str,
                                   phone_id: str) -> None:
    space.fault("exception")
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.ServerError, core.SWNG_ESERVER, 500)


def test_html_502(client: swng.Client, space: Space, group_id: str, phone_id: str) -> None:
    space.fault("html")
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.ServerError, core.SWNG_ESERVER, 502)
    assert e.body is not None and "<h1>502 Bad Gateway</h1>" in e.body


def test_timeout(space: Space, group_id: str, phone_id: str) -> None:
    client = swng.Client(project_id=space.project_id, token=space.token,
                         base_url=space.base_url, timeout=0.3)
    space.fault("delay", seconds=2)
    with pytest.raises(builtins.TimeoutError) as info:
        client.create_membership(group_id, phone_id)
    e = info.value
    assert isinstance(e, swng.Error)
    check_error(e, swng.TimeoutError, core.SWNG_ETIMEOUT, None)


def test_timeout_mid_body(space: Space, group_id: str, phone_id: str) -> None:
    client = swng.Client(project_id=space.project_id, token=space.token,
                         base_url=space.base_url, timeout=0.4)
    space.fault("stall", seconds=2)
    e = create_fails(client, group_id, phone_id)
    assert isinstance(e, swng.TimeoutError) and e.code == "timeout"


def test_connection_closed(space: Space, group_id: str, phone_id: str) -> None:
    # A fresh client, so the drop is on a new connection (libcurl silently
    # retries a request once when a *reused* connection dies).
    client = swng.Client(project_id=space.project_id, token=space.token,
                         base_url=space.base_url)
    space.fault("close", count=2)
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.TransportError, core.SWNG_ETRANSPORT, None)
    assert not isinstance(e, swng.TimeoutError)


def test_truncated_body(client: swng.Client, space: Space, group_id: str, phone_id: str) -> None:
    space.fault("truncate")
    e = create_fails(client, group_id, phone_id)
    assert type(e) is swng.TransportError and e.code == "transport"


def test_connection_refused(space: Space, group_id: str, phone_id: str) -> None:
    client = swng.Client(project_id=space.project_id, token=space.token,
                         base_url="http://127.0.0.1:9")
    e = create_fails(client, group_id, phone_id)
    check_error(e, swng.TransportError, core.SWNG_ETRANSPORT, None)


@pytest.mark.parametrize("fault", [
    {"mode": "malformed"},
    {"mode": "body", "body": '{"id": "not-a-uuid"}'},
    {"mode": "body", "body": "[]"},
    {"mode": "body", "body": ""},
    {"mode": "body", "status": 201, "body": '{"id": 5}'},
    {"mode": "oversize"},
    {"mode": "redirect"},
    {"mode": "status", "status": 418},
])
def test_contract_breaking_response(client: swng.Client, space: Space, group_id: str,
                                    phone_id: str, fault: Dict[str, Any]) -> None:
    space.fault(**fault)
    e = create_fails(client, group_id, phone_id)
    assert type(e) is swng.ProtocolError
    assert e.code == core.swng_status_name(core.SWNG_EPROTOCOL) == "protocol"
    assert e.http_status is not None


def test_retries_are_the_cores(space: Space, group_id: str, phone_id: str) -> None:
    client = swng.Client(project_id=space.project_id, token=space.token,
                         base_url=space.base_url, max_retries=2, retry_base=0.05)
    space.fault("status", status=503, retry_after="0")
    m = client.create_membership(group_id, phone_id)
    assert m.http_status == 200
    assert [r["status"] for r in space.journal()] == [503, 200]


def test_error_pickles(client: swng.Client, group_id: str) -> None:
    e = create_fails(client, group_id, UNKNOWN_NUMBER)
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is swng.ValidationError
    assert (copy.code, copy.http_status, copy.message, copy.errors, copy.request_id) == \
        (e.code, e.http_status, e.message, e.errors, e.request_id)
    assert repr(copy) == repr(e)
    assert repr(e).startswith("ValidationError(code='validation', http_status=422")


def test_error_constructible() -> None:
    e = swng.NotFoundError("not_found", 404, "gone", request_id="r1")
    assert (e.code, e.http_status, e.message, e.errors, e.request_id, e.retry_after) == \
        ("not_found", 404, "gone", (), "r1", None)


def test_error_without_detail_comes_from_the_table() -> None:
    """When the core cannot allocate error detail (out of memory) the code
    alone picks the class and the core's fixed text is the message."""
    e = swng._errors.from_core(core.SWNG_ENOMEM, None)
    check_error(e, swng.OutOfMemoryError, core.SWNG_ENOMEM, None)
    assert isinstance(e, MemoryError)
    assert e.message == core.swng_strerror(core.SWNG_ENOMEM)


def test_results_and_errors_arrive_converted() -> None:
    """The core builds results and errors in one call (bindings/python.i):
    the low-level module has no per-field accessors for the face to call."""
    for name in dir(core):
        assert not name.startswith(("swng_membership_", "swng_error_")), name

