#!/usr/bin/env python3
"""swng's contract tests: Prism (the pinned @stoplight/prism-cli) referees what
each way of using swng sends and receives. See README.md beside this file.

    python3 tests/contract/run_contract.py --build-dir BUILD --part PART
        [--results DIR] [--repeat 50] [--python PY] [--verbose]

PART is one of:
  referee   Prism itself, driven by raw HTTP requests: positive controls and
            negative controls (requests and responses that break the contract
            must be flagged), so that "zero violations" below means something
  cli       the swng command (BUILD/cli/swng)
  c         a C program on libswng (BUILD/tests/contract/contract_c)
  python    the Python module (PYTHONPATH=BUILD/python)
  lua5.4, lua5.3, lua5.1, luajit
            the Lua module for that interpreter (BUILD/lua/X.Y/swng.so;
            LuaJIT loads the 5.1 build)

Each client part has two phases:
  mock   client -> recorder -> `prism mock --errors SPEC`
         valid requests (static and Prefer: dynamic=true), every documented
         error status (Prefer: code=401|404|422|500, static and dynamic),
         credentials Prism refuses, arguments the client refuses itself.
  space  client -> recorder -> `prism proxy --errors SPEC SPACE` -> the emulated
         space (tests/space): real 200, 401, 404, 422 and 500 responses, each
         validated by Prism against the contract; plus 429/503, which the
         contract does not describe (reported, Prism warns).
The recorder (recording_proxy.py) strips the spec's server base path
(/api/relay/rest, which Prism does not match) and keeps every exchange with
Prism's sl-violations header. Any violation, unexpected status, wrong error
class, crash or mismatch between what the client returned and what was on
the wire fails the part. The result is written to DIR/PART.json for
report.py; the exit status is 0 only if everything passed.
"""

import sys

sys.dont_write_bytecode = True  # nothing written into the source tree

import argparse  # noqa: E402
import base64
import http.client
import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # nothing is written into the source tree
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "space"))

from prism import (SPEC, Prism, PrismError, ensure_prism, log_violation_lines,  # noqa: E402
                   spec_base_path)
from recording_proxy import RecordingProxy  # noqa: E402
from spaceclient import start_space  # noqa: E402

PARTS = ["referee", "family", "cli", "c", "python", "lua5.4", "lua5.3", "lua5.1", "luajit"]
LUA_PARTS = {"lua5.4": ("lua5.4", "5.4"), "lua5.3": ("lua5.3", "5.3"),
             "lua5.1": ("lua5.1", "5.1"), "luajit": ("luajit", "5.1")}

# What each documented status must become, in every language.
CODE_BY_STATUS = {200: "ok", 401: "authentication", 404: "not_found", 422: "validation",
                  429: "rate_limited", 500: "server", 503: "server"}
CLI_EXIT = {0: "ok", 1: "other", 2: "invalid_argument", 3: "authentication", 4: "not_found",
            5: "validation", 6: "rate_limited", 7: "server", 8: "transport", 9: "timeout",
            10: "protocol", 11: "ambiguous"}
PY_CLASS = {"invalid_argument": "InvalidArgument",
            "authentication": "AuthenticationError", "not_found": "NotFoundError",
            "validation": "ValidationError", "rate_limited": "RateLimitError",
            "server": "ServerError", "transport": "TransportError", "timeout": "TimeoutError",
            "protocol": "ProtocolError"}

FAMILY_SPEC = os.path.join(REPO, "spec", "number-groups.openapi.yaml")
# The family's paths carry the base path (its server URL has none): the
# recorder checks it without stripping it.
FAMILY_PREFIX = "/api/relay/rest"
NIL_UUID_GROUP = "00000000-0000-4000-8000-000000000404"
UNKNOWN_PHONE = "00000000-0000-4000-8000-000000000422"
CASE_TIMEOUT = 60.0


def clean(value):
    return "" if value is None else re.sub(r"[\t\r\n]", " ", str(value))


class Failure(Exception):
    pass


# ---------------------------------------------------------------- operations

def membership_wire_fields(body):
    """The answer fields of a membership, from a JSON body (the wire, or the CLI's stdout)."""
    pn = body.get("phone_number") or {}
    return {"id": clean(body.get("id")), "number_group_id": clean(body.get("number_group_id")),
            "phone_number.id": clean(pn.get("id")),
            "phone_number.capabilities": str(len(pn.get("capabilities") or [])),
            "created_at": clean(body.get("created_at"))}


def membership_ex_wire_fields(body, existed=0):
    return dict(membership_wire_fields(body), existed=str(existed))


def group_wire_fields(body):
    """A number group: sticky_sender 1/0, phone_number_count -1 when absent."""
    count = body.get("phone_number_count")
    return {"id": clean(body.get("id")), "name": clean(body.get("name")),
            "sticky_sender": "1" if body.get("sticky_sender") is True else "0",
            "phone_number_count": "-1" if count is None else clean(count)}


def phone_wire_fields(body):
    return {"id": clean(body.get("id")), "number": clean(body.get("number")),
            "name": clean(body.get("name")),
            "capabilities": str(len(body.get("capabilities") or []))}


def list_answer(items):
    """What a list answers: how many items, and their ids in order."""
    return {"count": str(len(items)), "ids": ",".join(clean(i.get("id")) for i in items)}


def _body(ex):
    try:
        body = json.loads(ex.get("response_body") or "")
    except ValueError:
        return None
    return body


def pages_items(exchanges, problems):
    """Every item of the list pages on the wire (200 GETs), in order; checks
    that each page after the first was the previous page's links.next."""
    items, expected_next = [], None
    for ex in exchanges:
        if ex.get("method") != "GET" or ex.get("status") != 200:
            continue
        if expected_next is not None and ex["path"] != expected_next:
            problems.append("page request %s is not the previous page's links.next %s"
                            % (ex["path"], expected_next))
        body = _body(ex)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            problems.append("page %s has no data list" % ex["path"])
            continue
        items += [i for i in body["data"] if isinstance(i, dict)]
        nxt = (body.get("links") or {}).get("next")
        if nxt:
            parts = urlsplit(nxt)
            expected_next = parts.path + ("?" + parts.query if parts.query else "")
        else:
            expected_next = None
    return items


def wire_single(fields):
    def wire(c, exchanges, problems):
        body = _body(exchanges[-1])
        return fields(body if isinstance(body, dict) else {})
    return wire


def wire_list(c, exchanges, problems):
    return list_answer(pages_items(exchanges, problems))


def wire_none(c, exchanges, problems):
    return {}


def wire_find(key, fields, index):
    """find_*: the one item on the wire whose `key` equals the argument."""
    def wire(c, exchanges, problems):
        want = c["args"][index]
        hits = [i for i in pages_items(exchanges, problems) if i.get(key) == want]
        if len(hits) != 1:
            problems.append("the pages on the wire have %d item(s) with %s %r, the client "
                            "found one" % (len(hits), key, want))
            return fields(hits[0]) if hits else {}
        return fields(hits[0])
    return wire


def _membership_of(items, phone, problems):
    hits = [i for i in items
            if str((i.get("phone_number") or {}).get("id", "")).lower() == phone.lower()]
    if len(hits) != 1:
        problems.append("the pages on the wire have %d membership(s) of %s" % (len(hits), phone))
    return hits[0] if hits else {}


def wire_remove_number(c, exchanges, problems):
    """remove_number: the group's pages, then DELETE of the number's membership."""
    m = _membership_of(pages_items(exchanges[:-1], problems), c["args"][1], problems)
    last = exchanges[-1]
    want = "%s/number_group_memberships/%s" % (FAMILY_PREFIX, m.get("id"))
    if last.get("method") != "DELETE" or last["path"] != want:
        problems.append("last request %s %s, expected DELETE %s"
                        % (last.get("method"), last["path"], want))
    return {}


def wire_create_if_exists(c, exchanges, problems):
    """create_membership_if_exists: a 200 POST, or a 422 POST and the group's pages."""
    body = _body(exchanges[0])
    if exchanges[0].get("status") == 200:
        return membership_ex_wire_fields(body if isinstance(body, dict) else {}, 0)
    return membership_ex_wire_fields(
        _membership_of(pages_items(exchanges[1:], problems), c["args"][1], problems), 1)


def _opt(v):
    """A case argument the command gets as a flag: "-" (not given) is None."""
    return None if v == "-" else v


def _cli_flags(*pairs):
    out = []
    for flag, v in pairs:
        if _opt(v) is not None:
            out += [flag, v]
    return out


