#!/usr/bin/env python3
"""swng-space: a local, emulated SignalWire space for swng's tests and demo.

It serves the relay-rest number-group family (number-groups.openapi.yaml:
number groups, their memberships, phone number lookup) from one table of
routes, ROUTES: (method, path template, handler, sample). Auth, faults, the
journal and 404/405 are handled once for every route. It runs over real
HTTP/1.1 on loopback (keep-alive, Basic auth, every status of the contract),
keeps groups and memberships in memory (seeded from the fixture), pages lists
with absolute links (or hostile ones, for tests: see PAGING_MODES), journals
every request it receives, and can inject faults (delays, dropped
connections, truncated or malformed bodies, 429/5xx, HTML error pages,
redirects, ...).

A control API under /__space/ lets tests inspect the journal and queue
faults; see README.md beside this file. Python 3 standard library only.

    python3 space.py [--host 127.0.0.1] [--port 0] [--fixture PATH]
                     [--port-file PATH] [--pid-file PATH] [--fault SPEC ...]
                     [--paging SPEC] [--allow-duplicates] [--watch-parent] [--verbose]
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
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.join(HERE, "fixture.json")

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
               "body": ("str", None), "content_type": ("str", None),
               "body_base64": ("base64", None)},
    "html": {"status": ("status", 502)},
    "redirect": {"status": ("status", 302), "location": ("str", DEFAULT_REDIRECT)},
    "oversize": {"size": ("size", OVERSIZE_DEFAULT)},
    "body": {"status": ("status", 200), "body": ("str", ""),
             "content_type": ("str", "application/json"), "body_base64": ("base64", None)},
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
    operation = rest.pop("operation", None)
    if operation is not None and operation not in OPERATIONS:
        raise ValueError("operation must be one of %s" % ", ".join(sorted(OPERATIONS)))
    headers = rest.pop("headers", {})
    if not isinstance(headers, dict):
        raise ValueError("headers must be an object of name: value strings")
    for name, value in headers.items():
        _check_header_text("header name", name)
        _check_header_text("header %r" % name, value)

    fault = {"mode": mode, "count": count, "remaining": count, "headers": headers,
             "operation": operation}
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
        if kind == "base64":
            # Raw bytes (invalid UTF-8, NUL), which a JSON string cannot
            # carry; kept as given (faults are listed as JSON), decoded to send.
            try:
                base64.b64decode(value, validate=True)
            except (TypeError, ValueError):
                raise ValueError("%s must be a Base64 string" % name)
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

    def __init__(self, fixture, allow_duplicates=False, startup_faults=(), startup_paging=None):
        self.lock = threading.Lock()
        self.project_id = fixture["project_id"]
        self.token = fixture["token"]
        self.fixture_groups = [dict(g) for g in fixture["number_groups"]]
        self.numbers = {n["id"].lower(): n for n in fixture["phone_numbers"]}
        self.number_list = list(fixture["phone_numbers"])   # fixture order, for lists
        self.first_number = fixture["phone_numbers"][0] if fixture["phone_numbers"] else None
        self.allow_duplicates = allow_duplicates
        self.startup_faults = [dict(f) for f in startup_faults]
        self.startup_paging = dict(startup_paging or PAGING_NORMAL)
        # Counters are never reset, so seq and connection ids stay unique for
        # the whole run even across journal clears and resets.
        self._next_seq = 1
        self._next_connection = 1
        self._next_fault = 1
        self.journal = []
        self.faults = []
        self.groups = {}
        self.memberships = []
        self._members_by_id = {}
        self._member_keys = set()
        self.paging = dict(PAGING_NORMAL)
        self.reset()

    def flight(self, delta):
        with self.lock:
            self.in_flight += delta
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def stats(self):
        with self.lock:
            return {"in_flight": self.in_flight, "peak_in_flight": self.peak_in_flight}

    def reset(self):
        """Back to the startup state: the fixture's groups, no memberships, empty
        journal, only --fault faults, the --paging mode."""
        with self.lock:
            self.journal = []
            self.groups = {}
            for g in self.fixture_groups:
                self.groups[g["id"].lower()] = {"id": g["id"], "name": g["name"],
                                                "sticky_sender": bool(g.get("sticky_sender",
                                                                            False))}
            self.memberships = []
            self._members_by_id = {}
            self._member_keys = set()
            self.faults = []
            for f in self.startup_faults:
                self._add_fault_locked(dict(f))
            self.paging = dict(self.startup_paging)
            # Route requests being served now, and the most at once since
            # the last reset (bounded-concurrency tests read /stats).
            self.in_flight = getattr(self, "in_flight", 0)  # requests still being served
            self.peak_in_flight = self.in_flight

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
                 "operation": None, "status": None, "request_id": None, "fault": None,
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

    def take_fault(self, operation):
        """The fault for the next request to a route, if any: the first queued
        fault that applies to this operation (all do unless they name one),
        one use per request."""
        with self.lock:
            for i, fault in enumerate(self.faults):
                if fault["operation"] not in (None, operation):
                    continue
                if fault["remaining"] > 0:
                    fault["remaining"] -= 1
                    if fault["remaining"] == 0:
                        self.faults.pop(i)
                return dict(fault)
            return None

    def faults_snapshot(self):
        with self.lock:
            return [dict(f) for f in self.faults]

    def clear_faults(self):
        with self.lock:
            self.faults = []

    # -- paging --

    def set_paging(self, paging):
        with self.lock:
            self.paging = dict(paging)
            return dict(self.paging)

    def paging_snapshot(self):
        with self.lock:
            return dict(self.paging)

    # -- number groups --

    def _group_view_locked(self, group):
        count = sum(1 for m in self.memberships if m["number_group_id"] == group["id"].lower())
        return {"id": group["id"], "name": group["name"],
                "sticky_sender": group["sticky_sender"], "phone_number_count": count}

    def group(self, group_id):
        """The group as the API shows it, or None."""
        with self.lock:
            g = self.groups.get(group_id.lower())
            return self._group_view_locked(g) if g else None

    def has_group(self, group_id):
        with self.lock:
            return group_id.lower() in self.groups

    def groups_snapshot(self):
        with self.lock:
            return [self._group_view_locked(g) for g in self.groups.values()]

    def add_group(self, name, sticky_sender):
        with self.lock:
            g = {"id": str(uuid.uuid4()), "name": name, "sticky_sender": sticky_sender}
            self.groups[g["id"]] = g
            return self._group_view_locked(g)

    def update_group(self, group_id, name, sticky_sender):
        """sticky_sender None keeps the current value. None if there is no such group."""
        with self.lock:
            g = self.groups.get(group_id.lower())
            if g is None:
                return None
            g["name"] = name
            if sticky_sender is not None:
                g["sticky_sender"] = sticky_sender
            return self._group_view_locked(g)

    def delete_group(self, group_id):
        """True if it existed; its memberships go with it."""
        gid = group_id.lower()
        with self.lock:
            if self.groups.pop(gid, None) is None:
                return False
            for m in [m for m in self.memberships if m["number_group_id"] == gid]:
                self._remove_membership_locked(m)
            return True

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
            self._members_by_id[membership["id"]] = membership
            return membership

    def membership(self, membership_id):
        with self.lock:
            return self._members_by_id.get(membership_id.lower())

    def group_memberships(self, group_id):
        gid = group_id.lower()
        with self.lock:
            return [m for m in self.memberships if m["number_group_id"] == gid]

    def _remove_membership_locked(self, m):
        self.memberships.remove(m)
        del self._members_by_id[m["id"]]
        key = (m["number_group_id"], m["phone_number"]["id"].lower())
        if not any((x["number_group_id"], x["phone_number"]["id"].lower()) == key
                   for x in self.memberships):
            self._member_keys.discard(key)

    def delete_membership(self, membership_id):
        with self.lock:
            m = self._members_by_id.get(membership_id.lower())
            if m is None:
                return False
            self._remove_membership_locked(m)
            return True

    def memberships_snapshot(self):
        with self.lock:
            return list(self.memberships)


# --------------------------------------------------------------------------
# Paging
# --------------------------------------------------------------------------

# How list routes write their links. "normal" is what SignalWire does: absolute
# URLs built from the request's Host header, `next` only when there is more.
# The other modes make paging hostile, for testing a client's paging loop.
# Per mode: parameter name -> default.
PAGING_MODES = {
    "normal": {},
    # links.next points to another origin (scheme://host[:port]).
    "foreign_host": {"origin": "http://foreign.invalid"},
    # links.next keeps the host but flips http <-> https.
    "foreign_scheme": {},
    # links.next keeps the origin but leaves the path family.
    "foreign_path": {"path": "/api/relay/rest/elsewhere"},
    # every link is relative ("/api/relay/rest/...?...") instead of absolute.
    "relative": {},
    # the last page's links.next points back: to "first" (the first page's
    # URL, which is links.first) or to "self" (the same page again).
    "cycle": {"to": "first"},
    # pages past the end are empty ("data": []) and still have a links.next,
    # with a fresh page_token each time: paging never ends by itself.
    "endless_empty": {},
}
PAGING_NORMAL = {"mode": "normal", "operation": None}
PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 1000


def parse_paging(spec):
    """Validate a paging object ({"mode": ..., "operation": ..., params}); raises ValueError."""
    if not isinstance(spec, dict):
        raise ValueError("paging must be a JSON object")
    rest = dict(spec)
    mode = rest.pop("mode", None)
    if mode not in PAGING_MODES:
        raise ValueError("unknown paging mode %r; expected one of %s"
                         % (mode, ", ".join(sorted(PAGING_MODES))))
    operation = rest.pop("operation", None)
    if operation is not None and operation not in LIST_OPERATIONS:
        raise ValueError("operation must be one of %s" % ", ".join(sorted(LIST_OPERATIONS)))
    paging = {"mode": mode, "operation": operation}
    for name, default in PAGING_MODES[mode].items():
        value = rest.pop(name, default)
        _check_header_text(name, value)
        paging[name] = value
    if mode == "cycle" and paging["to"] not in ("first", "self"):
        raise ValueError('cycle: "to" must be "first" or "self"')
    if mode == "foreign_host" and not re.match(r"^https?://[^/?#]+$", paging["origin"]):
        raise ValueError('foreign_host: "origin" must be scheme://host[:port]')
    if mode == "foreign_path" and not paging["path"].startswith("/"):
        raise ValueError('foreign_path: "path" must start with "/"')
    if rest:
        raise ValueError("unknown parameter(s) for paging mode %r: %s"
                         % (mode, ", ".join(sorted(rest))))
    return paging


def page_token(operation, offset):
    raw = ("%s:%d" % (operation, offset)).encode()
    return "PA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_offset(operation, token):
    """The offset a page_token stands for, or None if it is not one of this list's tokens."""
    if not token.startswith("PA"):
        return None
    data = token[2:]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    op, _, number = raw.rpartition(":")
    if op != operation or not number.isdigit():
        return None
    return int(number)


