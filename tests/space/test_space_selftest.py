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
    for path in ("/", "/api/relay/rest/number_groups", route(SALES) + "/",
                 "/api/relay/rest/number_groups/%s/members" % SALES):
        resp = request(space, path=path, payload={"phone_number_id": MAIN_LINE})
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), path)
        check_common(resp)
    for group in (UNKNOWN_UUID, "not-a-uuid", "%20", "41148420-0549-49cf-924c-e4a320c8c1e9x"):
        resp = create(space, group=group)
        check_eq((resp.status, resp.json()), (404, {"error": "Not Found"}), group)


@test
def method_not_allowed_405(space):
    for method in ("GET", "PUT", "DELETE", "PATCH", "PURGE"):
        resp = request(space, method=method)
        check_eq(resp.status, 405, method)
        check_eq(resp.headers.get("Allow"), "POST", "Allow")
        check_eq(resp.json(), {"error": "Method Not Allowed"}, "405 body")
    resp = request(space, method="HEAD")
    check_eq((resp.status, resp.body), (405, b""), "HEAD")


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