# One row per operation the runners know (each runner has the same row in its
# own OPERATIONS table). nargs: ARG columns ("-" is "not given"); cli: the
# swng command's arguments (None: not in the command yet); kinds: the KIND a
# result has per runner (a runner without a kind does not run the operation
# yet: its cases are skipped and listed); wire(case, exchanges, problems): the
# answer fields, computed from the JSON on the wire; ids: the fields that must
# echo the case's arguments; exchanges: how many requests a success makes
# ("pages": as many as the list has pages; the case says how many).
OPERATIONS = {
    "create_membership": {
        "nargs": 2,
        "cli": lambda args: (["create-membership"], list(args)), "cli_out": "object",
        "kinds": {"c": "membership", "python": "Membership", "lua": "table"},
        "fields": membership_wire_fields,
        "wire": wire_single(membership_wire_fields),
        "ids": lambda args: {"number_group_id": args[0], "phone_number.id": args[1]},
    },
    "create_membership_if_exists": {
        "nargs": 3, "cli": lambda a: (["members", "add"], a[:2] + (["--ignore-existing"] if a[2] == "return" else [])), "cli_out": "object",
        "kinds": {"c": "membership", "python": "Membership", "lua": "table"},
        "fields": membership_ex_wire_fields, "wire": wire_create_if_exists,
        "ids": lambda args: {"number_group_id": args[0], "phone_number.id": args[1]},
    },
    "list_number_groups": {
        "nargs": 2, "cli": lambda a: (["groups", "list"], _cli_flags(("--name", a[0]), ("--page-size", a[1]))), "cli_out": "lines",
        "kinds": {"c": "list", "python": "list", "lua": "list"}, "wire": wire_list,
    },
    "create_number_group": {
        "nargs": 2, "cli": lambda a: (["groups", "create"], [a[0]] + (["--sticky-sender"] if a[1] == "1" else [])), "cli_out": "object",
        "kinds": {"c": "number_group", "python": "NumberGroup", "lua": "table"},
        "fields": group_wire_fields, "wire": wire_single(group_wire_fields),
        "ids": lambda args: {"name": args[0]},
    },
    "get_number_group": {
        "nargs": 1, "cli": lambda a: (["groups", "get"], a), "cli_out": "object",
        "kinds": {"c": "number_group", "python": "NumberGroup", "lua": "table"},
        "fields": group_wire_fields, "wire": wire_single(group_wire_fields),
        "ids": lambda args: {"id": args[0]},
    },
    "update_number_group": {
        "nargs": 3, "cli": lambda a: (["groups", "update"], [a[0], "--name", a[1]] + {"1": ["--sticky-sender"], "0": ["--no-sticky-sender"]}.get(a[2], [])), "cli_out": "object",
        "kinds": {"c": "number_group", "python": "NumberGroup", "lua": "table"},
        "fields": group_wire_fields, "wire": wire_single(group_wire_fields),
        "ids": lambda args: {"id": args[0], "name": args[1]},
    },
    "delete_number_group": {
        "nargs": 1, "cli": lambda a: (["groups", "delete"], a), "cli_out": "none",
        "kinds": {"c": "none", "python": "NoneType", "lua": "none"}, "wire": wire_none,
    },
    "find_number_group": {
        "nargs": 1, "cli": None, "cli_out": None,
        "kinds": {"c": "number_group", "python": "NumberGroup", "lua": "table"},
        "fields": group_wire_fields, "wire": wire_find("name", group_wire_fields, 0),
        "ids": lambda args: {"name": args[0]},
    },
    "list_memberships": {
        "nargs": 2, "cli": lambda a: (["members", "list"], [a[0]] + _cli_flags(("--page-size", a[1]))), "cli_out": "lines",
        "kinds": {"c": "list", "python": "list", "lua": "list"}, "wire": wire_list,
    },
    "get_membership": {
        "nargs": 1, "cli": None, "cli_out": None,
        "kinds": {"c": "membership", "python": "Membership", "lua": "table"},
        "fields": membership_wire_fields, "wire": wire_single(membership_wire_fields),
        "ids": lambda args: {"id": args[0]},
    },
    "delete_membership": {
        "nargs": 1, "cli": None, "cli_out": None,
        "kinds": {"c": "none", "python": "NoneType", "lua": "none"}, "wire": wire_none,
    },
    "remove_number": {
        "nargs": 2, "cli": lambda a: (["members", "remove"], a), "cli_out": "none",
        "kinds": {"c": "none", "python": "NoneType", "lua": "none"}, "wire": wire_remove_number,
    },
    "list_phone_numbers": {
        "nargs": 3, "cli": lambda a: (["numbers", "list"], _cli_flags(("--number", a[0]), ("--name", a[1]), ("--page-size", a[2]))), "cli_out": "lines",
        "kinds": {"c": "list", "python": "list", "lua": "list"}, "wire": wire_list,
    },
    "get_phone_number": {
        "nargs": 1, "cli": lambda a: (["numbers", "get"], a), "cli_out": "object",
        "kinds": {"c": "phone_number", "python": "PhoneNumber", "lua": "table"},
        "fields": phone_wire_fields, "wire": wire_single(phone_wire_fields),
        "ids": lambda args: {"id": args[0]},
    },
    "find_phone_number": {
        "nargs": 1, "cli": lambda a: (["numbers", "find"], a), "cli_out": "object",
        "kinds": {"c": "phone_number", "python": "PhoneNumber", "lua": "table"},
        "fields": phone_wire_fields, "wire": wire_find("number", phone_wire_fields, 0),
        "ids": lambda args: {"number": args[0]},
    },
}


# The faces (languages) whose family operations have landed on this branch:
# the others run create_membership only, and their other cases are skipped
# (and listed in the report). "lua" stands for every Lua part.
FAMILY_FACES = {"c", "python", "lua", "cli"}


def supports(part, operation):
    """Does this part's runner know the operation (has its face landed)?"""
    op = OPERATIONS[operation]
    lang = "lua" if part.startswith("lua") else part
    if operation != "create_membership" and lang not in FAMILY_FACES:
        return False
    if part == "cli":
        return op["cli"] is not None
    return lang in op["kinds"]


# ---------------------------------------------------------------- cases

def case(cid, operation, args, **kw):
    if operation not in OPERATIONS:
        raise ValueError("case %s: unknown operation %s" % (cid, operation))
    if len(args) != OPERATIONS[operation]["nargs"]:
        raise ValueError("case %s: %s takes %d args" % (cid, operation,
                                                        OPERATIONS[operation]["nargs"]))
    c = {"id": cid, "operation": operation, "args": list(args), "project": None, "token": None,
         "headers": [], "expect_code": "ok", "expect_status": 200, "expect_refusal": False,
         "beyond_contract": False, "fault": None, "same_ids": False, "paging": None,
         "exchanges": None, "earlier": (200,), "expect_http": None, "capture": {},
         "phase": None}
    c.update(kw)
    if c["exchanges"] is None:
        c["exchanges"] = 0 if c["expect_status"] is None else 1
    if isinstance(c["exchanges"], int):
        c["exchanges"] = (c["exchanges"], c["exchanges"])
    return c


# Mock phase: (id, operation, Prefer header or None, expected code, expected
# status, how many: "static" or "repeat" (the --static-repeat and --repeat counts)).
MOCK_CASES = [
    ("mock.200.static", "create_membership", None, "ok", 200, "static"),
    # Dynamic 200s are memberships of random groups and numbers: an answer
    # about another resource than the one asked for is a protocol error.
    ("mock.200.dynamic", "create_membership", "dynamic=true", "protocol", 200, "repeat"),
    ("mock.401.static", "create_membership", "code=401", "authentication", 401, "static"),
    ("mock.401.dynamic", "create_membership", "code=401, dynamic=true", "authentication", 401,
     "repeat"),
    ("mock.404.static", "create_membership", "code=404", "not_found", 404, "static"),
    ("mock.404.dynamic", "create_membership", "code=404, dynamic=true", "not_found", 404,
     "repeat"),
    ("mock.422.static", "create_membership", "code=422", "validation", 422, "static"),
    ("mock.422.dynamic", "create_membership", "code=422, dynamic=true", "validation", 422,
     "repeat"),
    ("mock.500.static", "create_membership", "code=500", "server", 500, "static"),
    ("mock.500.dynamic", "create_membership", "code=500, dynamic=true", "server", 500,
     "repeat"),
]

# Mock phase, single cases: (id, operation, changes to the valid request,
# expected code, expected status (None: nothing may be sent), Prism refuses?).
MOCK_SINGLE_CASES = [
    # Credentials Prism must refuse as the contract's Basic scheme says. A
    # well-formed Basic credential is all a mock can check, so the "wrong"
    # token here is one whose user:token does not split into two parts, which
    # Prism 5.14.2 rejects (401 from the spec, security violation).
    ("mock.401.prism_refuses_token", "create_membership", {"token": "wrong:token"},
     "authentication", 401, True),
    # Arguments the client refuses itself: nothing may reach Prism.
    ("mock.local.missing_token", "create_membership", {"token": None},
     "invalid_argument", None, False),
    ("mock.local.bad_group", "create_membership", {"args": ["not-a-uuid", "{phone0}"]},
     "invalid_argument", None, False),
    ("mock.local.bad_header", "create_membership", {"headers": ["Authorization: Basic eDp5"]},
     "invalid_argument", None, False),
]

# The valid arguments of each operation against the mock: the ids Prism's
# static examples answer with, since swng checks that an answer is about the
# resource it asked for ({prism_group} etc.).
PRISM_STATIC_GROUP = "56cb0cae-25ba-43a6-8c59-790086c62c2d"
PRISM_STATIC_PHONE = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
# The family spec's static examples all carry this id (groups, memberships,
# phone numbers); its dynamic 200s carry random ids, which a fetch or an
# update must refuse as `protocol` (operations in FAMILY_MOCK_CHECKED_IDS).
PRISM_FAMILY_ID = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
FAMILY_MOCK_CHECKED_IDS = {"get_number_group", "update_number_group", "get_membership",
                           "get_phone_number"}
MOCK_ARGS = {
    "create_membership": ["{prism_group}", "{prism_phone}"],
    "create_number_group": ["Night shift", "-"],
    "get_number_group": ["{prism_family}"],
    "update_number_group": ["{prism_family}", "Day shift", "1"],
    "delete_number_group": ["{group0}"],
    "get_membership": ["{prism_family}"],
    "delete_membership": ["{group0}"],
    "get_phone_number": ["{prism_family}"],
    "list_number_groups": ["-", "-"],
    "list_memberships": ["{group0}", "-"],
    "list_phone_numbers": ["-", "-", "-"],
    "find_number_group": ["Sales"],
    "find_phone_number": ["+15551230001"],
    "remove_number": ["{group0}", "{phone0}"],
}

# Mock phase of the family (`prism mock --errors spec/number-groups.openapi.yaml`):
# every status each operation's contract lists, static (--static-repeat) and
# dynamic (--repeat / 10), for the operations that make one request. A 204
# has no body to vary (static only). (operation, success status, error statuses)
FAMILY_MOCK_SINGLE = [
    ("create_number_group", 200, (401, 422, 500)),
    ("get_number_group", 200, (401, 404, 422, 500)),
    ("update_number_group", 200, (401, 404, 422, 500)),
    ("delete_number_group", 204, (400, 401, 404, 500)),
    ("get_membership", 200, (401, 404, 422, 500)),
    ("delete_membership", 204, (400, 401, 404, 500)),
    ("get_phone_number", 200, (401, 404, 422, 500)),
]
# Lists against the mock: Prism's static example page has links.next =
# "string" (and its dynamic pages leave out `links` or fill it at random), a
# link the client must refuse: the static 200 must give `protocol` after one
# request (nothing is sent to "string"). Their documented error statuses are
# answered like any other call, and the helpers built on lists (find, remove)
# pass the list's error on. (operation, error statuses)
FAMILY_MOCK_LISTS = [
    ("list_number_groups", (401, 422, 500)),
    ("list_memberships", (401, 404, 422, 500)),
    ("list_phone_numbers", (400, 401, 500)),
    ("find_number_group", (401, 500)),
    ("find_phone_number", (401, 500)),
    ("remove_number", (404, 422)),
]
# The family's contract lists 400 for delete_number_group, delete_membership
# and list_phone_numbers only: there swng reports a refused request as
# `validation`. (For the other operations a 400 is undocumented: `protocol`.)
CODE_BY_STATUS[400] = "validation"


def fixture_ids(fx):
    ids = {"unknown_group": NIL_UUID_GROUP, "unknown_phone": UNKNOWN_PHONE,
           "prism_group": PRISM_STATIC_GROUP, "prism_phone": PRISM_STATIC_PHONE,
           "prism_family": PRISM_FAMILY_ID}
    for i, g in enumerate(fx["number_groups"]):
        ids["group%d" % i] = g["id"]
    for i, n in enumerate(fx["phone_numbers"]):
        ids["phone%d" % i] = n["id"]
    return ids


