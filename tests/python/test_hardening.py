"""Hardening (issue 11) as Python sees it: the core's guarantees reach
every exception (no credential in any form, valid UTF-8 that logging can
write), strict successful bodies, Retry-After, proxies, and no token in a
traceback's captured locals."""

from __future__ import annotations

import base64
import io
import logging
import os
import socket
import threading
import traceback
from typing import Any, Iterator, List

import pytest

import swng
from spaceclient import Space


def _texts(e: swng.Error) -> List[str]:
    out = [e.message, str(e), repr(e), e.body or "", e.request_id or ""]
    for item in e.errors:
        out.extend(v for v in item if v)
    return out


def _call_error(space: Space, group_id: str, phone_id: str, **fault: Any) -> swng.Error:
    space.fault(**fault)
    with swng.Client(project_id=space.project_id, token=space.token,
                     base_url=space.base_url, timeout=10) as c:
        with pytest.raises(swng.Error) as info:
            c.create_membership(group_id, phone_id)
    return info.value


def _credential_b64(space: Space) -> str:
    return base64.b64encode(("%s:%s" % (space.project_id, space.token)).encode()).decode()


def test_escaped_token_and_basic_credentials_never_reach_python(
        space: Space, group_id: str, phone_id: str) -> None:
    escaped = "".join("\\u%04x" % ord(ch) for ch in space.token)
    cred = _credential_b64(space)
    body = ('{"errors":[{"detail":"token %s","status":"422","title":"Basic %s",'
            '"code":"c"}],"echo":"%s"}' % (escaped, cred, cred.replace("/", "\\/")))
    e = _call_error(space, group_id, phone_id, mode="status", status=422, body=body,
                    headers={"X-Request-Id": "rid-" + space.token})
    assert isinstance(e, swng.ValidationError)
    for text in _texts(e):
        assert space.token not in text
        assert cred[:40] not in text
        assert escaped[:30] not in text
    assert e.request_id == "rid-***"


def test_token_cut_by_a_limit_leaves_no_piece(space: Space, group_id: str,
                                              phone_id: str) -> None:
    # The token across the old 640-byte message cut and the 64 KiB body cut.
    pad = "a" * (640 - len("server error (HTTP 500): ") - 10)
    e = _call_error(space, group_id, phone_id, mode="status", status=500,
                    body='{"error":"%s%s"}' % (pad, space.token))
    big = "b" * (64 * 1024 - 10) + space.token + "c" * 100
    e2 = _call_error(space, group_id, phone_id, mode="status", status=500, body=big)
    for err in (e, e2):
        for text in _texts(err):
            for i in range(len(space.token) - 5):
                assert space.token[i:i + 6] not in text


def test_invalid_utf8_from_a_server_is_encodable_and_logs(
        space: Space, group_id: str, phone_id: str) -> None:
    raw = b'{"error":"caf\xe9 \xff\xfe \xed\xa0\x80 ok","x":"\x00"}'
    e = _call_error(space, group_id, phone_id, mode="status", status=500,
                    body_base64=base64.b64encode(raw).decode())
    for text in _texts(e):
        text.encode("utf-8")  # strict: no surrogates, nothing unencodable
    assert "\ufffd" in e.message and e.message.endswith("ok")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("swng-hardening-test")
    log.addHandler(handler)
    try:
        log.error("call failed: %s (body %s)", e, e.body)
    finally:
        log.removeHandler(handler)
    stream.getvalue().encode("utf-8")
    assert "call failed: server error" in stream.getvalue()


def test_long_multibyte_message_is_cut_on_a_character(space: Space, group_id: str,
                                                      phone_id: str) -> None:
    e = _call_error(space, group_id, phone_id, mode="status", status=500,
                    body='{"error":"%s"}' % ("\u260e" * 2000))
    assert len(e.message.encode("utf-8")) <= 1024
    assert "\ufffd" not in e.message
    assert e.message.endswith("\u260e")


def _membership(group_id: str, phone_id: str, name: str = "Main", extra: str = "") -> str:
    """A conforming membership body, with `name` (JSON text) as the number's
    name and `extra` members added: only what is under test breaks it."""
    return ('{"id":"%s","number_group_id":"%s","phone_number":{"id":"%s","name":"%s",'
            '"number":"+15551234567","capabilities":["sms"]},%s'
            '"created_at":"2026-11-26T06:40:01Z","updated_at":"2026-11-26T06:40:01Z"}'
            % (phone_id, group_id, phone_id, name, extra))


@pytest.mark.parametrize("name,extra", [
    ("Main", '"id":"00000000-1111-4222-8333-444444444444",'),
    ("Main", '"x":{"k":1,"k":2},'),
    ("Ma\\u0000in", ""),
    ("Ma\tin", ""),
])
def test_strict_successful_bodies(space: Space, group_id: str, phone_id: str,
                                  name: str, extra: str) -> None:
    # Each would otherwise be read one way by C and another by to_dict().
    space.fault("body", status=200, body=_membership(group_id, phone_id, "Main", ""))
    with swng.Client(project_id=space.project_id, token=space.token,
                     base_url=space.base_url) as c:
        assert c.create_membership(group_id, phone_id).phone_number.name == "Main"
    e = _call_error(space, group_id, phone_id, mode="body", status=200,
                    body=_membership(group_id, phone_id, name, extra))
    assert isinstance(e, swng.ProtocolError)
    assert e.http_status == 200


