#!/usr/bin/env python3
"""Self-tests for the emulated SignalWire space (space.py, spaceclient.py, with_space.py).

    python3 tests/space/test_space_selftest.py [NAME_SUBSTRING ...]

Standard library only; the last line printed is "N passed, M failed" and the
exit status is 0 only if nothing failed.
"""

import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing is written into the source tree
sys.path.insert(0, HERE)
from spaceclient import SpaceError, start_space  # noqa: E402

WITH_SPACE = os.path.join(HERE, "with_space.py")
SALES = "41148420-0549-49cf-924c-e4a320c8c1e9"
SUPPORT = "b179e269-2584-4943-9632-557e345ffb17"
MAIN_LINE = "0cc9aa06-4e1e-47b0-b276-0fa31c147608"
ZURICH = "ead2f00b-5111-4a4e-9c61-05ecf273d1f7"
SPARE = "6e30f326-b8a3-45cd-9e7a-bf0ee9173253"
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


GROUPS = "/api/relay/rest/number_groups"
MEMBERSHIPS = "/api/relay/rest/number_group_memberships"
NUMBERS = "/api/relay/rest/phone_numbers"


def route(group):
    return "/api/relay/rest/number_groups/%s/number_group_memberships" % group


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def request(space, method="POST", path=None, payload=None, body=None, auth=True,
            headers=None, conn=None):
    """One request; a fresh connection unless conn is given. Reads the whole body."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(space.host, space.port, timeout=10)
    hdrs = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth is True:
        hdrs["Authorization"] = basic(space.project_id, space.token)
    elif auth:
        hdrs["Authorization"] = auth
    hdrs.update(headers or {})
    if body is None and payload is not None:
        body = json.dumps(payload).encode()
    try:
        conn.request(method, path or route(SALES), body, hdrs)
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        if own:
            conn.close()


def create(space, group=SALES, number=MAIN_LINE, **kw):
    return request(space, path=route(group), payload={"phone_number_id": number}, **kw)


def check(cond, message="check failed"):
    if not cond:
        raise AssertionError(message)


def check_eq(actual, expected, what="value"):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def check_common(resp):
    """Headers every response must carry."""
    check(UUID_RE.match(resp.headers.get("X-Request-Id", "")), "X-Request-Id missing")
    if resp.headers.get("Content-Length") is not None:
        check_eq(int(resp.headers["Content-Length"]), len(resp.body), "Content-Length")


def check_422(resp, code):
    check_eq(resp.status, 422, "status")
    check_common(resp)
    errors = resp.json()["errors"]
    check(isinstance(errors, list) and errors, "errors must be a non-empty list")
    for item in errors:
        check_eq(sorted(item), ["code", "detail", "status", "title"], "error item keys")
        check(all(isinstance(v, str) and v for v in item.values()), "item fields must be strings")
        check_eq(item["status"], "422", "item status")
    check_eq(errors[0]["code"], code, "error code")


def raw_exchange(space, data, read_until_close=True):
    """Send raw bytes; return everything the server sends until it closes."""
    with socket.create_connection((space.host, space.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            if not read_until_close:
                break
        return b"".join(chunks)


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_gone(pid, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------
# Tests. Each gets the shared space, reset beforehand.
# --------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def health_and_control_not_journaled(space):
    check_eq(space.health(), {"ok": True}, "health")
    space.faults()
    space.memberships()
    check_eq(space.journal(), [], "journal after control calls")


@test
def auth_401(space):
    for auth in (False, basic(space.project_id, "wrong"), basic("someone", space.token),
                 "Bearer " + space.token, "Basic !!!notbase64",
                 "Basic " + base64.b64encode(space.project_id.encode()).decode()):
        resp = create(space, auth=auth)
        check_eq(resp.status, 401, "status for %r" % auth)
        check_common(resp)
        check_eq(resp.json(), {"error": "Unauthorized"}, "401 body")
        check_eq(resp.headers.get("WWW-Authenticate"), 'Basic realm="SignalWire"', "challenge")
    check_eq(space.memberships(), [], "nothing created")


@test
def not_found_404(space):
    for path in ("/", "/api/relay/rest", route(SALES) + "/", "/api/relay/rest/number_groups/",
                 "/api/relay/rest/number_groups/%s/members" % SALES,
                 "/api/relay/rest/phone_numbers/%s/x" % MAIN_LINE):
        resp = request(space, path=path, payload={"phone_number_id": MAIN_LINE})
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), path)
        check_common(resp)
    for group in (UNKNOWN_UUID, "not-a-uuid", "%20", "41148420-0549-49cf-924c-e4a320c8c1e9x"):
        resp = create(space, group=group)
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), group)


@test
def method_not_allowed_405(space):
    # Allow lists the methods of every route whose template matches the path.
    allow = {route(SALES): "GET, POST", GROUPS: "GET, POST",
             GROUPS + "/" + SALES: "GET, PUT, DELETE",
             MEMBERSHIPS + "/" + UNKNOWN_UUID: "GET, DELETE",
             NUMBERS: "GET", NUMBERS + "/" + MAIN_LINE: "GET"}
    for path, methods in allow.items():
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "PURGE"):
            if method in methods.split(", "):
                continue
            resp = request(space, method=method, path=path)
            check_eq(resp.status, 405, "%s %s" % (method, path))
            check_eq(resp.headers.get("Allow"), methods, "Allow")
            check_eq(resp.json(), {"error": "Method Not Allowed"}, "405 body")
            check_common(resp)
    resp = request(space, method="HEAD")
    check_eq((resp.status, resp.body), (405, b""), "HEAD")
    check(all(e["operation"] is None for e in space.journal()), "405s match no operation")


@test
def validation_422(space):
    cases = [
        (b"", "invalid_body"), (b"not json", "invalid_body"), (b"\xff\xfe", "invalid_body"),
        (b"[]", "invalid_body"), (b'"x"', "invalid_body"), (b"{}", "missing_parameter"),
        (b'{"phone_number_id": 123}', "invalid_parameter"),
        (b'{"phone_number_id": null}', "invalid_parameter"),
        (b'{"phone_number_id": ""}', "invalid_parameter"),
        (b'{"phone_number_id": "not-a-uuid"}', "invalid_parameter"),
        (json.dumps({"phone_number_id": UNKNOWN_UUID}).encode(), "phone_number_not_found"),
    ]
    for body, code in cases:
        check_422(request(space, body=body), code)
    check_eq(space.memberships(), [], "nothing created")


@test
def create_200_shape(space):
    resp = create(space, number=ZURICH)
    check_eq(resp.status, 200, "status")
    check_common(resp)
    check_eq(resp.headers.get("Content-Type"), "application/json; charset=utf-8", "type")
    check("Zürich Büro ☎".encode() in resp.body, "name sent as UTF-8")
    m = resp.json()
    check_eq(sorted(m), ["created_at", "id", "number_group_id", "phone_number", "updated_at"],
             "keys")
    check(UUID_RE.match(m["id"]), "id is a UUID")
    check_eq(m["number_group_id"], SALES, "number_group_id")
    check_eq(m["phone_number"], {"id": ZURICH, "name": "Zürich Büro ☎",
                                 "number": "+41445550002", "capabilities": ["voice"]},
             "phone_number")
    check(TIME_RE.match(m["created_at"]) and m["created_at"] == m["updated_at"], "timestamps")
    check_eq(space.memberships(), [m], "stored")
    # Upper-case UUIDs are the same ids.
    resp = create(space, group=SALES.upper(), number=SPARE.upper())
    check_eq((resp.status, resp.json()["phone_number"]["capabilities"]), (200, []), "spare")


@test
def duplicate_422(space):
    check_eq(create(space).status, 200, "first add")
    check_422(create(space), "already_member")
    check_eq(create(space, group=SUPPORT).status, 200, "same number, other group")
    check_eq(len(space.memberships()), 2, "memberships")


@test
def journal_contents(space):
    create(space, headers={"X-Custom": "yes"})
    create(space, auth=False)
    j = space.journal()
    check_eq(len(j), 2, "entries")
    first = j[0]
    check_eq(first["method"], "POST", "method")
    check_eq(first["path"], route(SALES), "path")
    check_eq(json.loads(first["body"]), {"phone_number_id": MAIN_LINE}, "body")
    check_eq(first["headers"]["x-custom"], "yes", "lower-cased headers")
    check_eq(first["headers"]["authorization"], basic(space.project_id, space.token), "auth")
    check_eq([e["status"] for e in j], [200, 401], "statuses")
    check_eq(j[1]["seq"], first["seq"] + 1, "seq")
    check(all(UUID_RE.match(e["request_id"]) for e in j), "request ids")
    space.clear_journal()
    check_eq(space.journal(), [], "cleared")


@test
def keep_alive_same_connection_id(space):
    conn = http.client.HTTPConnection(space.host, space.port, timeout=10)
    try:
        a = create(space, conn=conn)
        b = create(space, conn=conn)
    finally:
        conn.close()
    check_eq((a.status, b.status), (200, 422), "statuses")
    check(a.headers.get("X-Request-Id") != b.headers.get("X-Request-Id"), "fresh request ids")
    create(space, number=SPARE)  # a new connection
    ids = [e["connection_id"] for e in space.journal()]
    check(ids[0] == ids[1] != ids[2], "connection ids %r" % ids)


@test
def connection_close_honoured(space):
    body = json.dumps({"phone_number_id": MAIN_LINE}).encode()
    head = ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json"
            "\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (route(SALES), basic(space.project_id, space.token), len(body)))
    # raw_exchange only returns once the server has closed the connection.
    data = raw_exchange(space, head.encode() + body)
    check(data.startswith(b"HTTP/1.1 200 "), data[:40])
    check(b"\r\nConnection: close\r\n" in data, "Connection: close echoed")


@test
def chunked_and_expect_100(space):
    body = json.dumps({"phone_number_id": MAIN_LINE}).encode()
    auth = basic(space.project_id, space.token)
    chunked = (("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nTransfer-Encoding: chunked"
                "\r\nConnection: close\r\n\r\n" % (route(SALES), auth)).encode()
               + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    check(raw_exchange(space, chunked).startswith(b"HTTP/1.1 200 "), "chunked body")
    with socket.create_connection((space.host, space.port), timeout=10) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\n"
                   "Expect: 100-continue\r\nConnection: close\r\n\r\n"
                   % (route(SUPPORT), auth, len(body))).encode())
        check(s.recv(100).startswith(b"HTTP/1.1 100 Continue"), "100 Continue")
        s.sendall(body)
        rest = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    check(b"HTTP/1.1 200 " in rest, "final response after 100 Continue")


@test
def fault_queue_semantics(space):
    space.fault("status", count=2, status=503)
    space.fault("status", status=429)
    check_eq([(f["mode"], f["remaining"]) for f in space.faults()],
             [("status", 2), ("status", 1)], "queued")
    # Paths other than the route do not use up faults.
    check_eq(request(space, path="/nowhere").status, 404, "other path")
    check_eq([create(space).status for _ in range(4)], [503, 503, 429, 200], "order")
    space.fault("status", count=-1, status=500)
    check_eq([create(space).status for _ in range(3)], [500, 500, 500], "until cleared")
    check_eq(space.faults()[0]["remaining"], -1, "still queued")
    space.clear_faults()
    check_eq(space.faults(), [], "cleared")
    check_eq(create(space).status, 422, "normal again (duplicate)")
    for bad in ({"mode": "nope"}, {"mode": "status"}, {"mode": "delay", "count": 0},
                {"mode": "delay", "seconds": "1"}, {"mode": "close", "extra": 1},
                {"mode": "status", "status": 99}):
        try:
            space.control("POST", "faults", bad)
        except SpaceError as e:
            check("HTTP 400" in str(e), str(e))
        else:
            raise AssertionError("fault %r accepted" % bad)
    check_eq([e["fault"] for e in space.journal()],
             [None, "status", "status", "status", None, "status", "status", "status", None],
             "journal records faults")


@test
def reset_clears_everything(space):
    create(space)
    space.fault("close", count=-1)
    space.reset()
    check_eq((space.journal(), space.faults(), space.memberships()), ([], [], []), "reset")
    check_eq(create(space).status, 200, "number can be added again")


@test
def fault_delay(space):
    space.fault("delay", seconds=0.5)
    start = time.monotonic()
    resp = create(space)
    check(time.monotonic() - start >= 0.5, "delayed")
    check_eq(resp.status, 200, "then handled normally")


@test
def fault_close(space):
    space.fault("close")
    try:
        create(space)
    except (http.client.RemoteDisconnected, ConnectionError):
        pass
    else:
        raise AssertionError("expected the connection to be dropped")
    entry = space.journal()[0]
    check_eq((entry["status"], entry["fault"]), (None, "close"), "journaled without status")
    check_eq(space.memberships(), [], "nothing created")


@test
def fault_truncate(space):
    space.fault("truncate")
    conn = http.client.HTTPConnection(space.host, space.port, timeout=10)
    try:
        conn.request("POST", route(SALES), json.dumps({"phone_number_id": MAIN_LINE}),
                     {"Authorization": basic(space.project_id, space.token)})
        resp = conn.getresponse()
        check_eq(resp.status, 200, "status")
        try:
            resp.read()
        except http.client.IncompleteRead as e:
            check(0 < len(e.partial) < int(resp.headers["Content-Length"]), "partial body")
        else:
            raise AssertionError("expected a truncated body")
    finally:
        conn.close()
    check_eq(space.journal()[0]["status"], 200, "journaled")


@test
def fault_malformed(space):
    space.fault("malformed")
    resp = create(space)
    check_eq((resp.status, resp.body), (200, b'{"id": "abc", '), "malformed")
    check(resp.headers["Content-Type"].startswith("application/json"), "json type")


@test
def fault_status(space):
    space.fault("status", status=429, retry_after="1")
    resp = create(space)
    check_eq((resp.status, resp.headers.get("Retry-After")), (429, "1"), "429")
    check_eq(resp.json(), {"error": "Too Many Requests"}, "429 body")
    check_common(resp)
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    space.fault("status", status=503, retry_after=date)
    resp = create(space)
    check_eq((resp.status, resp.headers.get("Retry-After")), (503, date), "503")
    space.fault("status", status=500)
    resp = create(space)
    check_eq((resp.status, resp.json()), (500, {"error": "Internal Server Error"}), "500")
    space.fault("status", status=403, body="forbidden!", content_type="text/plain")
    resp = create(space)
    check_eq((resp.status, resp.body, resp.headers["Content-Type"]),
             (403, b"forbidden!", "text/plain"), "403 custom body")
    space.fault("status", status=422)
    check_422(create(space), "injected")


@test
def fault_html(space):
    space.fault("html")
    resp = create(space)
    check_eq(resp.status, 502, "status")
    check(resp.headers["Content-Type"].startswith("text/html"), "html type")
    check_eq(resp.body, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "page")


@test
def fault_redirect(space):
    space.fault("redirect")
    resp = create(space)
    check_eq((resp.status, resp.headers.get("Location"), resp.json()),
             (302, "http://127.0.0.1:9/elsewhere", {}), "redirect")
    space.fault("redirect", status=307, location="http://example.invalid/x")
    resp = create(space)
    check_eq((resp.status, resp.headers.get("Location")), (307, "http://example.invalid/x"),
             "custom redirect")


@test
def fault_oversize(space):
    space.fault("oversize")
    resp = create(space)
    check_eq(resp.status, 200, "status")
    check(len(resp.body) > 2 * 1024 * 1024, "larger than 2 MiB")
    check_eq(resp.json()["phone_number"]["id"], MAIN_LINE, "valid membership JSON")
    check_eq(space.memberships(), [], "not stored")


@test
def fault_body(space):
    space.fault("body", body='{"id": 5, "extra": true}')
    resp = create(space)
    check_eq((resp.status, resp.body), (200, b'{"id": 5, "extra": true}'), "verbatim")
    space.fault("body", status=201, body="plain", content_type="text/plain",
                headers={"X-Extra": "1"})
    resp = create(space)
    check_eq((resp.status, resp.body, resp.headers["Content-Type"], resp.headers["X-Extra"]),
             (201, b"plain", "text/plain", "1"), "custom status, type and header")


@test
def fault_stall(space):
    space.fault("stall", seconds=0.6)
    conn = http.client.HTTPConnection(space.host, space.port, timeout=10)
    try:
        start = time.monotonic()
        conn.request("POST", route(SALES), json.dumps({"phone_number_id": MAIN_LINE}),
                     {"Authorization": basic(space.project_id, space.token)})
        resp = conn.getresponse()
        headers_after = time.monotonic() - start
        body = resp.read()
        total = time.monotonic() - start
    finally:
        conn.close()
    check(headers_after < 0.5 and total >= 0.59, "timing %.2f/%.2f" % (headers_after, total))
    check_eq(json.loads(body)["number_group_id"], SALES, "complete body in the end")


@test
def fault_exception_500(space):
    space.fault("exception")
    resp = create(space)
    check_eq((resp.status, resp.json()), (500, {"error": "Internal Server Error"}), "500")
    check_common(resp)
    check_eq(create(space).status, 200, "server still fine")


@test
def concurrent_load(space):
    with start_space(allow_duplicates=True) as dup:
        results = []

        def worker():
            conn = http.client.HTTPConnection(dup.host, dup.port, timeout=10)
            try:
                for _ in range(25):
                    results.append(create(dup, conn=conn).status)
            finally:
                conn.close()

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check_eq(results, [200] * 200, "all created")
        journal = dup.journal()
        check_eq(len(journal), 200, "journal")
        check_eq(len({e["connection_id"] for e in journal}), 8, "one id per connection")
        check_eq(len({m["id"] for m in dup.memberships()}), 200, "distinct membership ids")


@test
def cli_fault_and_sigterm(space):
    with start_space(faults=['{"mode": "status", "status": 503, "retry_after": "2"}']) as s:
        check_eq([create(s).status for _ in range(3)], [503] * 3, "whole run")
        s.reset()  # back to the startup state, which includes --fault faults
        check_eq(create(s).status, 503, "after reset")
        s.clear_faults()
        check_eq(create(s).status, 200, "after clearing")
        check_eq(s.stop(), 0, "clean exit on SIGTERM")


@test
def with_space_runs_command(space):
    code = ("import os, sys, urllib.request\n"
            "e = os.environ\n"
            "print(e['SWNG_TEST_SPACE_PID'], flush=True)\n"
            "assert e['SWNG_TEST_BASE_URL'].startswith('http://127.0.0.1:')\n"
            "assert e['SWNG_TEST_PROJECT_ID'] == '7c4b5a1e-2f0d-4a8e-9b6c-1d2e3f4a5b6c'\n"
            "assert e['SWNG_TEST_TOKEN'] == 'PTtest-0123456789abcdef'\n"
            "assert os.path.isabs(e['SWNG_TEST_FIXTURE'])\n"
            "urllib.request.urlopen(e['SWNG_TEST_BASE_URL'] + '/__space/health').read()\n"
            "sys.exit(3)\n")
    proc = subprocess.run([sys.executable, WITH_SPACE, "--", sys.executable, "-c", code],
                          stdout=subprocess.PIPE, timeout=30)
    check_eq(proc.returncode, 3, "exit code passed through")
    pid = int(proc.stdout.split()[0])
    check(wait_gone(pid), "server stopped")

    code = ("import os, json, urllib.request as u\n"
            "r = u.Request(os.environ['SWNG_TEST_BASE_URL'] + '/x', method='POST')\n"
            "try: u.urlopen(r)\n"
            "except Exception as e: raise SystemExit(0 if e.code == 503 else 1)\n"
            "raise SystemExit(1)\n")
    proc = subprocess.run([sys.executable, WITH_SPACE, "--fault", '{"mode":"status","status":503}',
                           "--", sys.executable, "-c", code.replace("/x", route(SALES))],
                          timeout=30)
    check_eq(proc.returncode, 0, "--fault reaches the space")
    proc = subprocess.run([sys.executable, WITH_SPACE, "--", "/nonexistent/cmd"],
                          stderr=subprocess.DEVNULL, timeout=30)
    check_eq(proc.returncode, 127, "missing command")


def _start_sleeping_wrapper():
    code = ("import os, sys, time\n"
            "print(os.environ['SWNG_TEST_SPACE_PID'], os.getpid(), flush=True)\n"
            "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, WITH_SPACE, "--", sys.executable, "-c", code],
                            stdout=subprocess.PIPE)
    server_pid, child_pid = map(int, proc.stdout.readline().split())
    return proc, server_pid, child_pid


@test
def with_space_signals(space):
    # SIGTERM: passed on to the command, server stopped, 128+15.
    proc, server_pid, child_pid = _start_sleeping_wrapper()
    proc.send_signal(signal.SIGTERM)
    check_eq(proc.wait(10), 128 + signal.SIGTERM, "exit status")
    check(wait_gone(server_pid) and wait_gone(child_pid), "server and command gone")
    # SIGKILL: nothing runs in the wrapper, the server notices its parent is gone.
    proc, server_pid, child_pid = _start_sleeping_wrapper()
    proc.kill()
    proc.wait(10)
    try:
        check(wait_gone(server_pid), "server exits when the wrapper is killed")
    finally:
        os.kill(child_pid, signal.SIGKILL)


# --------------------------------------------------------------------------
# The family's routes (spec/number-groups.openapi.yaml)
# --------------------------------------------------------------------------

FAMILY_SPEC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "spec",
                           "number-groups.openapi.yaml")


def spec_text():
    with open(FAMILY_SPEC, encoding="utf-8") as f:
        return f.read()


def spec_operations():
    """{operationId: (METHOD, path)} from the family spec (no YAML parser needed)."""
    ops, path = {}, None
    method = None
    for line in spec_text().split("\n"):
        m = re.match(r"^  (/\S+):$", line)
        if m:
            path = m.group(1)
        m = re.match(r"^    (get|post|put|delete|patch):$", line)
        if m:
            method = m.group(1).upper()
        m = re.match(r"^      operationId: (\w+)$", line)
        if m:
            ops[m.group(1)] = (method, path)
    return ops


def spec_required(schema):
    """The `required` list of components.schemas[schema] in the family spec."""
    m = re.search(r"\n    %s:\n      type: object\n      required:\n((?:      - \S+\n)+)"
                  % re.escape(schema), spec_text())
    check(m, "schema %s not found in the spec" % schema)
    return [ln.strip()[2:] for ln in m.group(1).strip("\n").split("\n")]


def get(space, path, **kw):
    return request(space, method="GET", path=path, **kw)


def follow(space, url, **kw):
    """GET an absolute link of the space (host checked by the caller)."""
    parts = urlsplit(url)
    return get(space, parts.path + ("?" + parts.query if parts.query else ""), **kw)


def all_pages(space, first_path, limit=50, **kw):
    """Pages from first_path, following links.next; each must be absolute and on this space."""
    pages, url = [], None
    resp = get(space, first_path, **kw)
    while True:
        check_eq(resp.status, 200, "page status")
        check_common(resp)
        page = resp.json()
        check_eq(sorted(page), ["data", "links"], "list keys")
        pages.append(page)
        url = page["links"].get("next")
        if url is None:
            return pages
        check(url.startswith("http://%s:%d/" % (space.host, space.port)), "next absolute: " + url)
        check(len(pages) < limit, "paging did not end")
        resp = follow(space, url, **kw)


def new_group(space, name, sticky=None):
    payload = {"name": name}
    if sticky is not None:
        payload["sticky_sender"] = sticky
    resp = request(space, path=GROUPS, payload=payload)
    check_eq(resp.status, 200, "create group %s" % name)
    return resp.json()


def sample_paths():
    """One concrete (method, path, body) per route of the spec, on fixture ids."""
    return {
        "list_number_groups": ("GET", GROUPS, None),
        "create_number_group": ("POST", GROUPS, {"name": "x"}),
        "retrieve_number_group": ("GET", GROUPS + "/" + SALES, None),
        "update_number_group": ("PUT", GROUPS + "/" + SALES, {"name": "Sales 2"}),
        "delete_number_group": ("DELETE", GROUPS + "/" + SUPPORT, None),
        "list_number_group_memberships": ("GET", route(SALES), None),
        "create_number_group_membership": ("POST", route(SALES), {"phone_number_id": MAIN_LINE}),
        "retrieve_number_group_membership": ("GET", MEMBERSHIPS + "/" + UNKNOWN_UUID, None),
        "delete_number_group_membership": ("DELETE", MEMBERSHIPS + "/" + UNKNOWN_UUID, None),
        "list_phone_numbers": ("GET", NUMBERS, None),
        "retrieve_phone_number": ("GET", NUMBERS + "/" + MAIN_LINE, None),
    }


@test
def route_table_covers_the_spec(space):
    spec = spec_operations()
    check_eq(len(spec), 11, "operations in the family spec")
    table = {r["operation"]: (r["method"], r["path"]) for r in space.routes()}
    # Path parameter names differ ({NumberGroupId} in the spec): compare shapes.
    shape = lambda p: re.sub(r"\{\w+\}", "{}", p)  # noqa: E731
    check_eq({k: (m, shape(p)) for k, (m, p) in table.items()},
             {k: (m, shape(p)) for k, (m, p) in spec.items()}, "route table vs spec")
    check_eq(set(sample_paths()), set(spec), "this file's sample for every route")


@test
def every_route_auth_401(space):
    for op, (method, path, payload) in sample_paths().items():
        for auth in (False, basic(space.project_id, "wrong")):
            resp = request(space, method=method, path=path, payload=payload, auth=auth)
            check_eq((resp.status, resp.json()), (401, {"error": "Unauthorized"}), op)
            check_eq(resp.headers.get("WWW-Authenticate"), 'Basic realm="SignalWire"', op)
    check_eq(len(space.number_groups()), 2, "nothing created or deleted")
    check_eq(space.memberships(), [], "nothing created")
    ops = [e["operation"] for e in space.journal()]
    check_eq(ops, [op for op in sample_paths() for _ in range(2)], "journal operations")


@test
def every_route_takes_faults(space):
    for op, (method, path, payload) in sample_paths().items():
        space.fault("status", status=503, retry_after="2")
        resp = request(space, method=method, path=path, payload=payload)
        check_eq((resp.status, resp.headers.get("Retry-After")), (503, "2"), op)
        space.fault("exception")
        resp = request(space, method=method, path=path, payload=payload)
        check_eq((resp.status, resp.json()), (500, {"error": "Internal Server Error"}), op)
    j = space.journal()
    check_eq([(e["operation"], e["fault"]) for e in j],
             [(op, m) for op in sample_paths() for m in ("status", "exception")], "journal")
    check_eq(len(space.number_groups()), 2, "no side effects")


@test
def fault_for_one_operation(space):
    space.fault("status", status=500, operation="list_phone_numbers")
    check_eq(get(space, GROUPS).status, 200, "other operation untouched")
    check_eq(create(space).status, 200, "other operation untouched")
    check_eq(get(space, NUMBERS).status, 500, "its operation")
    check_eq(get(space, NUMBERS).status, 200, "used up")
    try:
        space.fault("status", status=500, operation="nope")
    except SpaceError as e:
        check("HTTP 400" in str(e), str(e))
    else:
        raise AssertionError("unknown operation accepted")


@test
def fault_samples_per_route(space):
    space.fault("oversize", size=1000)
    page = get(space, GROUPS).json()
    check_eq((sorted(page), len(page["padding"])), (["data", "links", "padding"], 1000),
             "a list-shaped sample")
    check_eq(sorted(page["data"][0]), ["id", "name", "phone_number_count", "sticky_sender"],
             "group sample")
    space.fault("oversize", size=10)
    n = get(space, NUMBERS + "/" + MAIN_LINE).json()
    check_eq(sorted(n), sorted(spec_required("PhoneNumberResponse") + ["padding"]),
             "phone number sample")


@test
def groups_crud(space):
    g = new_group(space, "Night shift")
    check_eq(sorted(g), sorted(spec_required("NumberGroupResponse")), "keys")
    check(UUID_RE.match(g["id"]), "id")
    check_eq((g["name"], g["sticky_sender"], g["phone_number_count"]),
             ("Night shift", False, 0), "defaults")
    check_eq(new_group(space, "Sticky", True)["sticky_sender"], True, "sticky_sender")
    path = GROUPS + "/" + g["id"]
    check_eq((get(space, path).status, get(space, path).json()), (200, g), "get")
    check_eq(get(space, path.upper().replace("/API/RELAY/REST/NUMBER_GROUPS", GROUPS)).json(), g,
             "upper-case id")
    resp = request(space, method="PUT", path=path, payload={"name": "Day shift"})
    check_eq((resp.status, resp.json()), (200, dict(g, name="Day shift")), "update name")
    resp = request(space, method="PUT", path=path,
                   payload={"name": "Day shift", "sticky_sender": True})
    check_eq(resp.json()["sticky_sender"], True, "update sticky_sender")
    resp = request(space, method="PUT", path=path, payload={"name": "Day"})
    check_eq(resp.json()["sticky_sender"], True, "update keeps sticky_sender")
    check_422(request(space, method="PUT", path=path, payload={"sticky_sender": False}),
              "missing_parameter")
    # Delete: 204 without a body; then 404 everywhere; its memberships go too.
    check_eq(create(space, group=g["id"]).status, 200, "member")
    check_eq(get(space, path).json()["phone_number_count"], 1, "phone_number_count")
    resp = request(space, method="DELETE", path=path)
    check_eq((resp.status, resp.body, resp.headers.get("Content-Type"),
              resp.headers.get("Content-Length")), (204, b"", None, None), "204")
    check_common(resp)
    for method, payload in (("GET", None), ("PUT", {"name": "x"}), ("DELETE", None)):
        resp = request(space, method=method, path=path, payload=payload)
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), method + " deleted")
    check_eq(get(space, route(g["id"])).status, 404, "its memberships")
    check_eq(space.memberships(), [], "memberships deleted with the group")
    for bad in (UNKNOWN_UUID, "not-a-uuid"):
        for method in ("GET", "PUT", "DELETE"):
            resp = request(space, method=method, path=GROUPS + "/" + bad, payload={"name": "x"})
            check_eq(resp.status, 404, "%s %s" % (method, bad))
    space.reset()
    check_eq([x["name"] for x in space.number_groups()], ["Sales", "Support"], "reset")


@test
def groups_422(space):
    cases = [(b"", "invalid_body"), (b"[]", "invalid_body"), (b"nope", "invalid_body"),
             (b"{}", "missing_parameter"), (b'{"sticky_sender": true}', "missing_parameter"),
             (b'{"name": 5}', "invalid_parameter"), (b'{"name": ""}', "invalid_parameter"),
             (b'{"name": "x", "sticky_sender": "yes"}', "invalid_parameter"),
             (b'{"name": "x", "color": "red"}', "invalid_parameter")]
    for body, code in cases:
        check_422(request(space, path=GROUPS, body=body), code)
        check_422(request(space, method="PUT", path=GROUPS + "/" + SALES, body=body), code)
    check_eq([g["name"] for g in space.number_groups()], ["Sales", "Support"], "unchanged")


@test
def groups_list_paging_and_links(space):
    for i in range(5):
        new_group(space, "Team %d" % i)
    pages = all_pages(space, GROUPS + "?page_size=3")
    check_eq([len(p["data"]) for p in pages], [3, 3, 1], "page sizes")
    names = [g["name"] for p in pages for g in p["data"]]
    check_eq(names, ["Sales", "Support"] + ["Team %d" % i for i in range(5)], "order")
    check_eq(pages[0]["links"]["self"], pages[0]["links"]["first"], "self of the first page")
    check("prev" not in pages[0]["links"] and "prev" in pages[1]["links"], "prev")
    base = "http://%s:%d%s?" % (space.host, space.port, GROUPS)
    check(all(p["links"][k].startswith(base) for p in pages for k in p["links"]), "absolute")
    check_eq(follow(space, pages[1]["links"]["self"]).json(), pages[1], "self reloads the page")
    # The default page is 50; the links come from the Host header.
    resp = get(space, GROUPS, headers={"Host": "example.signalwire.com"})
    links = resp.json()["links"]
    check(links["self"].startswith("http://example.signalwire.com/api/relay/rest/number_groups?"),
          links["self"])
    check_eq((len(resp.json()["data"]), "next" in links), (7, False), "one page")
    check_eq(len(get(space, GROUPS + "?page_size=1000").json()["data"]), 7, "max page size")
    check_eq(len(get(space, GROUPS + "?page_size=2&page_number=3").json()["data"]), 1,
             "page_number")


@test
def groups_list_filter_and_422(space):
    new_group(space, "sales east")
    found = all_pages(space, GROUPS + "?filter_name=SALES&page_size=1")
    check_eq([g["name"] for p in found for g in p["data"]], ["Sales", "sales east"], "filter")
    check("filter_name=SALES" in found[0]["links"]["next"], "filter carried into next")
    check_eq(get(space, GROUPS + "?filter_name=zzz").json()["data"], [], "no match")
    for q in ("page_size=0", "page_size=1001", "page_size=x", "page_size=", "page_token=bogus",
              "page_number=-1", "filter_name=" + "a" * 256):
        check_422(get(space, GROUPS + "?" + q), "invalid_parameter")
    # A page token of another list is not one of this list's.
    token = re.search(r"page_token=(\w+)",
                      get(space, NUMBERS + "?page_size=1").json()["links"]["next"]).group(1)
    check_422(get(space, GROUPS + "?page_token=" + token), "invalid_parameter")


@test
def memberships_list_get_delete(space):
    numbers = [n["id"] for n in space.fixture["phone_numbers"][:7]]
    created = []
    for n in numbers:
        resp = create(space, number=n)
        check_eq(resp.status, 200, "create")
        created.append(resp.json())
    check_eq(create(space, group=SUPPORT, number=numbers[0]).status, 200, "other group")
    pages = all_pages(space, route(SALES) + "?page_size=3")
    check_eq([len(p["data"]) for p in pages], [3, 3, 1], "pages")
    check_eq([m for p in pages for m in p["data"]], created, "members in order, same bodies")
    check_eq(sorted(created[0]), sorted(spec_required("NumberGroupMembership")), "keys")
    check_eq(get(space, GROUPS + "/" + SALES).json()["phone_number_count"], 7, "count")
    check_eq(len(get(space, route(SUPPORT)).json()["data"]), 1, "per group")
    check_eq(get(space, route(UNKNOWN_UUID)).status, 404, "unknown group")
    check_422(get(space, route(SALES) + "?page_size=0"), "invalid_parameter")
    m = created[2]
    path = MEMBERSHIPS + "/" + m["id"]
    check_eq((get(space, path).status, get(space, path).json()), (200, m), "get by id")
    check_eq(get(space, path.replace(m["id"], m["id"].upper())).json(), m, "upper-case id")
    resp = request(space, method="DELETE", path=path)
    check_eq((resp.status, resp.body), (204, b""), "delete")
    check_eq(get(space, path).status, 404, "gone")
    check_eq(request(space, method="DELETE", path=path).status, 404, "delete again")
    check_eq(get(space, MEMBERSHIPS + "/not-a-uuid").status, 404, "not a uuid")
    check_eq(len(get(space, route(SALES)).json()["data"]), 6, "listed no more")
    check_eq(create(space, number=m["phone_number"]["id"]).status, 200, "can be added again")


@test
def phone_numbers_list_and_get(space):
    total = len(space.fixture["phone_numbers"])
    pages = all_pages(space, NUMBERS)
    check_eq([len(p["data"]) for p in pages], [50, total - 50], "default page size 50")
    required = spec_required("PhoneNumber")
    check_eq(required, spec_required("PhoneNumberResponse"), "same fields")
    for n in (n for p in pages for n in p["data"]):
        check_eq(sorted(n), sorted(required), "phone number keys")
    check_eq([n["id"] for p in pages for n in p["data"]],
             [n["id"] for n in space.fixture["phone_numbers"]], "fixture order")
    pool = all_pages(space, NUMBERS + "?filter_name=pool%2000&page_size=4")
    names = [n["name"] for p in pool for n in p["data"]]
    check_eq(names, ["Pool 00%d" % i for i in range(1, 10)], "filter_name, case-insensitive")
    check("filter_name=pool+00" in pool[0]["links"]["next"]
          or "filter_name=pool%2000" in pool[0]["links"]["next"], "filter carried")
    got = get(space, NUMBERS + "?filter_number=%2B4144").json()["data"]
    check_eq([n["id"] for n in got], [ZURICH], "filter_number")
    both = get(space, NUMBERS + "?filter_number=555400&filter_name=001").json()["data"]
    check_eq([n["name"] for n in both], ["Pool 001"], "both filters")
    for q in ("page_size=0", "page_size=1001", "page_token=zz"):
        resp = get(space, NUMBERS + "?" + q)
        check_eq((resp.status, resp.json()), (400, {"error": "Bad Request"}), q)
    resp = get(space, NUMBERS + "/" + ZURICH.upper())
    check_eq(resp.status, 200, "get")
    n = resp.json()
    check_eq((n["id"], n["name"], n["number"], n["capabilities"], n["number_type"]),
             (ZURICH, "Zürich Büro ☎", "+41445550002", ["voice"], "longcode"), "fields")
    for bad in (UNKNOWN_UUID, "nope"):
        resp = get(space, NUMBERS + "/" + bad)
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), bad)


# -- hostile paging --

def first_two_links(space, path=GROUPS + "?page_size=1"):
    page = get(space, path).json()
    return page["links"], page


@test
def paging_hostile_modes(space):
    origin = "http://%s:%d" % (space.host, space.port)
    check_eq(space.paging_mode()["mode"], "normal", "default")
    space.paging("foreign_host")
    links, _ = first_two_links(space)
    check(links["next"].startswith("http://foreign.invalid/api/relay/rest/number_groups?"),
          links["next"])
    check(links["self"].startswith(origin), "self stays")
    space.paging("foreign_host", origin="http://127.0.0.2:%d" % space.port)
    check(first_two_links(space)[0]["next"].startswith("http://127.0.0.2:%d/" % space.port),
          "custom origin")
    space.paging("foreign_scheme")
    check(first_two_links(space)[0]["next"].startswith("https://%s:%d/" % (space.host, space.port)),
          "scheme flipped")
    space.paging("foreign_path")
    check(first_two_links(space)[0]["next"].startswith(origin + "/api/relay/rest/elsewhere?"),
          "path")
    space.paging("relative")
    links, _ = first_two_links(space)
    check(all(v.startswith(GROUPS + "?") for v in links.values()), "relative %r" % links)
    # cycle: the last page's next goes back to the first page.
    space.paging("cycle")
    links, _ = first_two_links(space, GROUPS + "?page_token=" +
                               re.search(r"page_token=(\w+)", links["next"]).group(1) +
                               "&page_size=1")
    check_eq(links["next"], links["first"], "cycle to first")
    space.paging("cycle", to="self")
    links, _ = first_two_links(space, GROUPS)  # one page holds both groups
    check_eq(links["next"], links["self"], "cycle to self")
    # endless_empty: past the end, empty pages with fresh tokens, forever.
    space.paging("endless_empty")
    seen, url, sizes = set(), GROUPS + "?page_size=1", []
    resp = get(space, url)
    for _ in range(6):
        page = resp.json()
        sizes.append(len(page["data"]))
        nxt = page["links"]["next"]
        check(nxt not in seen, "fresh next link")
        seen.add(nxt)
        resp = follow(space, nxt)
    check_eq(sizes, [1, 1, 0, 0, 0, 0], "empty pages after the data")
    # Limited to one list: the others page normally.
    space.paging("relative", operation="list_phone_numbers")
    check(get(space, NUMBERS).json()["links"]["self"].startswith(NUMBERS), "that list")
    check(get(space, GROUPS).json()["links"]["self"].startswith(origin), "other lists")
    for bad in ({"mode": "nope"}, {"mode": "cycle", "to": "x"}, {"mode": "relative", "x": 1},
                {"mode": "foreign_host", "origin": "foreign.invalid"},
                {"mode": "relative", "operation": "create_number_group"}):
        try:
            space.control("POST", "paging", bad)
        except SpaceError as e:
            check("HTTP 400" in str(e), str(e))
        else:
            raise AssertionError("paging %r accepted" % bad)
    space.clear_paging()
    check("next" not in get(space, GROUPS).json()["links"], "normal again")
    space.paging("relative")
    space.reset()
    check_eq(space.paging_mode()["mode"], "normal", "reset")


@test
def paging_from_the_command_line(space):
    with start_space(paging={"mode": "endless_empty"}) as s:
        links = get(s, GROUPS).json()["links"]
        check("next" in links, "--paging applies")
        s.clear_paging()
        s.reset()
        check("next" in get(s, GROUPS).json()["links"], "reset goes back to --paging")
    code = ("import os, json, base64, urllib.request as u\n"
            "e = os.environ\n"
            "r = u.Request(e['SWNG_TEST_BASE_URL'] + '/api/relay/rest/phone_numbers')\n"
            "a = base64.b64encode((e['SWNG_TEST_PROJECT_ID'] + ':' + e['SWNG_TEST_TOKEN'])"
            ".encode()).decode()\n"
            "r.add_header('Authorization', 'Basic ' + a)\n"
            "links = json.load(u.urlopen(r))['links']\n"
            "raise SystemExit(0 if links['next'].startswith('/api/') else 1)\n")
    proc = subprocess.run([sys.executable, WITH_SPACE, "--paging", '{"mode":"relative"}',
                           "--", sys.executable, "-c", code], timeout=30)
    check_eq(proc.returncode, 0, "with_space.py --paging")


# --------------------------------------------------------------------------

def main(argv):
    selected = [t for t in TESTS if not argv or any(a in t.__name__ for a in argv)]
    passed = failed = 0
    with start_space() as space:
        for fn in selected:
            try:
                space.reset()
                fn(space)
            except Exception:
                failed += 1
                print("FAIL %s" % fn.__name__)
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print("ok   %s" % fn.__name__)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