def fill(args, ids):
    return [a.format(**ids) for a in args]


def mock_cases(fx, repeat, static_repeat):
    """Cases against `prism mock --errors`, from MOCK_CASES and MOCK_SINGLE_CASES."""
    ids = fixture_ids(fx)
    base = {"project": fx["project_id"], "token": fx["token"]}
    out = []
    for cid, op, prefer, code, status, how in MOCK_CASES:
        for i in range(static_repeat if how == "static" else repeat):
            out.append(case("%s.%d" % (cid, i), op, fill(MOCK_ARGS[op], ids), expect_code=code,
                            expect_status=status,
                            headers=["Prefer: " + prefer] if prefer else [], **base))
    for cid, op, change, code, status, refusal in MOCK_SINGLE_CASES:
        kw = dict(base, **change)
        kw["args"] = fill(kw.get("args", MOCK_ARGS[op]), ids)
        out.append(case(cid, op, kw.pop("args"), expect_code=code, expect_status=status,
                        expect_refusal=refusal, **kw))
    return out


def mock_family_cases(fx, repeat, static_repeat):
    """Cases against `prism mock --errors` with the family's spec."""
    ids = fixture_ids(fx)
    base = {"project": fx["project_id"], "token": fx["token"]}
    dyn = max(1, repeat // 10)
    out = []

    def add(cid, op, prefer, **kw):
        out.append(case(cid, op, fill(MOCK_ARGS[op], ids),
                        headers=["Prefer: " + prefer] if prefer else [], **dict(base, **kw)))

    for op, ok, errors in FAMILY_MOCK_SINGLE:
        for i in range(static_repeat):
            add("mock-family.%s.%d.static.%d" % (op, ok, i), op, None, expect_status=ok)
        if ok != 204:
            for i in range(dyn):
                add("mock-family.%s.%d.dynamic.%d" % (op, ok, i), op, "dynamic=true",
                    expect_code="protocol" if op in FAMILY_MOCK_CHECKED_IDS else "ok")
        for st in errors:
            for i in range(static_repeat):
                add("mock-family.%s.%d.static.%d" % (op, st, i), op, "code=%d" % st,
                    expect_status=st, expect_code=CODE_BY_STATUS[st])
            for i in range(dyn):
                add("mock-family.%s.%d.dynamic.%d" % (op, st, i), op,
                    "code=%d, dynamic=true" % st, expect_status=st,
                    expect_code=CODE_BY_STATUS[st])
    for op, errors in FAMILY_MOCK_LISTS:
        if op.startswith("list_"):
            add("mock-family.%s.200.static.next_is_string" % op, op, None,
                expect_code="protocol", expect_http=200)
        for st in errors:
            add("mock-family.%s.%d.static" % (op, st), op, "code=%d" % st, expect_status=st,
                expect_code=CODE_BY_STATUS[st])
            add("mock-family.%s.%d.dynamic" % (op, st), op, "code=%d, dynamic=true" % st,
                expect_status=st, expect_code=CODE_BY_STATUS[st])
    # refused by the client: nothing sent
    for cid, op, args in [
            ("bad_id", "get_number_group", ["not-a-uuid"]),
            ("bad_id", "update_number_group", ["{group0}x", "x", "-"]),
            ("bad_id", "delete_number_group", ["12345"]),
            ("bad_id", "get_membership", [""]),
            ("bad_id", "delete_membership", ["{group0}/x"]),
            ("bad_id", "get_phone_number", ["../{phone0}"]),
            ("bad_group", "list_memberships", ["not-a-uuid", "-"]),
            ("bad_phone", "remove_number", ["{group0}", "not-a-uuid"]),
            ("empty_name", "create_number_group", ["", "-"]),
            ("empty_name", "update_number_group", ["{group0}", "", "-"]),
            ("page_size_1001", "list_number_groups", ["-", "1001"]),
            ("page_size_1001", "list_phone_numbers", ["-", "-", "1001"]),
            ("not_e164", "find_phone_number", ["15551230001"]),
            ("not_e164", "find_phone_number", ["+0123"])]:
        out.append(case("mock-family.local.%s.%s.%d" % (op, cid, len(out)), op,
                        fill(args, ids), expect_code="invalid_argument", expect_status=None,
                        **base))
    return out


# Space phase: `prism proxy --errors` in front of a fresh emulated space; the
# rows run in this order against one space.
# (id, operation, args, expected code, expected status, options)
# options: any case() field; "capture": {name: answer field} keeps a value
# for later rows' {name}; "exchanges": requests the call makes (n or (lo, hi)).
WRONG_TOKEN = {"token": "PTwrong-0000000000000000"}
WRONG_PROJECT = {"project": "00000000-0000-4000-8000-000000000401"}
SPACE_CASES = [
    ("space.200.create.0", "create_membership", ["{group0}", "{phone0}"], "ok", 200,
     {"same_ids": True}),
    ("space.200.create.1", "create_membership", ["{group1}", "{phone1}"], "ok", 200,
     {"same_ids": True}),
    ("space.200.create.2", "create_membership", ["{group0}", "{phone2}"], "ok", 200,
     {"same_ids": True}),
    ("space.200.create.3", "create_membership", ["{group1}", "{phone3}"], "ok", 200,
     {"same_ids": True}),
    ("space.200.create.4", "create_membership", ["{group0}", "{phone4}"], "ok", 200,
     {"same_ids": True}),
    ("space.200.create.5", "create_membership", ["{group1}", "{phone5}"], "ok", 200,
     {"same_ids": True}),
    # A number may be in several groups: Main line into the second group too.
    ("space.200.second_group", "create_membership", ["{group1}", "{phone0}"], "ok", 200,
     {"same_ids": True}),
    ("space.422.already_member", "create_membership", ["{group0}", "{phone0}"], "validation",
     422, {"item_code": "already_member"}),
    ("space.422.phone_number_not_found", "create_membership", ["{group0}", "{unknown_phone}"],
     "validation", 422, {"item_code": "phone_number_not_found"}),
    ("space.404.unknown_group", "create_membership", ["{unknown_group}", "{phone1}"],
     "not_found", 404, {}),
    ("space.401.wrong_token", "create_membership", ["{group0}", "{phone1}"], "authentication",
     401, WRONG_TOKEN),
    ("space.401.wrong_project", "create_membership", ["{group0}", "{phone1}"],
     "authentication", 401, WRONG_PROJECT),
    ("space.500.exception", "create_membership", ["{group0}", "{phone7}"], "server", 500,
     {"fault": {"mode": "exception"}}),
    ("space.500.status", "create_membership", ["{group0}", "{phone7}"], "server", 500,
     {"fault": {"mode": "status", "status": 500}}),
    ("space.422.injected", "create_membership", ["{group0}", "{phone7}"], "validation", 422,
     {"item_code": "injected", "fault": {"mode": "status", "status": 422}}),
    ("space.401.injected", "create_membership", ["{group0}", "{phone7}"], "authentication",
     401, {"fault": {"mode": "status", "status": 401}}),
    # Beyond the contract (it lists 200/401/404/422/500 only): the space
    # emulates rate limiting and outages; Prism may warn, never error.
    ("space.429.rate_limited", "create_membership", ["{group0}", "{phone7}"], "rate_limited",
     429, {"beyond_contract": True,
           "fault": {"mode": "status", "status": 429, "retry_after": "1"}}),
    ("space.503.unavailable", "create_membership", ["{group0}", "{phone7}"], "server", 503,
     {"beyond_contract": True, "fault": {"mode": "status", "status": 503}}),
    # After the faults, the next request is a normal create again.
    ("space.200.after_faults", "create_membership", ["{group1}", "{phone7}"], "ok", 200,
     {"same_ids": True}),

    # ---- the family, in a stateful order: a new group's life
    ("space.groups.list.all", "list_number_groups", ["-", "-"], "ok", 200, {}),
    ("space.groups.create", "create_number_group", ["Night & Day shift", "-"], "ok", 200,
     {"same_ids": True, "capture": {"new_group": "id"}}),
    ("space.groups.create.sticky", "create_number_group", ["Night shift + sticky", "1"], "ok", 200,
     {"same_ids": True, "capture": {"sticky_group": "id"}}),
    ("space.groups.get", "get_number_group", ["{new_group}"], "ok", 200, {"same_ids": True}),
    ("space.groups.update", "update_number_group", ["{new_group}", "Night & Day", "1"], "ok",
     200, {"same_ids": True}),
    ("space.groups.update.keep_sticky", "update_number_group",
     ["{new_group}", "Night & Day ☾", "-"], "ok", 200, {"same_ids": True}),
    ("space.groups.list.pages_of_1", "list_number_groups", ["-", "1"], "ok", 200,
     {"exchanges": 4, "count": 4}),
    ("space.groups.list.filter_amp", "list_number_groups", ["Night & Day", "-"], "ok", 200,
     {"count": 1}),
    ("space.groups.list.filter_plus", "list_number_groups", ["t + s", "-"], "ok", 200,
     {"count": 1}),
    ("space.groups.find", "find_number_group", ["Night & Day ☾"], "ok", 200,
     {"same_ids": True}),
    ("space.groups.find.substring_only", "find_number_group", ["Night"], "not_found", 200,
     {"expect_http": 0}),
    ("space.members.add.0", "create_membership", ["{new_group}", "{phone10}"], "ok", 200,
     {"same_ids": True, "capture": {"membership0": "id"}}),
    ("space.members.add.1", "create_membership", ["{new_group}", "{phone11}"], "ok", 200,
     {"same_ids": True}),
    ("space.members.add.2", "create_membership", ["{new_group}", "{phone12}"], "ok", 200,
     {"same_ids": True}),
    ("space.members.add.3", "create_membership", ["{new_group}", "{phone13}"], "ok", 200,
     {"same_ids": True}),
    ("space.members.add.4", "create_membership", ["{new_group}", "{phone14}"], "ok", 200,
     {"same_ids": True}),
    ("space.members.add.existing_error", "create_membership_if_exists",
     ["{new_group}", "{phone12}", "error"], "validation", 422,
     {"item_code": "already_member"}),
    ("space.members.add.existing_return", "create_membership_if_exists",
     ["{new_group}", "{phone12}", "return"], "ok", 200,
     {"same_ids": True, "exchanges": 2, "earlier": (422,)}),
    ("space.members.add.new_return", "create_membership_if_exists",
     ["{new_group}", "{phone15}", "return"], "ok", 200, {"same_ids": True}),
    ("space.members.add.unknown_phone_return", "create_membership_if_exists",
     ["{new_group}", "{unknown_phone}", "return"], "validation", 422,
     {"exchanges": 2, "earlier": (422,), "expect_status": 200, "expect_http": 422,
      "item_code": "phone_number_not_found"}),
    ("space.members.get_group_count", "get_number_group", ["{new_group}"], "ok", 200, {}),
    ("space.members.list.pages_of_2", "list_memberships", ["{new_group}", "2"], "ok", 200,
     {"exchanges": 3, "count": 6}),
    ("space.members.list.one_page", "list_memberships", ["{new_group}", "-"], "ok", 200,
     {"count": 6}),
    ("space.members.get", "get_membership", ["{membership0}"], "ok", 200, {"same_ids": True}),
    ("space.members.delete", "delete_membership", ["{membership0}"], "ok", 204, {}),
    ("space.members.get.deleted", "get_membership", ["{membership0}"], "not_found", 404, {}),
    ("space.members.delete.deleted", "delete_membership", ["{membership0}"], "not_found", 404,
     {}),
    ("space.members.remove_number", "remove_number", ["{new_group}", "{phone11}"], "ok", 204,
     {"exchanges": 2}),
    ("space.members.remove_number.again", "remove_number", ["{new_group}", "{phone11}"],
     "not_found", 200, {"expect_http": 0}),
    ("space.members.list.after_remove", "list_memberships", ["{new_group}", "3"], "ok", 200,
     {"exchanges": 2, "count": 4}),
    # phone numbers: 67 in the fixture, 50 to a page by default
    ("space.numbers.list.all", "list_phone_numbers", ["-", "-", "-"], "ok", 200,
     {"exchanges": 2, "count": 67}),
    ("space.numbers.list.pages_of_20", "list_phone_numbers", ["-", "-", "20"], "ok", 200,
     {"exchanges": 4, "count": 67}),
    ("space.numbers.list.filter_plus", "list_phone_numbers", ["+1555400", "-", "5"], "ok",
     200, {"exchanges": 13, "count": 64}),
    ("space.numbers.list.filter_name", "list_phone_numbers", ["-", "Pool 00", "-"], "ok", 200,
     {"count": 9}),
    ("space.numbers.list.filter_unicode", "list_phone_numbers", ["-", "Zürich Büro ☎", "-"],
     "ok", 200, {"count": 1}),
    ("space.numbers.list.filter_amp", "list_phone_numbers", ["-", "a&b=c", "-"], "ok", 200,
     {"count": 0}),
    ("space.numbers.get", "get_phone_number", ["{phone1}"], "ok", 200, {"same_ids": True}),
    ("space.numbers.find", "find_phone_number", ["+15551230001"], "ok", 200,
     {"same_ids": True}),
    ("space.numbers.find.international", "find_phone_number", ["+41445550002"], "ok", 200,
     {"same_ids": True}),
    ("space.numbers.find.none", "find_phone_number", ["+19995550000"], "not_found", 200,
     {"expect_http": 0}),
    # errors from the space
    ("space.groups.get.404", "get_number_group", ["{unknown_group}"], "not_found", 404, {}),
    ("space.groups.update.404", "update_number_group", ["{unknown_group}", "x", "-"],
     "not_found", 404, {}),
    ("space.groups.delete.404", "delete_number_group", ["{unknown_group}"], "not_found", 404,
     {}),
    ("space.members.list.404", "list_memberships", ["{unknown_group}", "-"], "not_found", 404,
     {}),
    ("space.members.remove_number.404", "remove_number", ["{unknown_group}", "{phone1}"],
     "not_found", 404, {}),
    ("space.numbers.get.404", "get_phone_number", ["{unknown_phone}"], "not_found", 404, {}),
    ("space.groups.list.401", "list_number_groups", ["-", "-"], "authentication", 401,
     WRONG_TOKEN),
    ("space.groups.get.401", "get_number_group", ["{new_group}"], "authentication", 401,
     WRONG_TOKEN),
    ("space.members.list.401", "list_memberships", ["{new_group}", "-"], "authentication",
     401, WRONG_TOKEN),
    ("space.numbers.list.401", "list_phone_numbers", ["-", "-", "-"], "authentication", 401,
     WRONG_TOKEN),
    ("space.numbers.find.401", "find_phone_number", ["+15551230001"], "authentication", 401,
     WRONG_PROJECT),
    ("space.groups.create.422.injected", "create_number_group", ["x", "-"], "validation", 422,
     {"item_code": "injected", "fault": {"mode": "status", "status": 422}}),
    ("space.groups.list.500", "list_number_groups", ["-", "-"], "server", 500,
     {"fault": {"mode": "exception"}}),
    ("space.groups.list.500.second_page", "list_number_groups", ["-", "1"], "server", 500,
     {"exchanges": 2, "fault": [{"mode": "delay", "seconds": 0},
                                {"mode": "status", "status": 500}]}),
    ("space.numbers.get.500", "get_phone_number", ["{phone1}"], "server", 500,
     {"fault": {"mode": "status", "status": 500}}),
    # hostile paging through the proxy: refused without a request to the link
    ("space.groups.list.foreign_host", "list_number_groups", ["-", "1"], "protocol", 200,
     {"paging": {"mode": "foreign_host"}}),
    ("space.groups.list.cycle", "list_number_groups", ["-", "1"], "protocol", 200,
     {"paging": {"mode": "cycle", "to": "first"}, "exchanges": (4, 6)}),
    # the group goes
    ("space.groups.delete", "delete_number_group", ["{new_group}"], "ok", 204, {}),
    ("space.groups.delete.sticky", "delete_number_group", ["{sticky_group}"], "ok", 204, {}),
    ("space.groups.get.deleted", "get_number_group", ["{new_group}"], "not_found", 404, {}),
    ("space.groups.delete.deleted", "delete_number_group", ["{new_group}"], "not_found", 404,
     {}),
    ("space.groups.find.deleted", "find_number_group", ["Night & Day ☾"], "not_found", 200,
     {"expect_http": 0}),
    ("space.members.get.group_deleted", "get_membership", ["{membership0}"], "not_found", 404,
     {}),
    # refused by the client: nothing sent
    ("space.local.get_group.bad_id", "get_number_group", ["not-a-uuid"], "invalid_argument",
     None, {}),
    ("space.local.delete_membership.bad_id", "delete_membership", ["{phone1}x"],
     "invalid_argument", None, {}),
    ("space.local.remove_number.bad_group", "remove_number", ["x", "{phone1}"],
     "invalid_argument", None, {}),
    ("space.local.find_phone.not_e164", "find_phone_number", ["555-1234"], "invalid_argument",
     None, {}),
    ("space.local.create_group.control", "create_number_group", ["a\x01b", "-"],
     "invalid_argument", None, {}),
    ("space.local.list_groups.page_size", "list_number_groups", ["-", "1001"],
     "invalid_argument", None, {}),
]


def space_cases(fx):
    """Cases against `prism proxy --errors` in front of a fresh emulated space."""
    ids = fixture_ids(fx)
    out = []
    for cid, op, args, code, status, options in SPACE_CASES:
        kw = dict({"project": fx["project_id"], "token": fx["token"],
                   "expect_status": status}, **options)
        out.append(case(cid, op, [fill_fixture(a, ids) for a in args], expect_code=code, **kw))
    return out


def fill_fixture(arg, ids):
    """Fixture ids now; names captured from earlier answers ({new_group}) stay for later."""
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), arg)