# --------------------------------------------------------------------------
# Routes: one row per operation of number-groups.openapi.yaml
# --------------------------------------------------------------------------

class Request:
    """What a route handler gets: the matched path parameters (URL-decoded),
    the query (name -> last value), the body (bytes), the state, and what
    links are built from."""

    def __init__(self, handler, route, params, query, body):
        self.route = route
        self.operation = route.name
        self.params = params
        self.query = query
        self.body = body
        self.state = handler.state
        self.path = urlsplit(handler.path).path
        scheme = "https" if handler.server.tls else "http"
        host = handler.headers.get("Host")
        if not host:
            h, p = handler.server.server_address[:2]
            host = "%s:%d" % ("[%s]" % h if ":" in h else h, p)
        self.scheme, self.host = scheme, host
        self.origin = "%s://%s" % (scheme, host)


def reply(status, obj=None, headers=None):
    """A handler's answer: status, a JSON-able body (None: no body), extra headers."""
    return (status, obj, headers or {})


def not_found():
    return reply(404, {"error": "Not Found"})


def bad_request():
    return reply(400, {"error": "Bad Request"})


def invalid(code, title, detail):
    return reply(422, validation_error(code, title, detail))


def json_object_body(req):
    """The body as a JSON object, or a 422 reply."""
    try:
        payload = json.loads(req.body.decode("utf-8"))
    except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
        payload = None
    if not isinstance(payload, dict):
        return None, invalid("invalid_body", "Invalid request body",
                             "The request body must be a JSON object.")
    return payload, None


