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
            10: "protocol"}
PY_CLASS = {"invalid_argument": "InvalidArgument",
            "authentication": "AuthenticationError", "not_found": "NotFoundError",
            "validation": "ValidationError", "rate_limited": "RateLimitError",
            "server": "ServerError", "transport": "TransportError", "timeout": "TimeoutError",
            "protocol": "ProtocolError"}

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


# One row per operation the runners know (each runner has the same row in its
# own OPERATIONS table). cli: the swng command's arguments; kinds: the KIND a
# result has per runner; fields: the answer fields, computed from the JSON on
# the wire; ids: the fields that must echo the case's arguments.
OPERATIONS = {
    "create_membership": {
        "cli": lambda args: ["create-membership"] + list(args),
        "kinds": {"c": "membership", "python": "Membership", "lua": "table"},
        "fields": membership_wire_fields,
        "ids": lambda args: {"number_group_id": args[0], "phone_number.id": args[1]},
    },
}


# ---------------------------------------------------------------- cases

def case(cid, operation, args, **kw):
    if operation not in OPERATIONS:
        raise ValueError("case %s: unknown operation %s" % (cid, operation))
    c = {"id": cid, "operation": operation, "args": list(args), "project": None, "token": None,
         "headers": [], "expect_code": "ok", "expect_status": 200, "expect_refusal": False,
         "beyond_contract": False, "fault": None, "same_ids": False}
    c.update(kw)
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
# resource it asked for.
MOCK_ARGS = {"create_membership": ["{prism_group}", "{prism_phone}"]}
PRISM_STATIC_GROUP = "56cb0cae-25ba-43a6-8c59-790086c62c2d"
PRISM_STATIC_PHONE = "497f6eca-6276-4993-bfeb-53cbbbba6f08"


def fixture_ids(fx):
    ids = {"unknown_group": NIL_UUID_GROUP, "unknown_phone": UNKNOWN_PHONE,
           "prism_group": PRISM_STATIC_GROUP, "prism_phone": PRISM_STATIC_PHONE}
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


# Space phase: `prism proxy --errors` in front of a fresh emulated space; the
# rows run in this order against one space.
# (id, operation, args, expected code, expected status, options)
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
]


def space_cases(fx):
    """Cases against `prism proxy --errors` in front of a fresh emulated space."""
    ids = fixture_ids(fx)
    out = []
    for cid, op, args, code, status, options in SPACE_CASES:
        kw = dict({"project": fx["project_id"], "token": fx["token"]}, **options)
        out.append(case(cid, op, fill(args, ids), expect_code=code, expect_status=status, **kw))
    return out


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
        cmd = [self.swng] + op["cli"](c["args"])[:1]
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
        cmd += ["--timeout", "30"] + op["cli"](c["args"])[1:]
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
            try:
                body = json.loads(p.stdout)
            except ValueError:
                raise Failure("swng printed no JSON on stdout: %r" % p.stdout[:300])
            if not isinstance(body, dict):
                raise Failure("swng printed JSON that is not an object: %r" % p.stdout[:300])
            r.update(fields=op["fields"](body), http="200", message="")
        else:
            if p.stdout:
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
    """Problems (a list of strings) with one client case."""
    problems = []
    stats.cases += 1
    expected_n = 0 if c["expect_status"] is None else 1
    if len(exchanges) != expected_n:
        problems.append("%d request(s) reached Prism, expected %d" % (len(exchanges), expected_n))
    if expected_n == 0 and not exchanges:
        stats.not_sent += 1
    for ex in exchanges:
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
                problems.append("violation: %s" % describe_violations(ex))
        if ex.get("prism_problem"):
            problems.append("Prism answered with its own error (problem+json): %s"
                            % ex.get("response_body", "")[:300])
        if st != c["expect_status"]:
            problems.append("HTTP %s on the wire, expected %s" % (st, c["expect_status"]))

    # What the client made of it.
    if r["code"] != c["expect_code"]:
        problems.append("client returned %s, expected %s (%s)"
                        % (r["code"], c["expect_code"], r["message"][:200]))
    want_http = str(c["expect_status"] or 0)
    if r["http"] is not None and r["http"] != want_http:
        problems.append("client reports HTTP %s, expected %s" % (r["http"], want_http))
    op = OPERATIONS[c["operation"]]
    lang = "lua" if part.startswith("lua") else part
    if lang in op["kinds"]:
        want = op["kinds"][lang] if c["expect_code"] == "ok" else (
            PY_CLASS.get(c["expect_code"]) if lang == "python" else "error")
        if r["kind"] != want:
            problems.append("%s result kind %s, expected %s" % (lang, r["kind"], want))
    if c["expect_code"] == "ok" and r["code"] == "ok" and len(exchanges) == 1:
        try:
            body = json.loads(exchanges[0]["response_body"])
        except ValueError:
            body = {}
        wire = op["fields"](body if isinstance(body, dict) else {})
        if set(r["fields"]) != set(wire):
            problems.append("%s answered fields %s, expected %s"
                            % (c["operation"], sorted(r["fields"]), sorted(wire)))
        for k, v in wire.items():
            if k in r["fields"] and r["fields"][k] != v:
                problems.append("%s %s is %r, the response said %r"
                                % (c["operation"], k, r["fields"][k], v))
        if c["same_ids"]:
            for k, v in op["ids"](c["args"]).items():
                if r["fields"].get(k, "").lower() != v.lower():
                    problems.append("%s %s is %r, asked for %r"
                                    % (c["operation"], k, r["fields"].get(k), v))
    if c["expect_code"] == "validation" and r["code"] == "validation" and len(exchanges) == 1:
        try:
            items = json.loads(exchanges[0]["response_body"]).get("errors") or []
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