# ---------------------------------------------------------------- runners

class LineRunner:
    """A runner program speaking the line protocol (contract_c.c)."""

    def __init__(self, cmd, env):
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, text=True,
                                     encoding="utf-8", errors="replace", bufsize=1)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    @staticmethod
    def _pump(stream, q):
        for line in stream:
            q.put(line)
        q.put(None)

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr.append(line)

    def run(self, c, base_url):
        fields = [c["id"], c["operation"], base_url, c["project"] or "", c["token"] or "",
                  "|".join(c["headers"])] + c["args"]
        try:
            self.proc.stdin.write("\t".join(fields) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Failure("runner is gone: %s" % self.describe_exit())
        try:
            line = self.lines.get(timeout=CASE_TIMEOUT)
        except queue.Empty:
            raise Failure("runner gave no answer within %.0f s" % CASE_TIMEOUT)
        if line is None:
            raise Failure("runner died: %s" % self.describe_exit())
        out = line.rstrip("\n").split("\t")
        if len(out) < 7 or out[0] != c["id"] or not all("=" in kv for kv in out[7:]):
            raise Failure("runner answered %r" % line)
        return {"code": out[1], "http": out[2], "kind": out[3], "count": out[4],
                "item_code": out[5], "message": out[6],
                "fields": dict(kv.split("=", 1) for kv in out[7:])}

    def describe_exit(self):
        try:
            rc = self.proc.wait(5)
        except subprocess.TimeoutExpired:
            return "still running"
        tail = "".join(self.stderr[-10:]).strip()
        how = "killed by signal %d" % -rc if rc < 0 else "exit status %d" % rc
        return how + ("; stderr: " + tail if tail else "")

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "runner did not exit"
        if rc != 0:
            return "runner ended with %s" % self.describe_exit()
        return None


class CliRunner:
    """One `swng OPERATION...` process per case (OPERATIONS[...]["cli"]). Credentials come from the
    environment or --token-file / --project-id, the base URL from
    --base-url or SIGNALWIRE_REST_BASE_URL, alternating, so both paths run."""

    def __init__(self, swng, env, tmpdir):
        self.swng = swng
        self.env = env
        self.tmpdir = tmpdir
        self.n = 0

    def run(self, c, base_url):
        self.n += 1
        env = dict(self.env)
        op = OPERATIONS[c["operation"]]
        words, rest = op["cli"](c["args"])
        cmd = [self.swng] + words
        flags = self.n % 2 == 0
        if flags:
            cmd += ["--base-url", base_url]
            if c["project"]:
                cmd += ["--project-id", c["project"]]
            if c["token"]:
                path = os.path.join(self.tmpdir, "token")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(c["token"] + "\n")
                cmd += ["--token-file", path]
        else:
            env["SIGNALWIRE_REST_BASE_URL"] = base_url
            if c["project"]:
                env["SIGNALWIRE_PROJECT_ID"] = c["project"]
            if c["token"]:
                env["SIGNALWIRE_API_TOKEN"] = c["token"]
        for h in c["headers"]:
            cmd += ["-H", h]
        cmd += ["--timeout", "30"] + rest
        try:
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, encoding="utf-8",
                               errors="replace", timeout=CASE_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise Failure("swng did not finish within %.0f s" % CASE_TIMEOUT)
        if p.returncode < 0:
            raise Failure("swng killed by signal %d; stderr: %s" % (-p.returncode, p.stderr[-500:]))
        code = CLI_EXIT.get(p.returncode, "exit %d" % p.returncode)
        r = {"code": code, "http": None, "kind": "exit %d" % p.returncode, "count": "0",
             "item_code": "", "message": p.stderr.strip(), "fields": {}}
        if p.returncode == 0:
            if p.stderr.strip():
                raise Failure("swng succeeded but wrote to stderr: %s" % p.stderr[-300:])
            out = op["cli_out"]
            if out == "none":
                if p.stdout:
                    raise Failure("swng printed %r, expected nothing" % p.stdout[:300])
                r.update(fields={}, http=None, message="", kind="none")
                return r
            try:
                bodies = [json.loads(ln) for ln in p.stdout.splitlines()] if out == "lines" \
                    else [json.loads(p.stdout)]
            except ValueError:
                raise Failure("swng printed no JSON on stdout: %r" % p.stdout[:300])
            if not all(isinstance(b, dict) for b in bodies):
                raise Failure("swng printed JSON that is not an object: %r" % p.stdout[:300])
            if out == "lines":
                r.update(fields=list_answer(bodies), http=None, message="", kind="list")
            else:
                fields = op["fields"](bodies[0])
                fields.pop("existed", None)  # the command prints the membership only
                r.update(fields=fields, http="200", message="")
        else:
            if p.stdout and op["cli_out"] != "lines":  # a list streams what it has read
                raise Failure("swng failed but wrote to stdout: %r" % p.stdout[:300])
            first = p.stderr.split("\n", 1)[0]
            m = re.search(r"\[([a-z_]+)(?:, HTTP (\d+))?", first)
            if not m:
                raise Failure("swng's error line has no [code]: %r" % first)
            if m.group(1) != code:
                raise Failure("swng exit status %d (%s) but its message says %s"
                              % (p.returncode, code, m.group(1)))
            r["http"] = m.group(2) or "0"
            items = [ln[4:] for ln in p.stderr.split("\n")[1:] if ln.startswith("  - ")]
            r["count"] = str(len(items))
            r["item_code"] = items[0].split(": ", 1)[0] if items else ""
        return r

    def close(self):
        return None


# ---------------------------------------------------------------- judging

class Stats:
    def __init__(self):
        self.requests = 0          # requests Prism validated
        self.statuses = {}         # status -> responses checked
        self.violations = 0        # unexpected sl-violations entries
        self.violation_entries = 0  # every sl-violations entry seen (for the log check)
        self.refused = 0           # expected refusals by Prism (negative credentials)
        self.beyond = {}           # status -> responses outside the contract
        self.warnings = []         # Prism's warnings on those
        self.not_sent = 0          # cases the client refused locally (nothing sent)
        self.controls = 0          # referee: negative controls that Prism caught
        self.cases = 0

    def to_json(self):
        return {"requests": self.requests,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "violations": self.violations, "violation_entries": self.violation_entries,
                "refused": self.refused,
                "beyond_contract": {str(k): v for k, v in sorted(self.beyond.items())},
                "beyond_contract_warnings": sorted(set(self.warnings)),
                "not_sent": self.not_sent, "negative_controls": self.controls,
                "cases": self.cases}


def error_violations(ex):
    return [v for v in ex.get("violations", []) if v.get("severity") == "Error"]


def describe_violations(ex):
    return "; ".join("%s %s" % (".".join(map(str, v.get("location", []))), v.get("message"))
                     for v in ex.get("violations", []))


def count_exchange(stats, ex):
    stats.requests += 1
    stats.violation_entries += len(ex.get("violations", []))


def judge(part, c, r, exchanges, stats):
    """Problems (a list of strings) with one client case. A case may make
    several requests (a list's pages, a find, remove_number, if_exists):
    each must be violation-free, the last one has the case's status and the
    earlier ones one of c["earlier"]."""
    problems = []
    stats.cases += 1
    lo, hi = c["exchanges"]
    if not lo <= len(exchanges) <= hi:
        problems.append("%d request(s) reached Prism, expected %s"
                        % (len(exchanges), lo if lo == hi else "%d to %d" % (lo, hi)))
    if hi == 0 and not exchanges:
        stats.not_sent += 1
    for n, ex in enumerate(exchanges):
        count_exchange(stats, ex)
        st = ex.get("status")
        if ex.get("upstream_error"):
            problems.append("recorder could not reach Prism: %s" % ex["upstream_error"])
            continue
        if not ex["base_path_ok"]:
            problems.append("request path %s is outside the spec's server base path" % ex["path"])
        if c["beyond_contract"]:
            stats.beyond[st] = stats.beyond.get(st, 0) + 1
            stats.warnings += [v.get("message", "") for v in ex["violations"]
                               if v.get("severity") != "Error"]
            if error_violations(ex):
                stats.violations += len(error_violations(ex))
                problems.append("violation: %s" % describe_violations(ex))
        else:
            stats.statuses[st] = stats.statuses.get(st, 0) + 1
            if c["expect_refusal"]:
                if any(v.get("code") == 401 for v in ex["violations"]):
                    stats.refused += 1
                else:
                    problems.append("Prism did not refuse the credentials (sl-violations: %s)"
                                    % (describe_violations(ex) or "none"))
            elif ex["violations"]:
                stats.violations += len(ex["violations"])
                problems.append("violation: %s %s: %s" % (ex.get("method"), ex["path"],
                                                          describe_violations(ex)))
        if ex.get("prism_problem"):
            problems.append("Prism answered with its own error (problem+json): %s"
                            % ex.get("response_body", "")[:300])
        last = n == len(exchanges) - 1
        if last and st != c["expect_status"]:
            problems.append("HTTP %s on the wire, expected %s" % (st, c["expect_status"]))
        if not last and st not in c["earlier"]:
            problems.append("HTTP %s on the wire (request %d), expected one of %s"
                            % (st, n + 1, list(c["earlier"])))

    # What the client made of it.
    if r["code"] != c["expect_code"]:
        problems.append("client returned %s, expected %s (%s)"
                        % (r["code"], c["expect_code"], r["message"][:200]))
    want_http = str(c["expect_http"] if c["expect_http"] is not None
                    else c["expect_status"] or 0)
    if r["http"] not in (None, "-") and r["http"] != want_http:
        problems.append("client reports HTTP %s, expected %s" % (r["http"], want_http))
    op = OPERATIONS[c["operation"]]
    lang = "lua" if part.startswith("lua") else part
    if lang in op["kinds"]:
        want = op["kinds"][lang] if c["expect_code"] == "ok" else (
            PY_CLASS.get(c["expect_code"]) if lang == "python" else "error")
        if r["kind"] != want:
            problems.append("%s result kind %s, expected %s" % (lang, r["kind"], want))
    if c["expect_code"] == "ok" and r["code"] == "ok" and exchanges:
        wire = op["wire"](c, exchanges, problems)
        if part == "cli":
            wire.pop("existed", None)  # the command prints the membership only
        if set(r["fields"]) != set(wire):
            problems.append("%s answered fields %s, expected %s"
                            % (c["operation"], sorted(r["fields"]), sorted(wire)))
        for k, v in wire.items():
            if k in r["fields"] and r["fields"][k] != v:
                problems.append("%s %s is %r, the response said %r"
                                % (c["operation"], k, r["fields"][k][:300], v[:300]))
        if c["same_ids"]:
            for k, v in op["ids"](c["args"]).items():
                if r["fields"].get(k, "").lower() != v.lower():
                    problems.append("%s %s is %r, asked for %r"
                                    % (c["operation"], k, r["fields"].get(k), v))
        if c.get("count") is not None and r["fields"].get("count") != str(c["count"]):
            problems.append("%s gave %s items, expected %d"
                            % (c["operation"], r["fields"].get("count"), c["count"]))
    if c["expect_code"] == "validation" and r["code"] == "validation" and exchanges:
        # the items are the 422's (for if_exists=return, the POST's)
        ex = [e for e in exchanges if e.get("status") in (400, 422)]
        try:
            items = json.loads(ex[0]["response_body"]).get("errors") or [] if ex else []
        except ValueError:
            items = []
        if r["count"] != str(len(items)):
            problems.append("client saw %s error items, the response had %d"
                            % (r["count"], len(items)))
        first = clean(items[0].get("code")) if items and isinstance(items[0], dict) else ""
        if r["item_code"] != first:
            problems.append("first item code %r, the response said %r" % (r["item_code"], first))
        if c.get("item_code") and first != c["item_code"]:
            problems.append("the space answered item code %r, expected %r" % (first, c["item_code"]))
    return problems


def check_log(log_path, stats, label, failures):
    """Cross-check: every violation Prism logged must have reached the recorder."""
    lines = log_violation_lines(log_path)
    if len(lines) > stats.violation_entries:
        failures.append("%s: Prism logged %d violation(s), the recorder saw %d: %s"
                        % (label, len(lines), stats.violation_entries, lines[-3:]))
    return len(lines)


# ---------------------------------------------------------------- client parts

def make_runner(part, args, env, tmpdir):
    build = args.build_dir
    if part == "cli":
        exe = os.path.join(build, "cli", "swng")
        if not os.access(exe, os.X_OK):
            raise Failure("%s is not built (target swng_cli)" % exe)
        return lambda: CliRunner(exe, env, tmpdir)
    if part == "c":
        exe = os.path.join(build, "tests", "contract", "contract_c")
        if not os.access(exe, os.X_OK):
            raise Failure("%s is not built (target contract_c)" % exe)
        return lambda: LineRunner([exe], env)
    if part == "python":
        pkg = os.path.join(build, "python")
        if not os.path.isdir(os.path.join(pkg, "swng")):
            raise Failure("%s/swng is not built (configure with -DSWNG_BUILD_PYTHON=ON)" % pkg)
        penv = dict(env, PYTHONPATH=pkg + (os.pathsep + env["PYTHONPATH"]
                                           if env.get("PYTHONPATH") else ""))
        return lambda: LineRunner([args.python, os.path.join(HERE, "contract_test.py")], penv)
    if part in LUA_PARTS:
        interp, ver = LUA_PARTS[part]
        so = os.path.join(build, "lua", ver, "swng.so")
        if not os.path.exists(so):
            raise Failure("%s is not built (configure with -DSWNG_BUILD_LUA=ON)" % so)
        lenv = dict(env, LUA_CPATH=os.path.join(build, "lua", ver, "?.so") + ";;",
                    LUA_PATH=";;")
        return lambda: LineRunner([interp, os.path.join(HERE, "contract_test.lua")], lenv)
    raise Failure("unknown part %s" % part)


def run_cases(part, cases, runner, recorder, stats, failures, space=None, skipped=None):
    """Runs the cases in order. Arguments may name values captured from
    earlier answers ({new_group}); a case of an operation this part does not
    have yet is skipped (listed in `skipped`), and so is a case that needs a
    value only a skipped case would have given."""
    values, from_skipped = {}, set()
    for c in cases:
        missing = set()
        for a in c["args"]:
            missing |= {m for m in re.findall(r"\{(\w+)\}", a) if m not in values}
        if not supports(part, c["operation"]) or missing & from_skipped:
            from_skipped |= set(c["capture"])
            if skipped is not None:  # {operation: cases skipped}
                skipped[c["operation"]] = skipped.get(c["operation"], 0) + 1
            continue
        if missing:
            failures.append("%s: no value for %s (an earlier case failed)"
                            % (c["id"], ", ".join(sorted(missing))))
            from_skipped |= set(c["capture"])
            continue
        c = dict(c, args=[re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], a)
                          for a in c["args"]])
        if skipped:  # a skipped case may have changed the state that a count depends on
            c["count"] = None
        faults = c["fault"] if isinstance(c["fault"], list) else [c["fault"]]
        for fault in faults:
            if fault is not None:
                space.fault(count=1, **fault)
        if c["paging"]:
            space.paging(**c["paging"])
        before = recorder.count()
        try:
            r = runner.run(c, recorder.base_url)
        except Failure as e:
            failures.append("%s: %s" % (c["id"], e))
            return False
        finally:
            if c["paging"]:
                space.clear_paging()
        if c["fault"] is not None:
            space.clear_faults()
        problems = judge(part, c, r, recorder.exchanges(before), stats)
        for p in problems:
            failures.append("%s: %s" % (c["id"], p))
        for name, field in c["capture"].items():
            if r["code"] == "ok" and r["fields"].get(field):
                values[name] = r["fields"][field]
    return True


