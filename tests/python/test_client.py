"""swng.Client and swng.Membership: arguments, configuration, results,
context manager and close, token redaction, non-ASCII text."""

from __future__ import annotations

import gc
import threading
import time
import uuid
import weakref
from typing import Any, Dict

import pytest

import swng
from swng import swng_core as core
from spaceclient import Space


def make_client(sp: Space, /, **kw: Any) -> swng.Client:
    args: Dict[str, Any] = dict(project_id=sp.project_id, token=sp.token, base_url=sp.base_url)
    args.update(kw)
    return swng.Client(**args)


# ------------------------------------------------------------ results

def test_membership_fields(client: swng.Client, space: Space, group_id: str,
                           phone_id: str) -> None:
    m = client.create_membership(group_id, phone_id)
    stored = space.memberships()[0]
    assert m.id == stored["id"]
    assert m.number_group_id == group_id
    assert m.phone_number == swng.PhoneNumber(
        id=phone_id, name="Main line", number="+15551230001",
        capabilities=("voice", "sms", "mms", "fax"))
    assert isinstance(m.phone_number.capabilities, tuple)
    assert m.created_at == stored["created_at"] and m.updated_at == stored["updated_at"]
    assert m.http_status == 200
    assert m.request_id == space.journal()[-1]["request_id"]
    assert m.to_dict() == stored
    m.to_dict()["id"] = "changed"  # a new dict each time
    assert m.to_dict()["id"] == stored["id"]
    with pytest.raises(AttributeError):
        m.id = "x"  # type: ignore[misc]


def test_request_on_the_wire(client: swng.Client, space: Space, group_id: str,
                             phone_id: str) -> None:
    client.create_membership(group_id, phone_id)
    [req] = space.journal()
    assert req["method"] == "POST"
    assert req["path"] == "/api/relay/rest/number_groups/%s/number_group_memberships" % group_id
    assert req["headers"]["authorization"].startswith("Basic ")


def test_non_ascii_name_arrives_as_str(client: swng.Client, group_id: str,
                                       zurich: Dict[str, Any]) -> None:
    m = client.create_membership(group_id, zurich["id"])
    assert type(m.phone_number.name) is str
    assert m.phone_number.name == "Zürich Büro ☎"
    assert m.to_dict()["phone_number"]["name"] == "Zürich Büro ☎"
    assert "Zürich Büro ☎" in repr(m)


def test_empty_capabilities(client: swng.Client, group_id: str,
                            fixture_data: Dict[str, Any]) -> None:
    spare = next(n for n in fixture_data["phone_numbers"] if n["name"] == "Spare")
    m = client.create_membership(group_id, spare["id"])
    assert m.phone_number.capabilities == ()


def test_unknown_fields_kept(client: swng.Client, space: Space, group_id: str,
                             phone_id: str) -> None:
    body = ('{"id": "5c094240-7f99-4a90-a561-0f3b277c6f95", "number_group_id": "%s", '
            '"phone_number": {"id": "%s"}, "created_at": "a", "updated_at": "b", "extra": [1]}'
            % (group_id, phone_id))
    space.fault("body", status=201, body=body)
    m = client.create_membership(group_id, phone_id)
    assert m.http_status == 201
    assert m.phone_number == swng.PhoneNumber(id=phone_id, name=None, number=None,
                                              capabilities=())
    assert m.to_dict()["extra"] == [1]


def test_uuid_objects_and_case(client: swng.Client, group_id: str, phone_id: str) -> None:
    m = client.create_membership(uuid.UUID(group_id), uuid.UUID(phone_id))
    assert m.number_group_id == group_id


# ---------------------------------------------------------- arguments

@pytest.mark.parametrize("bad", [None, b"41148420-0549-49cf-924c-e4a320c8c1e9", 42, 4.2,
                                 ["x"], object()])