def run_cases(part, cases, runner, recorder, stats, failures, space=None):
    for c in cases:
        if c["fault"] is not None:
            space.fault(count=1, **c["fault"])
        before = recorder.count()
        try:
            r = runner.run(c, recorder.base_url)
        except Failure as e:
            failures.append("%s: %s" % (c["id"], e))
            return False
        problems = judge(part, c, r, recorder.exchanges(before), stats)
        for p in problems:
            failures.append("%s: %s" % (c["id"], p))
    return True


def run_client_part(part, args, fx, logs, result):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    failures = result["failures"]
    base_path = spec_base_path(args.spec)
    with tempfile.TemporaryDirectory(prefix="swng-contract-") as tmpdir:
        new_runner = make_runner(part, args, env, tmpdir)

        # ---- phase 1: prism mock
        stats = Stats()
        with Prism.mock(logs["mock"], spec=args.spec) as prism, RecordingProxy(prism.base_url, base_path) as rec:
            runner = new_runner()
            alive = run_cases(part, mock_cases(fx, args.repeat, args.static_repeat),
                              runner, rec, stats, failures)
            problem = runner.close()
            if problem and alive:
                failures.append("mock: %s" % problem)
            result["exchanges"]["mock"] = rec.exchanges()
        result["phases"]["mock"] = stats.to_json()
        result["phases"]["mock"]["log_violation_lines"] = check_log(logs["mock"], stats,
                                                                    "mock", failures)

        # ---- phase 2: prism proxy in front of the emulated space
        stats = Stats()
        with start_space() as space:
            upstream = space.base_url + base_path
            with Prism.proxy(upstream, logs["space"], spec=args.spec) as prism, \
                    RecordingProxy(prism.base_url, base_path) as rec:
                runner = new_runner()
                cases = space_cases(fx)
                alive = run_cases(part, cases, runner, rec, stats, failures, space=space)
                problem = runner.close()
                if problem and alive:
                    failures.append("space: %s" % problem)
                result["exchanges"]["space"] = rec.exchanges()
                journal = space.journal()
            forwarded = sum(1 for c in cases if c["expect_status"] is not None)
            if alive and len(journal) != forwarded:
                failures.append("space: %d requests reached the space, expected %d"
                                % (len(journal), forwarded))
            if alive:
                for entry in journal:
                    if not entry["path"].startswith(base_path + "/"):
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

FAMILY_SPEC = os.path.join(REPO, "spec", "number-groups.openapi.yaml")
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
                RecordingProxy(prism.base_url, base_path) as rec:
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
                RecordingProxy(prism.base_url, base_path) as rec:
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
    ap.add_argument("--verbose", action="store_true", help="print every failure")
    args = ap.parse_args(argv)
    args.build_dir = os.path.abspath(args.build_dir)
    results = os.path.abspath(args.results or os.path.join(args.build_dir, "tests",
                                                           "contract", "results"))
    os.makedirs(results, exist_ok=True)
    logs = {ph: os.path.join(results, "%s.prism-%s.log" % (args.part, ph))
            for ph in ("mock", "space", "space-lenient", "family", "family-lenient")}
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