def run_client_part(part, args, fx, logs, result):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    failures = result["failures"]
    base_path = spec_base_path(args.spec)
    family_strip = spec_base_path(args.family_spec)
    skipped = result.setdefault("skipped", {})
    with tempfile.TemporaryDirectory(prefix="swng-contract-") as tmpdir:
        new_runner = make_runner(part, args, env, tmpdir)

        # ---- phase 1: prism mock, the memberships contract (create_membership)
        # ---- phase 2: prism mock, the family's contract (every other operation)
        for phase, spec, strip, cases in (
                ("mock", args.spec, base_path,
                 mock_cases(fx, args.repeat, args.static_repeat)),
                ("mock-family", args.family_spec, family_strip,
                 mock_family_cases(fx, args.repeat, args.static_repeat))):
            stats = Stats()
            with Prism.mock(logs[phase], spec=spec) as prism, \
                    RecordingProxy(prism.base_url, strip, FAMILY_PREFIX) as rec:
                runner = new_runner()
                alive = run_cases(part, cases, runner, rec, stats, failures, skipped=skipped)
                problem = runner.close()
                if problem and alive:
                    failures.append("%s: %s" % (phase, problem))
                result["exchanges"][phase] = rec.exchanges()
            result["phases"][phase] = stats.to_json()
            result["phases"][phase]["log_violation_lines"] = check_log(logs[phase], stats,
                                                                       phase, failures)

        # ---- phase 3: prism proxy in front of the emulated space, with the
        # family's contract: it has every route, and for create_membership it
        # asks at least what the memberships contract asks (the same required
        # fields, plus a required body and no unknown properties).
        stats = Stats()
        with start_space() as space:
            with Prism.proxy(space.base_url + family_strip, logs["space"],
                             spec=args.family_spec) as prism, \
                    RecordingProxy(prism.base_url, family_strip, FAMILY_PREFIX,
                                   link_origin=space.base_url) as rec:
                runner = new_runner()
                cases = space_cases(fx)
                alive = run_cases(part, cases, runner, rec, stats, failures, space=space,
                                  skipped=skipped)
                problem = runner.close()
                if problem and alive:
                    failures.append("space: %s" % problem)
                result["exchanges"]["space"] = rec.exchanges()
                journal = space.journal()
            if alive and len(journal) != rec.count():
                failures.append("space: %d requests reached the space, Prism got %d"
                                % (len(journal), rec.count()))
            if alive:
                for entry in journal:
                    if not entry["path"].startswith(FAMILY_PREFIX + "/"):
                        failures.append("space: Prism forwarded to %s" % entry["path"])
        result["phases"]["space"] = stats.to_json()
        result["phases"]["space"]["log_violation_lines"] = check_log(logs["space"], stats,
                                                                     "space", failures)


