"""A tiny recording HTTP proxy between swng's clients and Prism.

    client --> RecordingProxy (127.0.0.1:free) --> Prism (mock or proxy) [--> space]

Why it exists:

* Prism matches request paths against the spec's `paths` *without* the
  servers' base path (/api/relay/rest), while swng (like every SignalWire
  client) sends /api/relay/rest/number_groups/... The proxy checks that each
  request path starts with the spec's base path, strips it, and forwards the
  rest unchanged (method, headers, body), so Prism judges the real request.
* It sees every response byte from Prism, in particular the `sl-violations`
  header in which Prism 5.14.2 lists each request and response violation,
  whatever the client does with the response. That makes it the referee's
  scoreboard: independent of the language under test, of how a binding
  exposes headers, and of Prism's log format.

Each exchange is recorded (the Authorization value reduced to its scheme and
user; the token is never stored). Python 3 standard library only.
"""

import base64
import http.client
import http.server
import json
import socket
import socketserver
import threading
import time
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "trailers", "transfer-encoding", "upgrade"}
MAX_RECORDED_BODY = 64 * 1024


def redact_authorization(value):
    """'Basic <b64 of user:token>' -> 'Basic user:***' (or the scheme only)."""
    scheme, _, cred = value.strip().partition(" ")
    if scheme.lower() == "basic" and cred:
        try:
            user, sep, _pw = base64.b64decode(cred.strip(), validate=True).decode(
                "utf-8", "replace").partition(":")
            return "Basic %s%s" % (user, ":***" if sep else " (no ':')")
        except (ValueError, TypeError):
            return "Basic (not base64)"
    return scheme + (" ***" if cred else "")


def parse_violations(value):
    """The sl-violations header as a list of {location, severity, code, message}."""
    if value is None:
        return []
    try:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) else [{"severity": "Error", "message": value}]
    except ValueError:  # "Too many violations! [..." (Prism truncates long lists)
        return [{"severity": "Error", "message": value}]


