#!/usr/bin/env python3
"""swng-space: a local, emulated SignalWire space for swng's tests and demo.

It serves the one relay-rest operation swng performs,

    POST /api/relay/rest/number_groups/{NumberGroupId}/number_group_memberships

over real HTTP/1.1 on loopback (keep-alive, Basic auth, every status of the
contract in number-group-memberships.openapi.yaml). It keeps memberships in
memory, journals every request it receives, and can inject faults (delays,
dropped connections, truncated or malformed bodies, 429/5xx, HTML error
pages, redirects, ...).

A control API under /__space/ lets tests inspect the journal and queue
faults; see README.md beside this file. Python 3 standard library only.

    python3 space.py [--host 127.0.0.1] [--port 0] [--fixture PATH]
                     [--port-file PATH] [--pid-file PATH] [--fault SPEC ...]
                     [--allow-duplicates] [--watch-parent] [--verbose]
"""

import argparse
import base64
import binascii
import hmac
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timezone
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "fixture.json")

ROUTE_RE = re.compile(
    r"^/api/relay/rest/number_groups/([^/]+)/number_group_memberships$")
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CONTROL_ROOT = "/__space"

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
MAX_REQUEST_BODY = 16 * 1024 * 1024
# "oversize" must exceed the 2 MiB response limit clients are expected to
# enforce; a little more than that by default.
OVERSIZE_DEFAULT = 2 * 1024 * 1024 + 64 * 1024
MALFORMED_BODY = b'{"id": "abc", '
HTML_502 = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
DEFAULT_REDIRECT = "http://127.0.0.1:9/elsewhere"