# ---------------------------------------------------------------- referee part

def raw_request(base_url, method, path, headers=None, body=None):
    host, port = base_url.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def basic(user, token):
    return "Basic " + base64.b64encode(("%s:%s" % (user, token)).encode()).decode()


def run_referee(args, fx, logs, result):
    """Raw requests through the same recorder: positive and negative controls."""
    failures = result["failures"]
    base_path = spec_base_path(args.spec)
    g, p = fx["number_groups"][0]["id"], fx["phone_numbers"][0]["id"]
    auth = basic(fx["project_id"], fx["token"])
    route = "%s/number_groups/%s/number_group_memberships" % (base_path, g)
    good_body = json.dumps({"phone_number_id": p})
    js = {"Content-Type": "application/json"}

    # (id, path, headers, body, status, expectation, forwarded?, fault)
    # expectation: "clean" no violations; "refusal" a 401 security violation;
    # "request" an Error violation of the request; "response" an Error
    # violation of the response; "warning" warnings only; "base_path" the
    # recorder must flag the path.
    mock = [
        ("referee.mock.valid", route, dict(js, Authorization=auth), good_body, 200, "clean"),
        ("referee.mock.no_authorization", route, js, good_body, 401, "refusal"),
        ("referee.mock.bearer", route, dict(js, Authorization="Bearer abc"), good_body, 401,
         "refusal"),
        ("referee.mock.basic_without_colon", route,
         dict(js, Authorization="Basic " + base64.b64encode(b"nocolon").decode()), good_body,
         401, "refusal"),
        ("referee.mock.phone_not_uuid", route, dict(js, Authorization=auth),
         json.dumps({"phone_number_id": "not-a-uuid"}), 422, "request"),
        ("referee.mock.phone_missing", route, dict(js, Authorization=auth), "{}", 422,
         "request"),
        ("referee.mock.group_not_uuid",
         "%s/number_groups/not-a-uuid/number_group_memberships" % base_path,
         dict(js, Authorization=auth), good_body, 422, "request"),
        ("referee.mock.text_plain", route,
         {"Content-Type": "text/plain", "Authorization": auth}, good_body, 422, "request"),
        ("referee.mock.no_base_path", "/number_groups/%s/number_group_memberships" % g,
         dict(js, Authorization=auth), good_body, 200, "base_path"),
    ]
    stats = Stats()
    with Prism.mock(logs["mock"], spec=args.spec) as prism, RecordingProxy(prism.base_url, base_path) as rec:
        for cid, path, headers, body, status, expect in mock:
            _judge_raw(rec, cid, "POST", path, headers, body, status, expect, stats, failures)
        result["exchanges"]["mock"] = rec.exchanges()
    result["phases"]["mock"] = stats.to_json()
    result["phases"]["mock"]["log_violation_lines"] = check_log(logs["mock"], stats, "mock",
                                                                failures)

    stats = Stats()
    n2 = fx["phone_numbers"][1]["id"]
    proxy = [
        ("referee.space.valid", route, dict(js, Authorization=auth),
         json.dumps({"phone_number_id": n2}), 200, "clean", True, None),
        ("referee.space.no_authorization", route, js, good_body, 401, "refusal", False, None),
        ("referee.space.wrong_token", route,
         dict(js, Authorization=basic(fx["project_id"], "wrong")), good_body, 401, "clean",
         True, None),
        ("referee.space.phone_not_uuid", route, dict(js, Authorization=auth),
         json.dumps({"phone_number_id": "x"}), 422, "request", False, None),
        # The contract's requestBody is not `required`: an empty body is a
        # valid request, which the space answers with a conforming 422.
        ("referee.space.empty_body", route, {"Authorization": auth}, None, 422, "clean", True,
         None),
        # Negative controls: the space made to break the contract on purpose.
        ("referee.space.bad_200_body", route, dict(js, Authorization=auth), good_body, 500,
         "response", True, {"mode": "body", "status": 200, "body": '{"id": "not-a-uuid"}'}),
        ("referee.space.bad_401_body", route, dict(js, Authorization=auth), good_body, 500,
         "response", True, {"mode": "status", "status": 401, "body": '{"error": "nope"}'}),
        ("referee.space.bad_422_items", route, dict(js, Authorization=auth), good_body, 500,
         "response", True,
         {"mode": "status", "status": 422, "body": '{"errors": [{"detail": 1}]}'}),
        ("referee.space.html_502", route, dict(js, Authorization=auth), good_body, 502,
         "warning", True, {"mode": "html", "status": 502}),
    ]
    with start_space() as space:
        with Prism.proxy(space.base_url + base_path, logs["space"], spec=args.spec) as prism, \
                RecordingProxy(prism.base_url, base_path) as rec:
            for cid, path, headers, body, status, expect, fwd, fault in proxy:
                if fault:
                    space.fault(count=1, **fault)
                before = len(space.journal())
                _judge_raw(rec, cid, "POST", path, headers, body, status, expect, stats,
                           failures)
                delta = len(space.journal()) - before
                if delta != (1 if fwd else 0):
                    failures.append("%s: %d request(s) reached the space, expected %d"
                                    % (cid, delta, 1 if fwd else 0))
            result["exchanges"]["space"] = rec.exchanges()
    result["phases"]["space"] = stats.to_json()
    result["phases"]["space"]["log_violation_lines"] = check_log(logs["space"], stats, "space",
                                                                 failures)

    # The space's answers to requests that break the contract. `--errors`
    # makes Prism refuse those itself, so here Prism runs without it: it
    # forwards them, lists the request's violations (expected) and still
    # validates the space's response (which must have none).
    stats = Stats()
    bad = [
        ("referee.space-lenient.no_authorization", route, js, good_body, 401),
        ("referee.space-lenient.bearer", route, dict(js, Authorization="Bearer abc"),
         good_body, 401),
        ("referee.space-lenient.phone_missing", route, dict(js, Authorization=auth), "{}", 422),
        ("referee.space-lenient.phone_not_uuid", route, dict(js, Authorization=auth),
         json.dumps({"phone_number_id": "x"}), 422),
        ("referee.space-lenient.phone_not_string", route, dict(js, Authorization=auth),
         json.dumps({"phone_number_id": 5}), 422),
        ("referee.space-lenient.body_not_object", route, dict(js, Authorization=auth), "[]",
         422),
        ("referee.space-lenient.group_not_uuid",
         "%s/number_groups/not-a-uuid/number_group_memberships" % base_path,
         dict(js, Authorization=auth), good_body, 404),
    ]
    with start_space() as space:
        with Prism.proxy(space.base_url + base_path, logs["space-lenient"], spec=args.spec,
                         errors=False) as prism, \
                RecordingProxy(prism.base_url, base_path) as rec:
            for cid, path, headers, body, status in bad:
                before = len(space.journal())
                _judge_raw(rec, cid, "POST", path, headers, body, status, "request-only",
                           stats, failures)
                if len(space.journal()) - before != 1:
                    failures.append("%s: the request did not reach the space" % cid)
            result["exchanges"]["space-lenient"] = rec.exchanges()
    result["phases"]["space-lenient"] = stats.to_json()
    result["phases"]["space-lenient"]["log_violation_lines"] = check_log(
        logs["space-lenient"], stats, "space-lenient", failures)