def test_bad_argument_types(client: swng.Client, space: Space, group_id: str, phone_id: str,
                            bad: Any) -> None:
    with pytest.raises(TypeError, match="number_group_id"):
        client.create_membership(bad, phone_id)
    with pytest.raises(TypeError, match="phone_number_id"):
        client.create_membership(group_id, bad)
    assert space.journal() == []


@pytest.mark.parametrize("kw", [
    {"token": 123}, {"project_id": b"x"}, {"space": 1}, {"base_url": b"http://127.0.0.1"},
    {"timeout": "3"}, {"timeout": True}, {"connect_timeout": [1]}, {"max_retries": "1"},
    {"max_retries": True}, {"headers": [("X-A", "b")]},
    {"headers": {"X-A": 1}}, {"headers": {b"X-A": "b"}}, {"ca_file": 3},
])
def test_bad_option_types(space: Space, kw: Dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        make_client(space, **kw)


@pytest.mark.parametrize("kw,words", [
    ({"project_id": None}, "project_id"),
    ({"token": None}, "token"),
    ({"project_id": "a:b"}, "project_id"),
    ({"token": "a\nb"}, "token"),
    ({"token": "a\x00b"}, "token"),
    ({"base_url": "http://example.com"}, "http"),
    ({"base_url": "https://example.com/path"}, "path"),
    ({"base_url": "ftp://127.0.0.1"}, "https"),
    ({"base_url": None, "space": "bad space!"}, "space"),
    ({"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
    ({"headers": {"Authorization": "Basic x"}}, "Authorization"),
    ({"headers": {"X-Trace": "a\r\nEvil: 1"}}, "header"),
    ({"headers": {"X-Trace": "a\x00b"}}, "headers"),
    ({"headers": {"Bad Name": "x"}}, "header"),
    ({"timeout": 0}, "timeout"),
    ({"timeout": -1}, "timeout"),
    ({"connect_timeout": float("nan")}, "connect_timeout"),
    # The core's one rule (the same in Lua and the command): a number of the
    # right type but out of range is InvalidArgument, never OverflowError.
    ({"retry_max": float("inf")}, "retry_max"),
    ({"timeout": 10 ** 400}, "timeout"),
    ({"timeout": 86400.5}, "timeout"),
    ({"max_retries": 1.5}, "max_retries"),
    ({"max_retries": 101}, "max_retries"),
    ({"max_retries": -1}, "max_retries"),
])
def test_bad_options(space: Space, kw: Dict[str, Any], words: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        make_client(space, **kw)
    e = info.value
    assert e.code == core.swng_status_name(core.SWNG_EINVAL) == "invalid_argument"
    assert e.http_status is None
    assert words.lower() in e.message.lower()
    assert space.journal() == []


def test_extra_headers_are_sent(space: Space, group_id: str, phone_id: str) -> None:
    client = make_client(space, headers={"X-Trace-Id": "trace-ü-1", "Prefer": "code=200"})
    client.create_membership(group_id, phone_id)
    headers = space.journal()[-1]["headers"]
    assert headers["prefer"] == "code=200"
    assert "trace-" in headers["x-trace-id"]


def test_configuration_from_environment(space: Space, monkeypatch: pytest.MonkeyPatch,
                                        group_id: str, phone_id: str) -> None:
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", space.project_id)
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", space.token)
    monkeypatch.setenv("SIGNALWIRE_REST_BASE_URL", space.base_url)
    with swng.Client() as client:
        assert client.base_url == space.base_url
        assert client.project_id == space.project_id
        assert client.create_membership(group_id, phone_id).http_status == 200


def test_explicit_arguments_win(space: Space, monkeypatch: pytest.MonkeyPatch,
                                group_id: str, phone_id: str) -> None:
    monkeypatch.setenv("SIGNALWIRE_PROJECT_ID", "someone-else")
    monkeypatch.setenv("SIGNALWIRE_API_TOKEN", "wrong")
    monkeypatch.setenv("SIGNALWIRE_SPACE", "example")
    client = make_client(space)
    assert client.base_url == space.base_url
    assert client.create_membership(group_id, phone_id).http_status == 200


def test_space_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNALWIRE_SPACE", "example")
    client = swng.Client(project_id="p", token="t")
    assert client.base_url == "https://example.signalwire.com"
    assert swng.Client("acme.example.org", "p", "t").base_url == "https://acme.example.org"


def test_missing_configuration() -> None:
    with pytest.raises(swng.InvalidArgument, match="project_id"):
        swng.Client()


# ----------------------------------------------- context manager, close

def test_context_manager_closes(space: Space, group_id: str, phone_id: str) -> None:
    with make_client(space) as client:
        assert not client.closed
        client.create_membership(group_id, phone_id)
    assert client.closed
    with pytest.raises(swng.ClosedError) as info:
        client.create_membership(group_id, phone_id)
    assert info.value.code == core.swng_status_name(core.SWNG_ECLOSED) == "closed"
    assert "closed" in str(info.value)
    assert len(space.journal()) == 1


def test_close_is_idempotent_and_final(space: Space, group_id: str, phone_id: str) -> None:
    client = make_client(space)
    client.close()
    client.close()
    assert "closed" in repr(client)
    with pytest.raises(swng.ClosedError):
        client.create_membership(group_id, phone_id)
    with pytest.raises(swng.ClosedError):
        with client:
            pass
    # Type errors are still reported as such.
    with pytest.raises(TypeError):
        client.create_membership(None, phone_id)  # type: ignore[arg-type]


def test_exception_inside_with_still_closes(space: Space) -> None:
    with pytest.raises(RuntimeError):
        with make_client(space) as client:
            raise RuntimeError("boom")
    assert client.closed


def test_close_while_a_call_runs(space: Space, group_id: str, phone_id: str) -> None:
    """close() from another thread lets the running call finish normally."""
    client = make_client(space)
    space.fault("delay", seconds=0.5)
    result: Dict[str, Any] = {}

    def call() -> None:
        try:
            result["m"] = client.create_membership(group_id, phone_id)
        except BaseException as e:  # pragma: no cover - reported below
            result["e"] = e

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.15)
    client.close()
    t.join(10)
    assert "e" not in result, result.get("e")
    assert result["m"].http_status == 200
    with pytest.raises(swng.ClosedError):
        client.create_membership(group_id, phone_id)


def test_unclosed_client_is_freed() -> None:
    client = swng.Client(project_id="p", token="t", base_url="http://127.0.0.1:9")
    ref = weakref.ref(client)
    del client
    gc.collect()
    assert ref() is None


# ------------------------------------------------------------ secrets

def test_token_never_shown(space: Space, group_id: str, phone_id: str) -> None:
    secret = "PT-very-secret-token-4242"
    seen = []
    client = make_client(space, token=secret)
    seen += [repr(client), str(client)]
    e: BaseException
    with pytest.raises(swng.AuthenticationError) as info:
        client.create_membership(group_id, phone_id)
    e = info.value
    seen += [repr(e), str(e), e.message, e.body or "", repr(e.__dict__)]
    good = make_client(space)
    m = good.create_membership(group_id, phone_id)
    seen += [repr(m), str(m), repr(m.to_dict())]
    for kw in ({"token": secret + "\n"}, {"project_id": "a:b", "token": secret},
               {"base_url": "http://user:%s@127.0.0.1" % secret, "token": secret}):
        with pytest.raises(swng.InvalidArgument) as bad:
            make_client(space, **kw)
        seen += [repr(bad.value), str(bad.value)]
    client.close()
    seen.append(repr(client))
    for text in seen:
        assert secret not in text
        assert space.token not in text
    assert not hasattr(client, "token")


def test_version() -> None:
    assert swng.__version__ == core.swng_version() == core.SWNG_VERSION
    assert core.swng_version_num() == core.SWNG_VERSION_NUM