def problem_violations(content_type, body):
    """Violations that Prism reports in its own problem+json answer instead of
    sl-violations: in proxy mode a request that breaks the contract is not
    forwarded but answered 401 (UNAUTHORIZED) or 422 (UNPROCESSABLE_ENTITY,
    with a `validation` list); with --errors a response that breaks it
    becomes a 500 (VIOLATIONS, same list)."""
    if not content_type.startswith("application/problem+json"):
        return []
    try:
        problem = json.loads(body)
    except ValueError:
        return []
    kind = str(problem.get("type", "")).rsplit("#", 1)[-1]
    if kind == "UNAUTHORIZED":
        return [{"location": ["request"], "severity": "Error", "code": 401,
                 "message": problem.get("title", "Invalid security scheme used")}]
    out = []
    for v in problem.get("validation") or []:
        v = dict(v)
        loc = list(v.get("location") or [])
        if kind != "VIOLATIONS" and (not loc or loc[0] not in ("request", "response")):
            loc = ["request"] + loc
        v["location"] = loc
        out.append(v)
    return out


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "swng-contract-recorder/1.0"
    timeout = 120

    def log_message(self, fmt, *args):  # quiet
        pass

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._relay
        raise AttributeError(name)

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle and
        # delayed ACKs add ~40 ms to every kept-alive exchange.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._upstream = None

    def finish(self):
        try:
            super().finish()
        finally:
            if self._upstream is not None:
                self._upstream.close()

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _forward(self, method, path, body, headers):
        """One upstream round trip over a kept-alive connection (one retry on a stale one)."""
        up = self.server.upstream
        for attempt in (1, 2):
            if self._upstream is None:
                self._upstream = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
                self._upstream.connect()
                self._upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self._upstream.request(method, path, body=body if body or method in (
                    "POST", "PUT", "PATCH") else None, headers=headers)
                resp = self._upstream.getresponse()
                return resp, resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self._upstream.close()
                self._upstream = None
                if attempt == 2:
                    raise

    def _relay(self):
        started = time.monotonic()
        body = self._read_body()
        target = urlsplit(self.path)
        prefix = self.server.strip_prefix
        base_path_ok = target.path.startswith(self.server.require_prefix + "/")
        forwarded = target.path[len(prefix):] if base_path_ok else target.path
        if target.query:
            forwarded += "?" + target.query
        headers = {}
        for name, value in self.headers.items():
            if name.lower() in HOP_BY_HOP or name.lower() in ("host", "expect"):
                continue
            headers[name] = value
        record = {
            "method": self.command, "path": self.path, "forwarded_path": forwarded,
            "base_path_ok": base_path_ok,
            "request_headers": {k.lower(): (redact_authorization(v) if k.lower() == "authorization"
                                            else v) for k, v in self.headers.items()},
            "request_body": body[:MAX_RECORDED_BODY].decode("utf-8", "replace"),
        }
        try:
            resp, data = self._forward(self.command, forwarded, body, headers)
        except Exception as e:  # Prism unreachable: record it, answer 502
            record.update(status=None, upstream_error="%s: %s" % (type(e).__name__, e),
                          violations=[], response_headers={}, response_body="")
            self.server.add(record, started)
            msg = json.dumps({"error": "recorder: upstream failed: %s" % e}).encode()
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        resp_headers = resp.getheaders()
        lower = {}
        for k, v in resp_headers:
            lower[k.lower()] = lower[k.lower()] + ", " + v if k.lower() in lower else v
        record.update(
            status=resp.status,
            response_headers=lower,
            response_body=data[:MAX_RECORDED_BODY].decode("utf-8", "replace"),
            content_type=lower.get("content-type", ""),
            violations=(parse_violations(lower.get("sl-violations"))
                        or problem_violations(lower.get("content-type", ""), data)),
            violations_from=("sl-violations" if "sl-violations" in lower else
                             "problem+json" if lower.get("content-type", "").startswith(
                                 "application/problem+json") else None),
            prism_problem=lower.get("content-type", "").startswith("application/problem+json"),
        )
        # The emulated space builds absolute links (links.next) from the Host
        # header it gets, and `prism proxy` sends it the space's own host, so
        # a link would lead the client past Prism (and a careful client
        # refuses a link to another origin). After Prism has judged the body,
        # the space's origin becomes the recorder's, as a server behind a
        # reverse proxy would answer. The record keeps what Prism saw.
        lo = self.server.link_origin
        if lo and lo.encode() in data:
            data = data.replace(lo.encode(), ("http://%s:%d" % self.server.server_address[:2])
                                .encode())
            record["links_rewritten"] = True
        self.server.add(record, started)
        self.send_response(resp.status, resp.reason)
        for k, v in resp_headers:
            if k.lower() in HOP_BY_HOP or k.lower() in ("content-length", "date", "server"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # no reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]


class RecordingProxy:
    """Listens on 127.0.0.1:<free port>; forwards to `upstream` (http://host:port)."""

    def __init__(self, upstream, strip_prefix, require_prefix=None, link_origin=None):
        """strip_prefix: the spec's server base path, checked and removed
        (Prism matches paths without it). require_prefix: a path prefix that
        is checked but kept (a spec whose paths carry it, as the family's do);
        default strip_prefix. link_origin: the origin (scheme://host:port)
        whose occurrences in response bodies become this recorder's own
        origin after Prism has judged them (see _relay)."""
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.upstream = urlsplit(upstream)
        self._server.strip_prefix = strip_prefix.rstrip("/")
        self._server.require_prefix = (strip_prefix if require_prefix is None
                                       else require_prefix).rstrip("/")
        self._server.link_origin = link_origin.rstrip("/") if link_origin else None
        self._server.add = self._add
        self._lock = threading.Lock()
        self._exchanges = []
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self._server.server_port

    def _add(self, record, started):
        record["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        with self._lock:
            record["seq"] = len(self._exchanges) + 1
            self._exchanges.append(record)

    def count(self):
        with self._lock:
            return len(self._exchanges)

    def exchanges(self, start=0):
        with self._lock:
            return list(self._exchanges[start:])

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