def _judge_raw(rec, cid, method, path, headers, body, status, expect, stats, failures):
    before = rec.count()
    try:
        got, data = raw_request(rec.base_url, method, path, headers,
                                body.encode() if isinstance(body, str) else body)
    except (OSError, http.client.HTTPException) as e:
        failures.append("%s: %s" % (cid, e))
        return None
    exs = rec.exchanges(before)
    stats.cases += 1
    if len(exs) != 1:
        failures.append("%s: recorder saw %d exchanges" % (cid, len(exs)))
        return None
    ex = exs[0]
    count_exchange(stats, ex)
    stats.statuses[got] = stats.statuses.get(got, 0) + 1
    errors = error_violations(ex)
    ok = True
    if got != status:
        failures.append("%s: HTTP %s, expected %s (%s)" % (cid, got, status,
                                                           ex.get("response_body", "")[:200]))
        ok = False
    if expect == "clean":
        if ex["violations"] or not ex["base_path_ok"]:
            stats.violations += len(ex["violations"])
            failures.append("%s: unexpected violation: %s" % (cid, describe_violations(ex)))
            ok = False
    elif expect == "refusal":
        ok = ok and any(v.get("code") == 401 for v in ex["violations"])
    elif expect in ("request", "response"):
        ok = ok and any(v.get("location", [""])[0] == expect for v in errors)
    elif expect == "request-only":
        # an invalid request (Prism says so) whose response is clean
        response_side = [v for v in ex["violations"] if v.get("location", [""])[0] != "request"]
        if response_side:
            stats.violations += len(response_side)
            failures.append("%s: the space's %s breaks the contract: %s"
                            % (cid, got, "; ".join(v.get("message", "") for v in response_side)))
        ok = ok and not response_side and any(
            v.get("location", [""])[0] == "request" for v in ex["violations"])
    elif expect == "warning":
        ok = ok and bool(ex["violations"]) and not errors
    elif expect == "base_path":
        # the recorder flags it; Prism then cannot match the path at all
        ok = not ex["base_path_ok"]
    if expect != "clean":
        if ok:
            stats.controls += 1
        else:
            failures.append("%s: negative control not caught (HTTP %s, sl-violations: %s)"
                            % (cid, got, describe_violations(ex) or "none"))
    return data


# ---------------------------------------------------------------- family part

G = "/api/relay/rest/number_groups"
M = "/api/relay/rest/number_group_memberships"
P = "/api/relay/rest/phone_numbers"

# The emulated space's routes for the whole family, driven with raw HTTP
# through `prism proxy --errors spec/number-groups.openapi.yaml`, so that
# Prism validates every answer of the space against the family's contract.
# Rows run in order against one fresh space:
# (id, method, path, body (JSON-able or None), expected status, expectation, options)
# expectation: "clean" (no violation at all), "response" (a negative
# control: Prism must flag the response), "warning" (a status the contract does not list).
# Paths and bodies may use {group0}, {phone0}, ... (fixture ids), {unknown}
# and values captured from earlier answers. options: "auth": False (none) or
# a (user, token) pair; "fault": a space fault for this request; "paging": a
# paging mode set before it; "capture": {name: dotted path in the answer};
# "next": True checks that links.next is an absolute URL and captures its
# path and query as {next}; "no_next": True checks that there is none.
FAMILY_CASES = [
    # number groups
    ("family.list_number_groups.200", "GET", G, None, 200, "clean", {"no_next": True}),
    ("family.create_number_group.200", "POST", G, {"name": "Night shift"}, 200, "clean",
     {"capture": {"new_group": "id"}}),
    ("family.create_number_group.200.sticky", "POST", G,
     {"name": "Sticky", "sticky_sender": True}, 200, "clean", {}),
    ("family.create_number_group.422.empty_name", "POST", G, {"name": ""}, 422, "clean", {}),
    ("family.list_number_groups.200.page1", "GET", G + "?page_size=1", None, 200, "clean",
     {"next": True}),
    ("family.list_number_groups.200.page2", "GET", "{next}", None, 200, "clean",
     {"next": True}),
    ("family.list_number_groups.200.page3", "GET", "{next}", None, 200, "clean",
     {"next": True}),
    ("family.list_number_groups.200.last", "GET", "{next}", None, 200, "clean",
     {"no_next": True}),
    ("family.list_number_groups.200.filter", "GET", G + "?filter_name=shift", None, 200,
     "clean", {}),
    ("family.list_number_groups.422.page_token", "GET", G + "?page_token=bogus", None, 422,
     "clean", {}),
    ("family.list_number_groups.401", "GET", G, None, 401, "clean",
     {"auth": ("{project}", "PTwrong")}),
    ("family.list_number_groups.500", "GET", G, None, 500, "clean",
     {"fault": {"mode": "exception"}}),
    ("family.retrieve_number_group.200", "GET", G + "/{new_group}", None, 200, "clean", {}),
    ("family.retrieve_number_group.404", "GET", G + "/{unknown}", None, 404, "clean", {}),
    ("family.retrieve_number_group.401", "GET", G + "/{group0}", None, 401, "clean",
     {"auth": ("{project}", "PTwrong")}),
    ("family.update_number_group.200", "PUT", G + "/{new_group}",
     {"name": "Day shift", "sticky_sender": True}, 200, "clean", {}),
    ("family.update_number_group.422", "PUT", G + "/{new_group}", {"name": ""}, 422, "clean",
     {}),
    ("family.update_number_group.404", "PUT", G + "/{unknown}", {"name": "x"}, 404, "clean",
     {}),
    ("family.update_number_group.500", "PUT", G + "/{new_group}", {"name": "x"}, 500, "clean",
     {"fault": {"mode": "status", "status": 500}}),
    # memberships
    ("family.create_number_group_membership.200.0", "POST",
     G + "/{new_group}/number_group_memberships", {"phone_number_id": "{phone0}"}, 200,
     "clean", {"capture": {"membership": "id"}}),
    ("family.create_number_group_membership.200.1", "POST",
     G + "/{new_group}/number_group_memberships", {"phone_number_id": "{phone1}"}, 200,
     "clean", {}),
    ("family.create_number_group_membership.200.2", "POST",
     G + "/{new_group}/number_group_memberships", {"phone_number_id": "{phone2}"}, 200,
     "clean", {}),
    ("family.create_number_group_membership.422", "POST",
     G + "/{new_group}/number_group_memberships", {"phone_number_id": "{phone0}"}, 422,
     "clean", {}),
    ("family.list_number_group_memberships.200.page1", "GET",
     G + "/{new_group}/number_group_memberships?page_size=2", None, 200, "clean",
     {"next": True}),
    ("family.list_number_group_memberships.200.last", "GET", "{next}", None, 200, "clean",
     {"no_next": True}),
    ("family.list_number_group_memberships.404", "GET",
     G + "/{unknown}/number_group_memberships", None, 404, "clean", {}),
    ("family.list_number_group_memberships.422", "GET",
     G + "/{new_group}/number_group_memberships?page_token=bogus", None, 422, "clean", {}),
    ("family.retrieve_number_group.200.count", "GET", G + "/{new_group}", None, 200, "clean",
     {}),
    ("family.retrieve_number_group_membership.200", "GET", M + "/{membership}", None, 200,
     "clean", {}),
    ("family.retrieve_number_group_membership.401", "GET", M + "/{membership}", None, 401,
     "clean", {"auth": ("{project}", "PTwrong")}),
    ("family.delete_number_group_membership.204", "DELETE", M + "/{membership}", None, 204,
     "clean", {}),
    ("family.retrieve_number_group_membership.404", "GET", M + "/{membership}", None, 404,
     "clean", {}),
    ("family.delete_number_group_membership.404", "DELETE", M + "/{membership}", None, 404,
     "clean", {}),
    ("family.delete_number_group_membership.500", "DELETE", M + "/{unknown}", None, 500,
     "clean", {"fault": {"mode": "exception"}}),
    ("family.delete_number_group.204", "DELETE", G + "/{new_group}", None, 204, "clean", {}),
    ("family.delete_number_group.404", "DELETE", G + "/{new_group}", None, 404, "clean", {}),
    ("family.delete_number_group.401", "DELETE", G + "/{group1}", None, 401, "clean",
     {"auth": ("{project}", "PTwrong")}),
    # phone numbers
    ("family.list_phone_numbers.200.page1", "GET", P, None, 200, "clean", {"next": True}),
    ("family.list_phone_numbers.200.last", "GET", "{next}", None, 200, "clean",
     {"no_next": True}),
    ("family.list_phone_numbers.200.filters", "GET",
     P + "?filter_number=555400&filter_name=pool&page_size=5", None, 200, "clean",
     {"next": True}),
    ("family.list_phone_numbers.400", "GET", P + "?page_token=bogus", None, 400, "clean", {}),
    ("family.list_phone_numbers.401", "GET", P, None, 401, "clean",
     {"auth": ("{project}", "PTwrong")}),
    ("family.retrieve_phone_number.200", "GET", P + "/{phone1}", None, 200, "clean", {}),
    ("family.retrieve_phone_number.404", "GET", P + "/{unknown}", None, 404, "clean", {}),
    ("family.retrieve_phone_number.500", "GET", P + "/{phone1}", None, 500, "clean",
     {"fault": {"mode": "status", "status": 500}}),
    # hostile paging still answers the contract's shapes (links are strings)
    ("family.paging.foreign_host", "GET", G + "?page_size=1", None, 200, "clean",
     {"paging": {"mode": "foreign_host"}}),
    ("family.paging.relative", "GET", G + "?page_size=1", None, 200, "clean",
     {"paging": {"mode": "relative"}}),
    ("family.paging.cycle", "GET", G, None, 200, "clean", {"paging": {"mode": "cycle"}}),
    ("family.paging.endless_empty", "GET", P + "?page_size=1000", None, 200, "clean",
     {"paging": {"mode": "endless_empty"}}),
    # negative controls: the space made to break the family's contract
    ("family.control.list_without_first", "GET", G, None, 500, "response",
     {"fault": {"mode": "body", "body": '{"links": {"self": "x"}, "data": []}'}}),
    ("family.control.group_without_count", "GET", G + "/{group0}", None, 500, "response",
     {"fault": {"mode": "body", "body": '{"id": "%s", "name": "x", "sticky_sender": false}'
                % "41148420-0549-49cf-924c-e4a320c8c1e9"}}),
    ("family.control.phone_number_partial", "GET", P + "/{phone0}", None, 500, "response",
     {"fault": {"mode": "body", "body": '{"id": "0cc9aa06-4e1e-47b0-b276-0fa31c147608", '
                                        '"number": "+15551230001"}'}}),
    # a 200 where the contract says 204: Prism (--errors) turns it into a 500
    ("family.control.delete_with_200", "DELETE", M + "/{unknown}", None, 500, "response",
     {"fault": {"mode": "body", "body": "{}"}}),
]