def uuid_param(req, name):
    """The path parameter, lower-cased, or None if it is not a UUID."""
    value = req.params[name]
    return value.lower() if UUID_RE.match(value) else None


def paginate(req, items, query_params, bad):
    """One page of items with links, as the contract's *ListResponse.

    query_params: the filters to carry into the links (name -> value).
    bad(detail): the reply for a bad paging parameter (422, or 400 where the
    contract has no 422). Honours the space's paging mode.
    """
    q = req.query
    size_text = q.get("page_size")
    if size_text is None:
        size = PAGE_SIZE_DEFAULT
    elif re.match(r"^[0-9]{1,7}$", size_text) and 1 <= int(size_text) <= PAGE_SIZE_MAX:
        size = int(size_text)
    else:
        return bad("page_size must be an integer from 1 to %d." % PAGE_SIZE_MAX)
    if q.get("page_token") is not None:
        offset = page_offset(req.operation, q["page_token"])
        if offset is None:
            return bad("page_token is not valid for this list.")
    elif q.get("page_number") is not None:
        if not re.match(r"^[0-9]{1,7}$", q["page_number"]):
            return bad("page_number must be a non-negative integer.")
        offset = int(q["page_number"]) * size
    else:
        offset = 0

    paging = req.state.paging_snapshot()
    if paging["operation"] not in (None, req.operation):
        paging = PAGING_NORMAL
    mode = paging["mode"]
    origin = "" if mode == "relative" else req.origin

    def url(page_offset_, path=req.path, origin_=None):
        params = [(k, v) for k, v in query_params.items() if v is not None]
        params.append(("page_number", str(page_offset_ // size)))
        params.append(("page_size", str(size)))
        if page_offset_:
            params.append(("page_token", page_token(req.operation, page_offset_)))
        return "%s%s?%s" % (origin if origin_ is None else origin_, path, urlencode(params))

    links = {"self": url(offset), "first": url(0)}
    more = offset + size < len(items)
    if more or mode == "endless_empty":
        links["next"] = url(offset + size)
    if offset > 0:
        links["prev"] = url(max(0, offset - size))
    if mode == "cycle" and not more:
        links["next"] = links[paging["to"]]
    elif "next" in links:
        if mode == "foreign_host":
            links["next"] = url(offset + size, origin_=paging["origin"])
        elif mode == "foreign_scheme":
            other = "http" if req.scheme == "https" else "https"
            links["next"] = url(offset + size, origin_="%s://%s" % (other, req.host))
        elif mode == "foreign_path":
            links["next"] = url(offset + size, path=paging["path"])
    return reply(200, {"links": links, "data": items[offset:offset + size]})


def _bad_422(detail):
    return invalid("invalid_parameter", "Invalid parameter", detail)


def _bad_400(_detail):
    return bad_request()  # list_phone_numbers lists 400, not 422


PHONE_NUMBER_NULLS = (
    "e911_address_id", "e911_status", "next_billed_at", "call_handler",
    "calling_handler_resource_id", "call_request_url", "call_request_method",
    "call_fallback_url", "call_fallback_method", "call_status_callback_url",
    "call_status_callback_method", "call_laml_application_id", "call_dialogflow_agent_id",
    "call_relay_topic", "call_relay_topic_status_callback_url", "call_relay_script_url",
    "call_relay_context", "call_relay_context_status_callback_url", "call_relay_application",
    "call_relay_connector_id", "call_sip_endpoint_id", "call_verto_resource",
    "call_video_room_id", "message_handler", "messaging_handler_resource_id",
    "message_request_url", "message_request_method", "message_fallback_url",
    "message_fallback_method", "message_laml_application_id", "message_relay_topic",
    "message_relay_context")
FIXTURE_TIME = "2024-01-15T10:30:00Z"
TOLL_FREE = re.compile(r"^\+1(800|833|844|855|866|877|888)")


def phone_number_view(n):
    """A fixture number as the contract's PhoneNumber (every required field;
    the fixture may give any of them, the rest get plain defaults)."""
    out = {"id": n["id"], "number": n["number"], "name": n["name"],
           "capabilities": list(n["capabilities"]),
           "number_type": "toll-free" if TOLL_FREE.match(n["number"]) else "longcode",
           "e911_address_id": None, "e911_status": None,
           "created_at": FIXTURE_TIME, "updated_at": FIXTURE_TIME}
    for key in PHONE_NUMBER_NULLS:
        out.setdefault(key, None)
    out["call_receive_mode"] = "voice"
    out["country_code"] = ("US" if n["number"].startswith("+1")
                           else "CH" if n["number"].startswith("+41") else None)
    for key, value in n.items():
        if key in out:
            out[key] = value
    return out


def _group_body(req, update):
    """(name, sticky_sender) from a create/update body, or (None, None, 422 reply)."""
    payload, error = json_object_body(req)
    if error:
        return None, None, error
    unknown = sorted(set(payload) - {"name", "sticky_sender"})
    if unknown:
        return None, None, invalid("invalid_parameter", "Invalid parameter",
                                   "Unknown parameter: %s." % ", ".join(unknown))
    if "name" not in payload:
        return None, None, invalid("missing_parameter", "Missing parameter", "name is required.")
    name = payload["name"]
    if not isinstance(name, str) or not name.strip():
        return None, None, invalid("invalid_parameter", "Invalid parameter",
                                   "name must be a non-empty string.")
    sticky = payload.get("sticky_sender", None if update else False)
    if sticky is not None and not isinstance(sticky, bool):
        return None, None, invalid("invalid_parameter", "Invalid parameter",
                                   "sticky_sender must be true or false.")
    return name, sticky, None


# -- number groups --

def list_number_groups(req):
    name = req.query.get("filter_name")
    if name is not None and len(name) > 255:
        return _bad_422("filter_name is at most 255 characters.")
    groups = req.state.groups_snapshot()
    if name:
        groups = [g for g in groups if name.lower() in g["name"].lower()]
    return paginate(req, groups, {"filter_name": name}, _bad_422)


def create_number_group(req):
    name, sticky, error = _group_body(req, update=False)
    if error:
        return error
    return reply(200, req.state.add_group(name, sticky))


def retrieve_number_group(req):
    gid = uuid_param(req, "id")
    group = req.state.group(gid) if gid else None
    return reply(200, group) if group else not_found()


def update_number_group(req):
    gid = uuid_param(req, "id")
    if not gid or not req.state.has_group(gid):
        return not_found()
    name, sticky, error = _group_body(req, update=True)
    if error:
        return error
    group = req.state.update_group(gid, name, sticky)
    return reply(200, group) if group else not_found()


def delete_number_group(req):
    gid = uuid_param(req, "id")
    return reply(204) if gid and req.state.delete_group(gid) else not_found()


# -- memberships --

def list_number_group_memberships(req):
    gid = uuid_param(req, "number_group_id")
    if not gid or not req.state.has_group(gid):
        return not_found()
    return paginate(req, req.state.group_memberships(gid), {}, _bad_422)


def create_number_group_membership(req):
    group_id = uuid_param(req, "number_group_id")
    if not group_id or not req.state.has_group(group_id):
        return not_found()
    payload, error = json_object_body(req)
    if error:
        return error
    if "phone_number_id" not in payload:
        return invalid("missing_parameter", "Missing parameter", "phone_number_id is required.")
    phone_number_id = payload["phone_number_id"]
    if not isinstance(phone_number_id, str) or not UUID_RE.match(phone_number_id):
        return invalid("invalid_parameter", "Invalid parameter",
                       "phone_number_id must be a UUID.")
    number = req.state.numbers.get(phone_number_id.lower())
    if number is None:
        return invalid("phone_number_not_found", "Phone number not found",
                       "No phone number with id %s exists in this project." % phone_number_id)
    membership = req.state.add_membership(group_id, number)
    if membership is None:
        return invalid("already_member", "Phone number already in group",
                       "Phone number %s is already a member of number group %s."
                       % (number["id"], group_id))
    return reply(200, membership)


def retrieve_number_group_membership(req):
    mid = uuid_param(req, "id")
    m = req.state.membership(mid) if mid else None
    return reply(200, m) if m else not_found()


def delete_number_group_membership(req):
    mid = uuid_param(req, "id")
    return reply(204) if mid and req.state.delete_membership(mid) else not_found()


# -- phone numbers --

def list_phone_numbers(req):
    number, name = req.query.get("filter_number"), req.query.get("filter_name")
    numbers = req.state.number_list
    if number:
        numbers = [n for n in numbers if number in n["number"]]
    if name:
        numbers = [n for n in numbers if name.lower() in (n["name"] or "").lower()]
    return paginate(req, [phone_number_view(n) for n in numbers],
                    {"filter_number": number, "filter_name": name}, _bad_400)


def retrieve_phone_number(req):
    pid = uuid_param(req, "id")
    n = req.state.numbers.get(pid) if pid else None
    return reply(200, phone_number_view(n)) if n else not_found()


# -- bodies for the faults that answer 200 without running the handler --

def sample_membership(req):
    """A contract-valid membership for this request, not stored."""
    number = None
    try:
        payload = json.loads(req.body.decode("utf-8"))
        number = req.state.numbers.get(str(payload.get("phone_number_id", "")).lower())
    except (ValueError, AttributeError):
        pass
    number = number or req.state.first_number or {
        "id": str(uuid.uuid4()), "name": "", "number": "", "capabilities": []}
    now = utc_now()
    return {"id": str(uuid.uuid4()),
            "number_group_id": req.params.get("number_group_id", str(uuid.uuid4())),
            "phone_number": {k: number[k] for k in ("id", "name", "number", "capabilities")},
            "created_at": now, "updated_at": now}


def sample_group(req):
    return {"id": req.params.get("id", str(uuid.uuid4())), "name": "Sample",
            "sticky_sender": False, "phone_number_count": 0}


def sample_phone_number(req):
    n = req.state.first_number or {"id": str(uuid.uuid4()), "name": "", "number": "+15550000000",
                                   "capabilities": []}
    return phone_number_view(n)


def sample_list(item):
    def sample(req):
        first = "%s%s?page_number=0&page_size=%d" % (req.origin, req.path, PAGE_SIZE_DEFAULT)
        return {"links": {"self": first, "first": first}, "data": [item(req)]}
    return sample


def sample_empty(_req):
    return {}


class Route:
    """One row: method, path template ({name} is one URL-decoded segment),
    handler(Request) -> reply(...), and sample(Request) -> the 200 body that
    faults such as truncate, stall and oversize send in its place."""

    def __init__(self, method, template, handler, sample):
        self.method, self.template, self.handler, self.sample = method, template, handler, sample
        self.name = handler.__name__        # the contract's operationId
        self.regex = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)",
                                             re.escape(template)) + "$")