def test_strict_raw_nul(space: Space, group_id: str, phone_id: str) -> None:
    body = _membership(group_id, phone_id, "Ma\0in").encode()
    e = _call_error(space, group_id, phone_id, mode="body", status=200,
                    body_base64=base64.b64encode(body).decode())
    assert isinstance(e, swng.ProtocolError)


@pytest.mark.parametrize("value,want", [
    ("-5", None), ("soon", None), ("1.5", None), ("", None), ("7", 7),
    ("999999999999999999999999", "large"),
])
def test_retry_after_values(space: Space, group_id: str, phone_id: str, value: str,
                            want: Any) -> None:
    e = _call_error(space, group_id, phone_id, mode="status", status=429, retry_after=value)
    assert isinstance(e, swng.RateLimitError)
    if want == "large":
        assert isinstance(e.retry_after, int) and e.retry_after >= 86400
    else:
        assert e.retry_after == want


def test_huge_retry_after_waits_at_most_retry_max(space: Space, group_id: str,
                                                  phone_id: str) -> None:
    # A GET, so that the answer does not depend on whether a request was
    # seen before (a kept-alive connection the server closed after its 429
    # may make libcurl send one twice; see swng.h).
    space.fault("status", status=429, retry_after="99999999999")
    with swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url,
                     max_retries=1, retry_base=0.05, retry_max=0.2) as c:
        assert c.get_phone_number(phone_id).id == phone_id
    journal = space.journal()
    times = [r["time"] for r in journal]
    assert journal[0]["status"] == 429 and journal[-1]["status"] == 200
    assert times[-1] - times[0] < 2.0


def test_extreme_numeric_options(space: Space, group_id: str, phone_id: str) -> None:
    space.fault("status", status=429, retry_after="99999999999999999999")
    with swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url,
                     timeout=86400, connect_timeout=86400, retry_base=86400, retry_max=86400,
                     max_retries=0) as c:
        with pytest.raises(swng.RateLimitError):
            c.create_membership(group_id, phone_id)
    for name in ("timeout", "connect_timeout", "retry_base", "retry_max"):
        for bad in (86400.001, 8589934.59, 10 ** 30, float("inf"), float("nan"), -1e308):
            with pytest.raises(swng.InvalidArgument) as info:
                swng.Client(project_id=space.project_id, token=space.token,
                            base_url=space.base_url, **{name: bad})
            assert info.value.option == name


# ------------------------------------------------------------- proxies

@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A socket on loopback that plays a proxy and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    yield s
    s.close()


def _connections(s: socket.socket) -> int:
    n = 0
    while True:
        try:
            conn, _ = s.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


def test_proxy_environment_is_ignored(space: Space, group_id: str, phone_id: str,
                                      listener: socket.socket,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url = "http://127.0.0.1:%d" % listener.getsockname()[1]
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.setenv(name, url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url,
                     timeout=3) as c:
        c.create_membership(group_id, phone_id)
    # The option itself is never used for loopback either.
    with swng.Client(project_id=space.project_id, token=space.token, base_url=space.base_url,
                     timeout=3, proxy=url) as c:
        with pytest.raises(swng.ValidationError):
            c.create_membership(group_id, phone_id)
    assert _connections(listener) == 0


def test_proxy_option_is_a_connect_tunnel(space: Space, group_id: str,
                                          phone_id: str) -> None:
    got: List[bytes] = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(10)

    def serve() -> None:
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        got.append(data)
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        with swng.Client(project_id=space.project_id, token=space.token,
                         base_url="https://space.example.invalid", timeout=5,
                         proxy="http://127.0.0.1:%d" % srv.getsockname()[1]) as c:
            with pytest.raises(swng.TransportError):
                c.create_membership(group_id, phone_id)
    finally:
        t.join(10)
        srv.close()
    assert got and got[0].startswith(b"CONNECT space.example.invalid:443 HTTP/1.1\r\n")
    assert b"Authorization" not in got[0] and space.token.encode() not in got[0]


@pytest.mark.parametrize("proxy", ["https://127.0.0.1:3128", "http://u:p@127.0.0.1:1",
                                   "socks5://127.0.0.1:1080", "http://127.0.0.1:1/x"])
def test_bad_proxy_is_invalid_argument(space: Space, proxy: str) -> None:
    with pytest.raises(swng.InvalidArgument) as info:
        swng.Client(project_id=space.project_id, token=space.token,
                    base_url=space.base_url, proxy=proxy)
    assert info.value.option == "proxy"


# ------------------------------------------------ the token and tracebacks

def test_token_not_in_traceback_locals(space: Space) -> None:
    """A failure while the Client is being built (here a wrong type) must
    not show the token in a traceback that captures locals."""
    try:
        swng.Client(project_id=space.project_id, token=space.token,
                    base_url=space.base_url, timeout="soon")  # type: ignore[arg-type]
    except TypeError as e:
        te = traceback.TracebackException.from_exception(e, capture_locals=True)
        text = "".join(te.format())
    else:
        pytest.fail("no TypeError")
    # This test function's own frame holds the token (space.token), as a
    # caller's would; swng's frames must not.
    swng_frames = [f for f in te.stack if os.sep + "swng" + os.sep in f.filename]
    assert swng_frames, text
    for frame in swng_frames:
        for value in (frame.locals or {}).values():
            assert space.token not in value, (frame.name, text)
    assert "<swng token hidden>" in text