# The space's answers to requests that break the family's contract: Prism
# runs without --errors, forwards them, flags the request (expected) and must
# find the response clean. (id, method, path, body, expected status, auth,
# expectation: "request-only", or "clean" where Prism 5.14.2 does not see the
# request's fault: it does not enforce `unevaluatedProperties` on requests)
FAMILY_LENIENT_CASES = [
    ("family-lenient.create_number_group.no_name", "POST", G, {"sticky_sender": True}, 422,
     True, "request-only"),
    ("family-lenient.create_number_group.extra", "POST", G, {"name": "x", "color": 1}, 422,
     True, "clean"),
    ("family-lenient.update_number_group.no_name", "PUT", G + "/{group0}", {}, 422, True,
     "request-only"),
    ("family-lenient.list_number_groups.page_size", "GET", G + "?page_size=0", None, 422,
     True, "request-only"),
    ("family-lenient.list_number_groups.long_filter", "GET", G + "?filter_name=" + "a" * 256,
     None, 422, True, "request-only"),
    ("family-lenient.list_phone_numbers.page_size", "GET", P + "?page_size=1001", None, 400,
     True, "request-only"),
    ("family-lenient.retrieve_number_group.not_uuid", "GET", G + "/not-a-uuid", None, 404,
     True, "request-only"),
    ("family-lenient.retrieve_phone_number.no_auth", "GET", P + "/{phone0}", None, 401,
     False, "request-only"),
]


def _dotted(obj, path):
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def run_family(args, fx, logs, result):
    """Every route of the emulated space, raw HTTP through `prism proxy` with the family spec."""
    failures = result["failures"]
    spec = args.family_spec
    base_path = spec_base_path(spec)
    values = dict(fixture_ids(fx), unknown="00000000-0000-4000-8000-0000000000ff",
                  project=fx["project_id"])

    def headers_for(auth, body):
        h = {"Content-Type": "application/json"} if body is not None else {}
        if auth is True:
            h["Authorization"] = basic(fx["project_id"], fx["token"])
        elif auth:
            h["Authorization"] = basic(auth[0].format(**values), auth[1])
        return h

    stats = Stats()
    with start_space() as space:
        with Prism.proxy(space.base_url, logs["family"], spec=spec) as prism, \
                RecordingProxy(prism.base_url, base_path, FAMILY_PREFIX) as rec:
            for cid, method, path, body, status, expect, opts in FAMILY_CASES:
                if opts.get("fault"):
                    space.fault(count=1, **opts["fault"])
                if opts.get("paging"):
                    space.paging(**opts["paging"])
                try:
                    path_ = path.format(**values)
                    body_ = None if body is None else json.dumps(
                        {k: v.format(**values) if isinstance(v, str) else v
                         for k, v in body.items()})
                except KeyError as e:
                    failures.append("%s: no value for %s (an earlier case failed)" % (cid, e))
                    continue
                before = len(space.journal())
                data = _judge_raw(rec, cid, method, path_, headers_for(opts.get("auth", True),
                                                                       body_),
                                  body_, status, expect, stats, failures)
                if len(space.journal()) - before != 1:
                    failures.append("%s: %d request(s) reached the space, expected 1"
                                    % (cid, len(space.journal()) - before))
                if opts.get("paging"):
                    space.clear_paging()
                if data is None or status not in (200,) or expect != "clean":
                    continue
                answer = json.loads(data.decode("utf-8"))
                for name, dotted in opts.get("capture", {}).items():
                    values[name] = _dotted(answer, dotted)
                links = answer.get("links") if isinstance(answer, dict) else None
                if opts.get("next"):
                    nxt = (links or {}).get("next") or ""
                    parts = urlsplit(nxt)
                    if parts.scheme != "http" or not parts.netloc:
                        failures.append("%s: links.next %r is not an absolute URL" % (cid, nxt))
                    values["next"] = parts.path + ("?" + parts.query if parts.query else "")
                if opts.get("no_next") and (links is None or "next" in links):
                    failures.append("%s: a last page with links.next (or no links)" % cid)
            result["exchanges"]["family"] = rec.exchanges()
    result["phases"]["family"] = stats.to_json()
    result["phases"]["family"]["log_violation_lines"] = check_log(logs["family"], stats,
                                                                  "family", failures)

    stats = Stats()
    with start_space() as space:
        with Prism.proxy(space.base_url, logs["family-lenient"], spec=spec,
                         errors=False) as prism, \
                RecordingProxy(prism.base_url, base_path, FAMILY_PREFIX) as rec:
            for cid, method, path, body, status, auth, expect in FAMILY_LENIENT_CASES:
                body_ = None if body is None else json.dumps(body)
                before = len(space.journal())
                _judge_raw(rec, cid, method, path.format(**values), headers_for(auth, body_),
                           body_, status, expect, stats, failures)
                if len(space.journal()) - before != 1:
                    failures.append("%s: the request did not reach the space" % cid)
            result["exchanges"]["family-lenient"] = rec.exchanges()
    result["phases"]["family-lenient"] = stats.to_json()
    result["phases"]["family-lenient"]["log_violation_lines"] = check_log(
        logs["family-lenient"], stats, "family-lenient", failures)


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--part", required=True, choices=PARTS)
    ap.add_argument("--results", help="directory for PART.json and logs "
                    "(default BUILD/tests/contract/results)")
    ap.add_argument("--repeat", type=int, default=50,
                    help="dynamic responses per status in the mock phase (default 50)")
    ap.add_argument("--static-repeat", type=int, default=3,
                    help="static responses per status in the mock phase (default 3)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter the Python module was built for")
    ap.add_argument("--no-install", action="store_true",
                    help="fail instead of running `npm ci` when node_modules is missing")
    ap.add_argument("--spec", default=SPEC, help="the contract (default: the repository's "
                    "copy, spec/number-group-memberships.openapi.yaml); another one only to "
                    "check that the tests catch a client that breaks it")
    ap.add_argument("--family-spec", default=FAMILY_SPEC,
                    help="the family part's contract (default: the repository's copy, "
                    "spec/number-groups.openapi.yaml)")
    ap.add_argument("--family-faces", help="comma-separated faces (c, python, lua, cli) "
                    "whose family operations to run (default: those landed, %s); to try a "
                    "face's build before it lands" % ",".join(sorted(FAMILY_FACES)))
    ap.add_argument("--verbose", action="store_true", help="print every failure")
    args = ap.parse_args(argv)
    if args.family_faces is not None:
        FAMILY_FACES.clear()
        FAMILY_FACES.update(filter(None, args.family_faces.split(",")))
    args.build_dir = os.path.abspath(args.build_dir)
    results = os.path.abspath(args.results or os.path.join(args.build_dir, "tests",
                                                           "contract", "results"))
    os.makedirs(results, exist_ok=True)
    logs = {ph: os.path.join(results, "%s.prism-%s.log" % (args.part, ph))
            for ph in ("mock", "mock-family", "space", "space-lenient", "family",
                       "family-lenient")}
    for path in list(logs.values()) + [os.path.join(results, args.part + ".json")]:
        if os.path.exists(path):
            os.unlink(path)
    with open(os.path.join(REPO, "tests", "space", "fixture.json"), encoding="utf-8") as f:
        fx = json.load(f)

    started = time.monotonic()
    args.spec = os.path.abspath(args.spec)
    args.family_spec = os.path.abspath(args.family_spec)
    result = {"part": args.part, "spec": (os.path.relpath(args.spec, REPO) if args.spec.startswith(REPO + os.sep)
                                          else args.spec), "prism_version": None,
              "failures": [], "phases": {}, "exchanges": {}, "logs": logs}
    try:
        result["prism_version"] = ensure_prism(install=not args.no_install)
        if args.part == "referee":
            run_referee(args, fx, logs, result)
        elif args.part == "family":
            result["spec"] = os.path.relpath(args.family_spec, REPO) if \
                args.family_spec.startswith(REPO + os.sep) else args.family_spec
            run_family(args, fx, logs, result)
        else:
            result["spec"] = "%s (mock), %s (mock-family, space)" % tuple(
                os.path.relpath(p, REPO) if p.startswith(REPO + os.sep) else p
                for p in (args.spec, args.family_spec))
            run_client_part(args.part, args, fx, logs, result)
    except (Failure, PrismError, subprocess.CalledProcessError, OSError) as e:
        result["failures"].append("%s: %s" % (type(e).__name__, e))
    result["runtime_s"] = round(time.monotonic() - started, 1)
    result["ok"] = not result["failures"]

    # Exchanges go to their own file (large); PART.json stays small.
    with open(os.path.join(results, "%s.exchanges.json" % args.part), "w",
              encoding="utf-8") as f:
        json.dump(result.pop("exchanges"), f, indent=1)
    with open(os.path.join(results, "%s.json" % args.part), "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)

    sys.path.insert(0, HERE)
    from report import format_part  # noqa: E402
    print(format_part(result))
    shown = result["failures"] if args.verbose else result["failures"][:30]
    for line in shown:
        print("FAIL " + line)
    if len(shown) < len(result["failures"]):
        print("... %d more failures in %s"
              % (len(result["failures"]) - len(shown), os.path.join(results, args.part + ".json")))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