API = "/api/relay/rest"
ROUTES = [
    Route("GET", API + "/number_groups", list_number_groups, sample_list(sample_group)),
    Route("POST", API + "/number_groups", create_number_group, sample_group),
    Route("GET", API + "/number_groups/{id}", retrieve_number_group, sample_group),
    Route("PUT", API + "/number_groups/{id}", update_number_group, sample_group),
    Route("DELETE", API + "/number_groups/{id}", delete_number_group, sample_empty),
    Route("GET", API + "/number_groups/{number_group_id}/number_group_memberships",
          list_number_group_memberships, sample_list(sample_membership)),
    Route("POST", API + "/number_groups/{number_group_id}/number_group_memberships",
          create_number_group_membership, sample_membership),
    Route("GET", API + "/number_group_memberships/{id}", retrieve_number_group_membership,
          sample_membership),
    Route("DELETE", API + "/number_group_memberships/{id}", delete_number_group_membership,
          sample_empty),
    Route("GET", API + "/phone_numbers", list_phone_numbers, sample_list(sample_phone_number)),
    Route("GET", API + "/phone_numbers/{id}", retrieve_phone_number, sample_phone_number),
]
LIST_OPERATIONS = {r.name for r in ROUTES if r.name.startswith("list_")}
OPERATIONS = {r.name for r in ROUTES}