def utc_now():
    """ISO-8601 UTC to the second, as SignalWire writes it: 2026-11-26T06:40:01Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_bytes(obj):
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def reason_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def validation_error(code, title, detail):
    """A 422 body shaped as the contract's Types.StatusCodes.ValidationError.

    All four item fields are strings, "status" included.
    """
    return {"errors": [{"detail": detail, "status": "422", "title": title, "code": code}]}


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------

# Per mode: parameter name -> (kind, default). A default of REQUIRED means the
# caller must give it. "headers" (extra response headers) is accepted by every
# mode and handled separately.
REQUIRED = object()
FAULT_MODES = {
    "delay": {"seconds": ("seconds", 1.0)},
    "close": {},
    "truncate": {},
    "malformed": {},
    "status": {"status": ("status", REQUIRED), "retry_after": ("str", None),
               "body": ("str", None), "content_type": ("str", None)},
    "html": {"status": ("status", 502)},
    "redirect": {"status": ("status", 302), "location": ("str", DEFAULT_REDIRECT)},
    "oversize": {"size": ("size", OVERSIZE_DEFAULT)},
    "body": {"status": ("status", 200), "body": ("str", ""),
             "content_type": ("str", "application/json")},
    "stall": {"seconds": ("seconds", 2.0)},
    # Raises inside the handler, so the real 500 path is exercised.
    "exception": {},
}


def _check_header_text(name, value):
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise ValueError("%s must be a string without CR/LF" % name)


def parse_fault(spec, default_count=1):
    """Validate a fault object ({"mode": ..., "count": ..., params}) and normalise it.

    Raises ValueError with a message meant for the test author.
    """
    if not isinstance(spec, dict):
        raise ValueError("a fault must be a JSON object")
    rest = dict(spec)
    mode = rest.pop("mode", None)
    if mode not in FAULT_MODES:
        raise ValueError("unknown fault mode %r; expected one of %s"
                         % (mode, ", ".join(sorted(FAULT_MODES))))
    count = rest.pop("count", default_count)
    if isinstance(count, bool) or not isinstance(count, int) or (count < 1 and count != -1):
        raise ValueError("count must be a positive integer or -1 (until cleared)")
    headers = rest.pop("headers", {})
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object of name: value strings")
    for name, value in headers.items():
        _check_header_text("header name", name)
        _check_header_text("header %r" % name, value)

    fault = {"mode": mode, "count": count, "remaining": count, "headers": headers}
    for name, (kind, default) in FAULT_MODES[mode].items():
        if name not in rest:
            if default is REQUIRED:
                raise ValueError("fault mode %r needs %r" % (mode, name))
            fault[name] = default
            continue
        value = rest.pop(name)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "seconds" and not (number and 0 <= value <= 3600):
            raise ValueError("%s must be a number of seconds in [0, 3600]" % name)
        if kind == "status" and not (number and int(value) == value and 200 <= value <= 599):
            raise ValueError("%s must be an integer HTTP status in [200, 599]" % name)
        if kind == "size" and not (number and int(value) == value
                                   and 0 <= value <= 64 * 1024 * 1024):
            raise ValueError("%s must be an integer number of bytes up to 64 MiB" % name)
        if kind == "str":
            if name == "body":
                if not isinstance(value, str):
                    raise ValueError("body must be a string")
            else:
                _check_header_text(name, value)
        fault[name] = int(value) if kind in ("status", "size") else value
    if rest:
        raise ValueError("unknown parameter(s) for fault mode %r: %s"
                         % (mode, ", ".join(sorted(rest))))
    return fault


# --------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------

def load_fixture(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for key in ("project_id", "token", "number_groups", "phone_numbers"):
        if key not in data:
            raise ValueError("fixture %s: missing %r" % (path, key))
    for item in data["number_groups"] + data["phone_numbers"]:
        if not UUID_RE.match(item.get("id", "")):
            raise ValueError("fixture %s: %r has no UUID id" % (path, item))
    return data


class SpaceState:
    """Everything that changes while the space runs; every access holds self.lock."""

    def __init__(self, fixture, allow_duplicates=False, startup_faults=()):
        self.lock = threading.Lock()
        self.project_id = fixture["project_id"]
        self.token = fixture["token"]
        self.groups = {g["id"].lower(): g for g in fixture["number_groups"]}
        self.numbers = {n["id"].lower(): n for n in fixture["phone_numbers"]}
        self.first_number = fixture["phone_numbers"][0] if fixture["phone_numbers"] else None
        self.allow_duplicates = allow_duplicates
        self.startup_faults = [dict(f) for f in startup_faults]
        # Counters are never reset, so seq and connection ids stay unique for
        # the whole run even across journal clears and resets.
        self._next_seq = 1
        self._next_connection = 1
        self._next_fault = 1
        self.journal = []
        self.faults = []
        self.memberships = []
        self._member_keys = set()
        self.reset()

    def reset(self):
        """Back to the startup state: no memberships, empty journal, only --fault faults."""
        with self.lock:
            self.journal = []
            self.memberships = []
            self._member_keys = set()
            self.faults = []
            for f in self.startup_faults:
                self._add_fault_locked(dict(f))

    # -- connections and journal --

    def new_connection_id(self):
        with self.lock:
            cid = self._next_connection
            self._next_connection += 1
            return cid

    def journal_request(self, connection_id, method, path, headers, body):
        entry = {"seq": None, "connection_id": connection_id, "method": method,
                 "path": path, "headers": headers,
                 "body": body.decode("utf-8", errors="replace"),
                 "status": None, "request_id": None, "fault": None,
                 "time": time.time()}
        with self.lock:
            entry["seq"] = self._next_seq
            self._next_seq += 1
            self.journal.append(entry)
        return entry

    def update_entry(self, entry, **fields):
        with self.lock:
            entry.update(fields)

    def journal_snapshot(self):
        with self.lock:
            return [dict(e) for e in self.journal]

    def clear_journal(self):
        with self.lock:
            self.journal = []

    # -- faults --

    def _add_fault_locked(self, fault):
        fault["id"] = self._next_fault
        self._next_fault += 1
        self.faults.append(fault)
        return dict(fault)

    def add_fault(self, fault):
        with self.lock:
            return self._add_fault_locked(fault)

    def take_fault(self):
        """The fault for the next route request, if any: queue order, one use per request."""
        with self.lock:
            if not self.faults:
                return None
            fault = self.faults[0]
            if fault["remaining"] > 0:
                fault["remaining"] -= 1
                if fault["remaining"] == 0:
                    self.faults.pop(0)
            return dict(fault)

    def faults_snapshot(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    def clear_faults(self):
        with self.lock:
            self.faults = []

    # -- memberships --

    def add_membership(self, group_id, number):
        """Create and return a membership, or None if the number is already in the group."""
        key = (group_id, number["id"].lower())
        with self.lock:
            if key in self._member_keys and not self.allow_duplicates:
                return None
            now = utc_now()
            membership = {
                "id": str(uuid.uuid4()),
                "number_group_id": group_id,
                "phone_number": {k: number[k] for k in ("id", "name", "number", "capabilities")},
                "created_at": now,
                "updated_at": now,
            }
            self._member_keys.add(key)
            self.memberships.append(membership)
            return membership

    def memberships_snapshot(self):
        with self.lock:
            return list(self.memberships)


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

class InjectedFault(RuntimeError):
    """Raised by the "exception" fault; reported without a traceback."""


class _BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class SpaceHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive by default
    server_version = "swng-space/1.0"
    # Idle keep-alive connections are dropped after this many seconds; it also
    # bounds how long a half-sent request can hold a thread.
    timeout = 300

    # Per-request state, reset in handle_one_request().
    _entry = None
    _status_sent = None

    @property
    def state(self):
        return self.server.state

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without TCP_NODELAY,
        # Nagle plus the client's delayed ACK adds ~40 ms to every request
        # on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # One handler instance serves one TCP connection for its whole life,
        # so this id is shared by every request that arrives over it. It is
        # given out on the first journaled request, so connections that only
        # talk to the control API do not use up ids.
        self.connection_id = None

    def handle_one_request(self):
        self._entry = None
        self._status_sent = None
        super().handle_one_request()

    def __getattr__(self, name):
        # BaseHTTPRequestHandler looks up do_<METHOD>; route every method
        # through one dispatcher so that unknown methods get JSON 404/405
        # instead of the built-in HTML 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def version_string(self):
        return self.server_version  # no Python version in the Server header

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("swng-space: %s - %s\n" % (self.address_string(), fmt % args))

    def send_response(self, code, message=None):
        # Every response, including BaseHTTPRequestHandler's own error pages,
        # goes through here: give each a fresh X-Request-Id and journal it.
        super().send_response(code, message)
        request_id = str(uuid.uuid4())
        self.send_header("X-Request-Id", request_id)
        self._status_sent = code
        if self._entry is not None:
            self.state.update_entry(self._entry, status=code, request_id=request_id)

    # -- plumbing --

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise _BadRequest(400, "invalid Content-Length")
        if n < 0:
            raise _BadRequest(400, "invalid Content-Length")
        if n > MAX_REQUEST_BODY:
            raise _BadRequest(413, "request body too large")
        data = self.rfile.read(n)
        if len(data) < n:
            raise ConnectionResetError("client closed before sending the whole body")
        return data

    def _read_chunked(self):
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionResetError("client closed inside a chunked body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest(400, "invalid chunk size")
            if size == 0:
                break
            total += size
            if total > MAX_REQUEST_BODY:
                raise _BadRequest(413, "request body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)  # CRLF after the chunk
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(chunks)

    def _send(self, status, body=b"", content_type=JSON_TYPE, headers=None,
              content_length=None):
        """Send a whole response. content_length may claim more than body (truncate, stall)."""
        if status in (204, 304):
            body = b""  # these statuses never carry a body
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if status != 204:
            self.send_header("Content-Length",
                             str(len(body) if content_length is None else content_length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            # Set when the client sent "Connection: close" (or HTTP/1.0), or
            # by a fault that is about to drop the connection.
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status, obj, headers=None):
        self._send(status, json_bytes(obj), JSON_TYPE, headers)

    # -- dispatch --

    def _dispatch(self):
        path = urlsplit(self.path).path
        is_control = path == CONTROL_ROOT or path.startswith(CONTROL_ROOT + "/")
        try:
            body, bad = self._read_body(), None
        except _BadRequest as e:
            body, bad = b"", e
        if not is_control:
            if self.connection_id is None:
                self.connection_id = self.state.new_connection_id()
            headers = {}
            for name, value in self.headers.items():
                name = name.lower()
                headers[name] = headers[name] + ", " + value if name in headers else value
            self._entry = self.state.journal_request(
                self.connection_id, self.command, self.path, headers, body)
        try:
            if bad is not None:
                self.close_connection = True  # the rest of the stream cannot be trusted
                self._send_json(bad.status, {"error": bad.message})
            elif is_control:
                self._control(path[len(CONTROL_ROOT):], body)
            else:
                self._serve(path, body)
        except (ConnectionError, socket.timeout):
            self.close_connection = True
        except Exception as e:
            if isinstance(e, InjectedFault):
                if self.server.verbose:
                    sys.stderr.write("swng-space: %s\n" % e)
            else:
                traceback.print_exc(file=sys.stderr)
            if self._status_sent is None:
                self._send_json(500, {"error": "Internal Server Error"})
            else:
                self.close_connection = True  # mid-response: all we can do

    def _serve(self, path, body):
        match = ROUTE_RE.match(path)
        if not match:
            return self._send_json(404, {"error": "Not Found"})
        if self.command != "POST":
            return self._send_json(405, {"error": "Method Not Allowed"}, {"Allow": "POST"})
        segment = unquote(match.group(1))
        fault = self.state.take_fault()
        if fault is not None:
            self.state.update_entry(self._entry, fault=fault["mode"])
            if self._apply_fault(fault, segment, body):
                return
        self._create_membership(segment, body)

    def _authorized(self):
        value = self.headers.get("Authorization", "")
        scheme, _, credentials = value.strip().partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return False
        user, sep, password = decoded.partition(":")
        user_ok = hmac.compare_digest(user.encode(), self.state.project_id.encode())
        password_ok = hmac.compare_digest(password.encode(), self.state.token.encode())
        return bool(sep) and user_ok and password_ok

    def _create_membership(self, group_segment, body):
        if not self._authorized():
            return self._send_json(401, {"error": "Unauthorized"},
                                   {"WWW-Authenticate": 'Basic realm="SignalWire"'})
        group_id = group_segment.lower()
        if not UUID_RE.match(group_id) or group_id not in self.state.groups:
            return self._send_json(404, {"error": "Not Found"})

        def invalid(code, title, detail):
            self._send_json(422, validation_error(code, title, detail))

        try:
            payload = json.loads(body.decode("utf-8"))
        except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
            return invalid("invalid_body", "Invalid request body",
                           "The request body must be a JSON object.")
        if not isinstance(payload, dict):
            return invalid("invalid_body", "Invalid request body",
                           "The request body must be a JSON object.")
        if "phone_number_id" not in payload:
            return invalid("missing_parameter", "Missing parameter",
                           "phone_number_id is required.")
        phone_number_id = payload["phone_number_id"]
        if not isinstance(phone_number_id, str) or not UUID_RE.match(phone_number_id):
            return invalid("invalid_parameter", "Invalid parameter",
                           "phone_number_id must be a UUID.")
        number = self.state.numbers.get(phone_number_id.lower())
        if number is None:
            return invalid("phone_number_not_found", "Phone number not found",
                           "No phone number with id %s exists in this project." % phone_number_id)
        membership = self.state.add_membership(group_id, number)
        if membership is None:
            return invalid("already_member", "Phone number already in group",
                           "Phone number %s is already a member of number group %s."
                           % (number["id"], group_id))
        self._send_json(200, membership)

    # -- faults --

    def _sample_membership(self, group_segment, body):
        """A contract-valid membership for this request, not stored (for faults that answer 200)."""
        number = None
        try:
            payload = json.loads(body.decode("utf-8"))
            number = self.state.numbers.get(str(payload.get("phone_number_id", "")).lower())
        except (ValueError, AttributeError):
            pass
        number = number or self.state.first_number or {
            "id": str(uuid.uuid4()), "name": "", "number": "", "capabilities": []}
        now = utc_now()
        return {"id": str(uuid.uuid4()), "number_group_id": group_segment,
                "phone_number": {k: number[k] for k in ("id", "name", "number", "capabilities")},
                "created_at": now, "updated_at": now}

    def _apply_fault(self, fault, group_segment, body):
        """Act out a fault. True if the request is fully handled, False to continue normally."""
        mode, extra = fault["mode"], dict(fault["headers"])
        if mode == "delay":
            time.sleep(fault["seconds"])
            return False
        if mode == "close":
            # No response at all: the client sees the connection end (status stays null).
            self.close_connection = True
        elif mode == "exception":
            raise InjectedFault("injected fault: exception inside the handler")
        elif mode == "truncate":
            full = json_bytes(self._sample_membership(group_segment, body))
            self.close_connection = True
            self._send(200, full[:len(full) // 2], JSON_TYPE, extra, content_length=len(full))
        elif mode == "malformed":
            self._send(200, MALFORMED_BODY, JSON_TYPE, extra)
        elif mode == "status":
            status = fault["status"]
            if fault["retry_after"] is not None:
                extra["Retry-After"] = fault["retry_after"]
            if fault["body"] is not None:
                payload, ctype = fault["body"].encode("utf-8"), fault["content_type"] or JSON_TYPE
            else:
                if status == 422:
                    obj = validation_error("injected", "Unprocessable Entity",
                                           "Injected 422 response.")
                else:
                    obj = {"error": reason_phrase(status)}
                payload, ctype = json_bytes(obj), fault["content_type"] or JSON_TYPE
            if status == 401:
                extra.setdefault("WWW-Authenticate", 'Basic realm="SignalWire"')
            self._send(status, payload, ctype, extra)
        elif mode == "html":
            self._send(fault["status"], HTML_502, HTML_TYPE, extra)
        elif mode == "redirect":
            extra["Location"] = fault["location"]
            self._send(fault["status"], b"{}", JSON_TYPE, extra)
        elif mode == "oversize":
            membership = self._sample_membership(group_segment, body)
            membership["padding"] = "x" * fault["size"]
            self._send(200, json_bytes(membership), JSON_TYPE, extra)
        elif mode == "body":
            self._send(fault["status"], fault["body"].encode("utf-8"),
                       fault["content_type"], extra)
        elif mode == "stall":
            full = json_bytes(self._sample_membership(group_segment, body))
            half = len(full) // 2
            self._send(200, full[:half], JSON_TYPE, extra, content_length=len(full))
            time.sleep(fault["seconds"])
            self.wfile.write(full[half:])
        else:  # parse_fault() only lets known modes in
            raise AssertionError("unhandled fault mode %r" % mode)
        return True

    # -- control API (unauthenticated, not journaled) --

    def _control(self, route, body):
        state = self.state
        allowed = {"/health": ("GET",), "/journal": ("GET", "DELETE"),
                   "/faults": ("GET", "POST", "DELETE"), "/reset": ("POST",),
                   "/memberships": ("GET",)}
        if route not in allowed:
            return self._send_json(404, {"error": "Not Found"})
        if self.command not in allowed[route]:
            return self._send_json(405, {"error": "Method Not Allowed"},
                                   {"Allow": ", ".join(allowed[route])})
        key = (self.command, route)
        if key == ("GET", "/health"):
            self._send_json(200, {"ok": True})
        elif key == ("GET", "/journal"):
            self._send_json(200, {"requests": state.journal_snapshot()})
        elif key == ("DELETE", "/journal"):
            state.clear_journal()
            self._send_json(200, {"ok": True})
        elif key == ("GET", "/faults"):
            self._send_json(200, {"faults": state.faults_snapshot()})
        elif key == ("POST", "/faults"):
            try:
                fault = parse_fault(json.loads(body.decode("utf-8")))
            except ValueError as e:
                return self._send_json(400, {"error": str(e)})
            self._send_json(200, {"ok": True, "fault": state.add_fault(fault)})
        elif key == ("DELETE", "/faults"):
            state.clear_faults()
            self._send_json(200, {"ok": True})
        elif key == ("POST", "/reset"):
            state.reset()
            self._send_json(200, {"ok": True})
        elif key == ("GET", "/memberships"):
            self._send_json(200, {"memberships": state.memberships_snapshot()})


class SpaceServer(http.server.ThreadingHTTPServer):
    daemon_threads = True          # open keep-alive connections never block exit
    request_queue_size = 128       # load tests open many connections at once
    allow_reuse_address = True

    def __init__(self, address, state, verbose=False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.verbose = verbose
        super().__init__(address, SpaceHandler)

    def server_bind(self):
        # HTTPServer.server_bind() does a reverse DNS lookup (getfqdn) that
        # can stall for seconds on machines without DNS; skip it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def enable_tls(self, cert_file, key_file):
        """Serve HTTPS. The handshake happens in each connection's own thread
        (not in accept), so a client that refuses the certificate cannot stall
        the others."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert_file, key_file)
        self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                      do_handshake_on_connect=False)

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout, ssl.SSLError)):
            return  # clients hanging up (or refusing our certificate) is routine here
        super().handle_error(request, client_address)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def write_atomically(path, text):
    """Readers polling for the file never see it half-written."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _watch_parent(stop):
    """Stop when the process that started us goes away (even by SIGKILL)."""
    parent = os.getppid()
    while not stop.wait(0.5):
        if os.getppid() != parent:
            stop.set()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Local emulated SignalWire space for swng tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--fixture", default=DEFAULT_FIXTURE)
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--pid-file", help="write the process id here")
    parser.add_argument("--fault", action="append", default=[], metavar="SPEC",
                        help='JSON fault object, e.g. \'{"mode":"status","status":503}\'; '
                             "count defaults to -1 (whole run); repeatable")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="adding a number already in the group creates another membership")
    parser.add_argument("--watch-parent", action="store_true",
                        help="exit when the parent process goes away")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (needs --tls-key)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")

    try:
        fixture = load_fixture(args.fixture)
    except (OSError, ValueError) as e:
        parser.error("cannot load fixture: %s" % e)
    faults = []
    for spec in args.fault:
        try:
            faults.append(parse_fault(json.loads(spec), default_count=-1))
        except ValueError as e:
            parser.error("--fault %s: %s" % (spec, e))

    state = SpaceState(fixture, args.allow_duplicates, faults)
    server = SpaceServer((args.host, args.port), state, args.verbose)
    if args.tls_cert:
        server.enable_tls(args.tls_cert, args.tls_key)
    scheme = "https" if args.tls_cert else "http"
    host, port = server.server_address[:2]

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     name="serve", daemon=True).start()
    if args.watch_parent:
        threading.Thread(target=_watch_parent, args=(stop,), name="watch-parent",
                         daemon=True).start()

    # pid file first: whoever waits for the port file can then rely on both.
    if args.pid_file:
        write_atomically(args.pid_file, "%d\n" % os.getpid())
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    url_host = "[%s]" % host if ":" in host else host
    try:
        print("swng-space listening on %s://%s:%d" % (scheme, url_host, port), flush=True)
    except OSError:
        pass  # nobody is reading stdout; not a reason to stop serving

    while not stop.wait(0.5):  # a timed wait keeps signal handling prompt
        pass
    server.shutdown()
    server.server_close()
    for path in (args.port_file, args.pid_file):
        if path:
            try:
                os.unlink(path)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