def match_route(method, path):
    """(route, params) for this request; (None, allowed methods) if the path
    matches only other methods' templates; (None, []) if it matches none."""
    allowed = []
    for route in ROUTES:
        m = route.regex.match(path)
        if m:
            if route.method == method:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}
            allowed.append(route.method)
    return None, allowed


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
                self.state.flight(+1)
                try:
                    self._serve(path, body)
                finally:
                    self.state.flight(-1)
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
        route, found = match_route(self.command, path)
        if route is None:
            if found:
                return self._send_json(405, {"error": "Method Not Allowed"},
                                       {"Allow": ", ".join(found)})
            return self._send_json(404, {"error": "Not Found"})
        query = {k: v[-1] for k, v in
                 parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}
        req = Request(self, route, found, query, body)
        self.state.update_entry(self._entry, operation=route.name)
        fault = self.state.take_fault(route.name)
        if fault is not None:
            self.state.update_entry(self._entry, fault=fault["mode"])
            if self._apply_fault(fault, req):
                return
        if not self._authorized():
            return self._send_json(401, {"error": "Unauthorized"},
                                   {"WWW-Authenticate": 'Basic realm="SignalWire"'})
        status, obj, headers = route.handler(req)
        if obj is None:
            self._send(status, b"", None, headers)
        else:
            self._send_json(status, obj, headers)

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

    # -- faults --

    def _apply_fault(self, fault, req):
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
            full = json_bytes(req.route.sample(req))
            self.close_connection = True
            self._send(200, full[:len(full) // 2], JSON_TYPE, extra, content_length=len(full))
        elif mode == "malformed":
            self._send(200, MALFORMED_BODY, JSON_TYPE, extra)
        elif mode == "status":
            status = fault["status"]
            if fault["retry_after"] is not None:
                extra["Retry-After"] = fault["retry_after"]
            if fault["body_base64"] is not None:
                payload = base64.b64decode(fault["body_base64"])
                ctype = fault["content_type"] or JSON_TYPE
            elif fault["body"] is not None:
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
            sample = req.route.sample(req)
            sample["padding"] = "x" * fault["size"]
            self._send(200, json_bytes(sample), JSON_TYPE, extra)
        elif mode == "body":
            raw = fault["body_base64"]
            self._send(fault["status"],
                       base64.b64decode(raw) if raw is not None else fault["body"].encode("utf-8"),
                       fault["content_type"], extra)
        elif mode == "stall":
            full = json_bytes(req.route.sample(req))
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
                   "/memberships": ("GET",), "/number_groups": ("GET",),
                   "/paging": ("GET", "POST", "DELETE"), "/routes": ("GET",),
                   "/stats": ("GET",)}
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
        elif key == ("GET", "/stats"):
            self._send_json(200, state.stats())
        elif key == ("POST", "/reset"):
            state.reset()
            self._send_json(200, {"ok": True})
        elif key == ("GET", "/memberships"):
            self._send_json(200, {"memberships": state.memberships_snapshot()})
        elif key == ("GET", "/number_groups"):
            self._send_json(200, {"number_groups": state.groups_snapshot()})
        elif key == ("GET", "/paging"):
            self._send_json(200, {"paging": state.paging_snapshot()})
        elif key == ("POST", "/paging"):
            try:
                paging = parse_paging(json.loads(body.decode("utf-8")))
            except ValueError as e:
                return self._send_json(400, {"error": str(e)})
            self._send_json(200, {"ok": True, "paging": state.set_paging(paging)})
        elif key == ("DELETE", "/paging"):
            self._send_json(200, {"ok": True, "paging": state.set_paging(PAGING_NORMAL)})
        elif key == ("GET", "/routes"):
            self._send_json(200, {"routes": [{"method": r.method, "path": r.template,
                                              "operation": r.name} for r in ROUTES]})


class SpaceServer(http.server.ThreadingHTTPServer):
    daemon_threads = True          # open keep-alive connections never block exit
    request_queue_size = 128       # load tests open many connections at once
    allow_reuse_address = True

    def __init__(self, address, state, verbose=False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.verbose = verbose
        self.tls = False
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
        self.tls = True

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
    parser.add_argument("--paging", metavar="SPEC",
                        help='JSON paging object for list routes, e.g. \'{"mode":"cycle"}\' '
                             "(modes: %s)" % ", ".join(sorted(PAGING_MODES)))
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

    paging = None
    if args.paging:
        try:
            paging = parse_paging(json.loads(args.paging))
        except ValueError as e:
            parser.error("--paging %s: %s" % (args.paging, e))
    state = SpaceState(fixture, args.allow_duplicates, faults, paging)
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
