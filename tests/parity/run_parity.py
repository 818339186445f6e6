#!/usr/bin/env python3
"""Parity of the front ends: Python, Lua (each built version) and the swng
command must agree, value for value, on every option, every error code and
every operation of the number-group family.

Runs under with_space.py (SWNG_TEST_* in the environment):

    run_parity.py --python VENV_PYTHON --lua NAME=INTERPRETER=MODULE_DIR ...
                  --cli SWNG --status-def core/src/status.def
                  (--options options.json | --errors errors.json
                   | --operations operations.json)

A call is an operation and its arguments, [OPERATION, ARG..., {OPTIONAL}]
in the tables: the Python Client method (optional arguments as keywords),
the same Lua method (optional arguments in its trailing options table; a
list is an iterator that raises its errors) and the command's subcommand
and flags (CLI_OPERATIONS: `swng groups|members|numbers ...`; a call the
command cannot express is "not_expressible" with the reason, never skipped
silently). A list is read to its end. runner.py and runner.lua answer each
call with its outcome and a summary of the result (summary()); the command's
JSON output is summarised the same way (cli_value()).

--options: every row of the table (an option, a value, the expected
outcome) is fed to every front end that can express it, with a valid base
URL, project id and token so that only the row's option is wrong. ok: a
client is made and one create_membership call succeeds (one 200 in the
journal); invalid_argument: the error's code, the option named (Python
e.option, Lua err.option, the command's stderr starts with the flag) and
nothing in the journal; type_error: TypeError / error() / the command's
"not a number" usage error (exit 2), and nothing in the journal. The space
must run with --allow-duplicates (the same call is made many times).

--errors: every status code of status.def is driven through every front
end (Python e.code, Lua err.code, the command's exit status from
status.def's exit column and the [code] in its stderr), or listed in the
table's not_driven with a reason. A code in status.def that is neither
fails the run. A case may set up the space first (steps through the public
API: two groups named Dup make find_number_group ambiguous), queue a fault,
or pre-create a membership. The space must run without --allow-duplicates
(a case needs "already a member").

--operations: every row is one call of the family, made in every front end
after a reset and the row's setup. Compared: the outcome (ok or the status
code; the command's exit status as status.def says); for ok, the result's
fields (a list: count, item type and ids in order; one resource: id and
fields; a delete: none), with ids written as the table's symbols, the same
in every front end and as the row's values say; for invalid_argument, the
argument named and nothing sent; and the requests the space received
(operation and status, in order), the same in every front end unless the
row says why the command's differ. Each operation must have an ok row, a
paged row for lists (small page_size, several pages), not_found for an
unknown id and invalid_argument (FAMILY); the run fails otherwise.

Exit status 0 when every front end agrees with every expectation; 1 with a
table of the disagreements otherwise.
"""

import argparse
import base64
import json
import os
import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "space"))
from spaceclient import attach  # noqa: E402

READ_TIMEOUT = 30.0
CLI_TIMEOUT = 30.0
CREATE_OP = "create_number_group_membership"

# The command's flag for each option (cli/swng.c); retry_base and retry_max
# have none. --header is what the command shows for headers (-H is the same).
CLI_FLAGS = {
    "space": ["--space"], "base_url": ["--base-url"], "project_id": ["--project-id"],
    "ca_file": ["--ca-file"], "timeout": ["--timeout"], "connect_timeout": ["--connect-timeout"],
    "max_retries": ["--retries"], "token": ["--token-file"], "headers": ["--header", "-H"],
}


# ------------------------------------------------------------------ status.def

def parse_status_def(path):
    """{name: (value, exit)} from the SWNG_STATUS rows."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rows = {}
    for m in re.finditer(r'^\s*SWNG_STATUS\(\s*(\w+)\s*,\s*(-?\d+)\s*,\s*"([^"]*)"\s*,\s*"(?:[^"\\]|\\.)*"'
                         r'\s*,\s*(\d+)\s*,', text, re.M):
        rows[m.group(3)] = (int(m.group(2)), int(m.group(4)))
    if not rows:
        raise SystemExit("run_parity.py: no SWNG_STATUS rows in %s" % path)
    return rows


# ------------------------------------------------------------------- results

class Result:
    def __init__(self, stage, outcome, option=None, message="", exit=None, stderr="", value=None):
        self.stage, self.outcome, self.option = stage, outcome, option
        self.message, self.exit, self.stderr = message, exit, stderr
        self.value = value  # {name: text} of what an ok call gave (summary()), else None

    def short(self):
        s = self.outcome
        if self.option:
            s += "(%s)" % self.option
        if self.exit is not None:
            s += " exit %d" % self.exit
        if getattr(self, "probe", False):
            s += " (probe)"
        return s


class StreamRunner:
    """A long-running runner (runner.py, runner.lua): one request line in,
    one answer line out."""

    def __init__(self, name, argv, env, encode):
        self.name, self.argv, self.env, self.encode = name, argv, env, encode
        self.proc = None
        self.dead = None

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env, cwd=tempfile.gettempdir(),
                                     text=True, encoding="utf-8", errors="surrogateescape", bufsize=1)

    def request(self, line):
        if self.dead:
            return None
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except OSError as e:
            self.dead = "cannot write to the runner: %s" % e
            return None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        ready = sel.select(READ_TIMEOUT)
        sel.close()
        answer = self.proc.stdout.readline() if ready else None
        if not answer:
            self.proc.kill()
            err = self.proc.stderr.read()
            self.dead = ("no answer within %.0f s" % READ_TIMEOUT if ready == [] else
                         "the runner exited (%s): %s" % (self.proc.wait(), err.strip()[-2000:]))
            return None
        return answer.rstrip("\n")

    def run(self, req):
        answer = self.request(self.encode(req))
        if answer is None:
            return Result("-", "runner_failed", message=self.dead)
        fields = answer.split("\t")
        if len(fields) != 6 or fields[0] != req["id"]:
            return Result("-", "bad_answer", message=answer)
        _, stage, outcome, option, message, value = fields
        return Result(stage, outcome, None if option == "-" else option, message,
                      value=None if value == "-" else decode_summary(value))

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def decode_summary(text):
    """{name: text} from a runner's NAME=HEX,... summary."""
    out = {}
    for pair in text.split(",") if text else []:
        name, _, payload = pair.partition("=")
        out[name] = bytes.fromhex(payload).decode("utf-8", "surrogateescape")
    return out


def encode_python(req):
    call = req["call"]
    if call:
        call = [call["op"]] + call["args"] + [call["kw"]]
    return json.dumps({"id": req["id"], "options": req["options"], "call": call})


def _hex(s):
    return s.encode("utf-8", "surrogateescape").hex()


def _lua_value(v):
    if "str" in v:
        return "s:" + _hex(v["str"])
    if "bool" in v:
        return "b:" + ("true" if v["bool"] else "false")
    return "n:" + v["num"]


def encode_lua(req):
    call = req["call"]
    spec = "-"
    if call:
        spec = ",".join([call["op"]] + [_lua_value(a) for a in call["args"]]
                        + ["o:%s=%s" % (k, _lua_value(v)) for k, v in call["kw"].items()])
    fields = [req["id"], spec]
    for name, v in req["options"].items():
        if "num" in v:
            fields.append("%s=n:%s" % (name, v["num"]))
        elif "str" in v:
            fields.append("%s=s:%s" % (name, _hex(v["str"])))
        else:
            fields.append("%s=h:%s" % (name, ",".join("%s.%s" % (_hex(n), _hex(x))
                                                       for n, x in v["headers"])))
    return "\t".join(fields)


# The command line of each operation (cli/swng.c): a function of the call's
# positional texts and optional arguments giving the words after `swng`, or
# the reason the command cannot express the call (a str, or NotExpressible
# raised by a helper).
class NotExpressible(Exception):
    pass


def _cli_text(v):
    if "bool" in v:
        return None
    return v["str"] if "str" in v else v["num"]


def _cli_flags(kw, names):
    out = []
    for name, flag in names:
        if name in kw:
            t = _cli_text(kw[name])
            if t is None:
                raise NotExpressible("%s is a boolean: the command has no value for %s"
                                     % (name, flag))
            out += [flag, t]
    return out


def _cli_sticky(kw, off_flag):
    if "sticky_sender" not in kw:
        return []
    v = kw["sticky_sender"]
    if "bool" not in v:
        raise NotExpressible("sticky_sender %r is not a boolean: the command has only on/off flags" % (v,))
    if v["bool"]:
        return ["--sticky-sender"]
    return [off_flag] if off_flag else []


def _cli_if_exists(kw):
    v = kw["if_exists"].get("str")
    if v == "error":
        return []
    if v == "return":
        return ["--ignore-existing"]
    raise NotExpressible("if_exists %r: the command has only --ignore-existing (return) "
                         "or not (error)" % (v,))


CLI_OPERATIONS = {
    "list_number_groups": lambda a, kw: ["groups", "list"] + _cli_flags(
        kw, [("name", "--name"), ("page_size", "--page-size")]),
    "create_number_group": lambda a, kw: ["groups", "create"] + _cli_sticky(kw, None) + a,
    "get_number_group": lambda a, kw: ["groups", "get"] + a,
    "update_number_group": lambda a, kw: (["groups", "update", "--name", a[1]]
                                          + _cli_sticky(kw, "--no-sticky-sender") + a[:1]),
    "delete_number_group": lambda a, kw: ["groups", "delete"] + a,
    # There is no "groups find": a group given by --group-name is found
    # (swng_number_group_find) and then fetched by id (one GET more).
    "find_number_group": lambda a, kw: ["groups", "get", "--group-name", a[0]],
    "list_memberships": lambda a, kw: ["members", "list"] + _cli_flags(
        kw, [("page_size", "--page-size")]) + a,
    # Without if_exists: the create-membership command (swng 0.1's, kept as
    # an alias); with it: members add [--ignore-existing].
    "create_membership": lambda a, kw: (["create-membership"] + a if "if_exists" not in kw else
                                        ["members", "add"] + _cli_if_exists(kw) + a),
    "get_membership": lambda a, kw: "the command has no command that gets a membership by its id",
    "delete_membership": lambda a, kw: ("the command removes a number by group and number "
                                        "(members remove), not a membership by its id"),
    "remove_number": lambda a, kw: ["members", "remove"] + a,
    "list_phone_numbers": lambda a, kw: ["numbers", "list"] + _cli_flags(
        kw, [("number", "--number"), ("name", "--name"), ("page_size", "--page-size")]),
    "get_phone_number": lambda a, kw: ["numbers", "get"] + a,
    "find_phone_number": lambda a, kw: ["numbers", "find"] + a,
}


def cli_words(call):
    """The words after `swng` for a call, or the reason it cannot be said."""
    if call["op"] not in CLI_OPERATIONS:
        return "no command for %s" % call["op"]
    args = []
    for v in call["args"]:
        if "str" not in v:
            return "a positional argument is always text on the command line"
        args.append(v["str"])
    try:
        words = CLI_OPERATIONS[call["op"]](args, call["kw"])
    except NotExpressible as e:
        return str(e)
    if isinstance(words, str):
        return words
    if any(a.startswith("-") for a in args):
        return "an argument that starts with '-' is read as a flag"
    return words


def json_fields(obj):
    """The compared fields of one resource the command printed (as
    runner.py's fields_of)."""
    def text(v):
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    if not isinstance(obj, dict):
        return {"type": "unknown:" + type(obj).__name__}
    if "phone_number" in obj:
        pn = obj.get("phone_number") or {}
        return {"type": "membership", "id": text(obj.get("id")),
                "number_group_id": text(obj.get("number_group_id")),
                "phone_number_id": text(pn.get("id")), "phone_number_number": text(pn.get("number"))}
    if "sticky_sender" in obj:
        return {"type": "number_group", "id": text(obj.get("id")), "name": text(obj.get("name")),
                "sticky_sender": text(obj.get("sticky_sender")),
                "phone_number_count": text(obj.get("phone_number_count"))}
    return {"type": "phone_number", "id": text(obj.get("id")), "number": text(obj.get("number")),
            "name": text(obj.get("name"))}


# Fields of the languages' results that the command does not print (it
# prints the server's JSON): a membership's existed.
CLI_ABSENT = {"existed"}


def cli_value(op, stdout):
    """The summary of what the command printed (JSON, a line per item)."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    try:
        objs = [json.loads(ln) for ln in lines]
    except ValueError as e:
        return {"type": "unparsable: %s" % e}
    if op.startswith("list_"):
        items = [json_fields(o) for o in objs]
        return {"type": "list", "count": str(len(items)),
                "item_type": items[0]["type"] if items else "",
                "ids": " ".join(x["id"] + ("/" + x["phone_number_id"] if x["type"] == "membership"
                                           else "") for x in items)}
    if not objs:
        return {"type": "none"}
    if len(objs) > 1:
        return {"type": "several: %d objects" % len(objs)}
    return json_fields(objs[0])


class Cli:
    """The swng command, one process per request."""

    name = "cli"

    def __init__(self, path, env, status):
        self.path, self.env, self.status = path, env, status
        self.tmp = tempfile.TemporaryDirectory(prefix="swng-parity-")

    def args_for(self, req):
        """argv, or a reason the command cannot express the request."""
        if req["call"]:
            words = cli_words(req["call"])
            if isinstance(words, str):
                return words
        else:
            # No call wanted: a malformed group id makes the command stop
            # right after making the client (invalid_argument for
            # number_group_id).
            words = ["create-membership", "not-a-uuid", "not-a-uuid"]
        # The subcommand first, then the client's flags, then the rest.
        nsub = 1 if words[0] == "create-membership" else 2
        argv = [self.path] + words[:nsub]
        for name, v in req["options"].items():
            if name == "token":
                if "str" not in v:
                    return "the token comes from a file: always text"
                path = os.path.join(self.tmp.name, "token")
                with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
                    f.write(v["str"])
                argv += ["--token-file", path]
                continue
            if name not in CLI_FLAGS:
                return "no flag for %s" % name
            flag = CLI_FLAGS[name][0]
            if "headers" in v:
                for hname, hvalue in v["headers"]:
                    argv += [flag, "%s: %s" % (hname, hvalue)]
            elif "num" in v:
                argv += [flag, v["num"]]
            else:
                argv += [flag, v["str"]]
        argv += words[nsub:]
        if any("\0" in a for a in argv):
            return "a NUL in an argument"
        return argv

    def run(self, req):
        argv = self.args_for(req)
        if isinstance(argv, str):
            return Result("-", "not_expressible", message=argv)
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=self.env,
                               timeout=CLI_TIMEOUT, text=True, encoding="utf-8", errors="replace")
        except subprocess.TimeoutExpired:
            return Result("-", "runner_failed", message="the command ran over %.0f s" % CLI_TIMEOUT)
        err = p.stderr.strip()
        if p.returncode == 0:
            return Result("call", "ok", exit=0, stderr=err, message=p.stdout.strip()[:200],
                          value=cli_value(req["call"]["op"], p.stdout) if req["call"] else None)
        if p.returncode == 2 and "not a number" in err:
            return Result("client", "type_error", exit=2, stderr=err, message=err)
        m = re.search(r"\[([a-z_]+)[],]", err)
        code = m.group(1) if m else "unclassified"
        if not req["call"] and code == "invalid_argument" and "number_group_id" in err:
            res = Result("client", "ok", exit=p.returncode, stderr=err,
                         message="client made (the probe call's bad id refused)")
            res.probe = True
            return res
        return Result("call", code, exit=p.returncode, stderr=err, message=err)

    def close(self):
        self.tmp.cleanup()


# ----------------------------------------------------------------- the space

def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


def refused_url():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


def api(space, method, path, body=None):
    """One request to the space's public API (as a client would make it,
    journaled like any other); the decoded answer, or None for a 204."""
    url = "%s/api/relay/rest/%s" % (space.base_url, path)
    auth = base64.b64encode(("%s:%s" % (space.project_id, space.token)).encode()).decode()
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method=method, headers={"Authorization": "Basic " + auth,
                                                         "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status not in (200, 204):
            raise SystemExit("run_parity.py: setup %s %s: HTTP %d" % (method, path, r.status))
        data = r.read()
    return json.loads(data) if data else None


def precreate(space, group, phone):
    """Makes the membership directly (as the API does), so that the next
    identical call is "already a member"."""
    api(space, "POST", "number_groups/%s/number_group_memberships" % group,
        {"phone_number_id": phone})


def run_setup(space, steps, symbols):
    """Runs a row's setup steps through the public API after the reset and
    returns {symbol: id} for what they made:
      ["group", NAME, SYMBOL]            a number group named NAME
      ["member", GROUP, PHONE, SYMBOL]   PHONE (a symbol or id) put in GROUP
    SYMBOL ("$..."), when given, names the new id in the row's call and
    values."""
    bound = {}
    for step in steps:
        kind = step[0]
        if kind == "group":
            g = api(space, "POST", "number_groups", {"name": step[1]})
            if len(step) > 2:
                bound[step[2]] = g["id"]
        elif kind == "member":
            group, phone = (bound.get(x) or symbols.get(x, x) for x in step[1:3])
            m = api(space, "POST", "number_groups/%s/number_group_memberships" % group,
                    {"phone_number_id": phone})
            if len(step) > 3:
                bound[step[3]] = m["id"]
        else:
            raise SystemExit("run_parity.py: unknown setup step %r" % (step,))
    return bound


def typed(v, symbols):
    """A table value as the runners take it: a JSON string (a symbol of
    `symbols` is replaced by its id), number or boolean, or an explicit
    {"str"}/{"num"}/{"bool"}."""
    if isinstance(v, dict):
        return v
    if isinstance(v, bool):
        return {"bool": v}
    if isinstance(v, (int, float)):
        return {"num": json.dumps(v)}
    if isinstance(v, str):
        return {"str": symbols.get(v, v)}
    raise SystemExit("run_parity.py: cannot pass %r" % (v,))


def make_call(spec, symbols):
    """[OPERATION, ARG..., {OPTIONAL}] from a table -> the call the front
    ends are given: {"op", "args": [typed], "kw": {name: typed}}."""
    op, rest = spec[0], list(spec[1:])
    kw = rest.pop() if rest and isinstance(rest[-1], dict) and not (
        set(rest[-1]) & {"str", "num", "bool"}) else {}
    return {"op": op, "args": [typed(a, symbols) for a in rest],
            "kw": {k: typed(v, symbols) for k, v in kw.items()}}


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def symbolic(value, symbols):
    """A result's fields with every id written as its symbol (fixture ids
    and what the setup made), any other UUID as "(new)": ids the server
    makes at random differ from run to run, symbols do not."""
    if value is None:
        return None
    back = {v.lower(): k for k, v in symbols.items()}
    return {k: UUID_RE.sub(lambda m: back.get(m.group(0).lower(), "(new)"), v)
            for k, v in value.items()}


def resolve(v):
    """A table value as the runners take it."""
    if "env" in v:
        return {"str": os.environ[v["env"]] + v.get("suffix", "")}
    if "refused_port" in v:
        return {"str": refused_url()}
    return v


def base_options(omit=()):
    opts = {"base_url": {"str": os.environ["SWNG_TEST_BASE_URL"]},
            "project_id": {"str": os.environ["SWNG_TEST_PROJECT_ID"]},
            "token": {"str": os.environ["SWNG_TEST_TOKEN"]}}
    for name in omit:
        opts.pop(name, None)
    return opts


# ------------------------------------------------------------------ checking

# The command's flags for arguments of the operations (cli/swng.c's
# cmd_flags): an error about such an argument names the flag when it was
# given as one, else the argument (a positional one has no flag).
CLI_ARG_FLAGS = {"page_size": ["--page-size"], "number": ["--number"],
                 "name": ["--name", "--group-name"]}


def cli_names_option(res, option):
    """The command's message starts with the flag (or the argument's name):
    "swng: --timeout must be ...", "swng: id is not a UUID ..."."""
    names = CLI_FLAGS.get(option) or CLI_ARG_FLAGS.get(option, []) + [option]
    return any(re.match(r"swng: %s(?![\w-])" % re.escape(n), res.stderr) for n in names)


def check_option(fe, res, option):
    if fe.name == "cli":
        if not cli_names_option(res, option):
            names = CLI_FLAGS.get(option) or CLI_ARG_FLAGS.get(option, []) + [option]
            return "stderr does not start with swng: %s" % " or ".join(names)
        return None
    if res.option != option:
        return "option is %r, not %r" % (res.option, option)
    return None


def check_cli_exit(fe, res, status):
    if fe.name != "cli" or res.outcome not in status or getattr(res, "probe", False):
        return None
    want = status[res.outcome][1]
    if res.exit != want:
        return "exit %s, status.def says %d for %s" % (res.exit, want, res.outcome)
    if res.outcome != "ok" and "[%s" % res.outcome not in res.stderr:
        return "stderr lacks [%s" % res.outcome
    return None


def judge(fe, res, expect, option, call, journal, status):
    """A list of problems (empty: agrees)."""
    problems = []
    if res.outcome != expect:
        problems.append("got %s, expected %s" % (res.outcome, expect))
    creates = [e for e in journal if e.get("operation") == CREATE_OP]
    if expect == "ok":
        if call:
            if len(journal) != 1 or not creates or creates[0].get("status") != 200:
                problems.append("journal: %s, expected one 200 create"
                                % ([(e.get("operation"), e.get("status")) for e in journal],))
        elif journal:
            problems.append("journal: %d request(s) sent, expected none" % len(journal))
    elif expect in ("invalid_argument", "type_error"):
        if journal:
            problems.append("journal: %d request(s) sent, expected none" % len(journal))
        if expect == "invalid_argument" and res.outcome == expect and option:
            p = check_option(fe, res, option)
            if p:
                problems.append(p)
    p = check_cli_exit(fe, res, status)
    if p and res.outcome == expect:
        problems.append(p)
    return problems


# ------------------------------------------------------------------- drivers

def label(s, n):
    s = s.replace("\r", "\\r").replace("\n", "\\n")
    return s if len(s) <= n else s[:n - 1] + "~"


def run_options(table, frontends, space, status):
    rows = table["rows"]
    failures = []
    # Coverage: every option the core knows has rows.
    core_names = frontends[0].request(json.dumps({"cmd": "options"}))
    if not core_names or not core_names.startswith("options\t"):
        return [("-", "python", "-", "cannot list the core's options: %r" % core_names)]
    known = core_names.split("\t", 1)[1].split(",")
    covered = {r["option"] for r in rows}
    for name in known:
        if name not in covered:
            failures.append(("(coverage)", "-", "-", "option %s has no row" % name))
    for name in covered - set(known):
        failures.append(("(coverage)", "-", "-", "rows for %s, which the core does not know" % name))

    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        failures.append(("(table)", "-", "-", "duplicate row ids"))

    group, phone = "41148420-0549-49cf-924c-e4a320c8c1e9", "0cc9aa06-4e1e-47b0-b276-0fa31c147608"
    matrix = []
    not_expressible = []
    for row in rows:
        opts = base_options(row.get("omit", ()))
        opts[row["option"]] = resolve(row["value"])
        call = row.get("call", True) and row["expect"] == "ok"
        # Invalid rows also ask for the call: it must never happen.
        req = {"id": row["id"], "options": opts,
               "call": make_call(["create_membership", group, phone], {})
               if (call or row["expect"] != "ok") else None}
        cells = []
        for fe in frontends:
            if fe.name == "cli" and row.get("cli", True) is not True:
                cells.append("n/a")
                not_expressible.append((row["id"], row["cli"]))
                continue
            space.clear_journal()
            res = fe.run(req)
            journal = space.journal()
            problems = judge(fe, res, row["expect"], row["option"], call, journal, status)
            cells.append(("ok " if not problems else "XX ") + res.short())
            for p in problems:
                failures.append((row["id"], fe.name, row["expect"], p + (" [%s]" % label(res.message, 160)
                                                                          if res.message else "")))
        matrix.append((row["id"], row["expect"], cells))

    print_matrix(matrix, [fe.name for fe in frontends], "option rows")
    print("\nnot expressible on the command line (%d rows):" % len(not_expressible))
    for rid, why in not_expressible:
        print("  %-28s %s" % (rid, why))
    return failures


def run_errors(table, frontends, space, status):
    failures = []
    ids = table["ids"]
    cases = table["cases"]
    not_driven = table.get("not_driven", {})
    driven = [c["code"] for c in cases]
    for code in status:
        if code not in driven and code not in not_driven:
            failures.append(("(status.def)", "-", code,
                             "code %s is in status.def but neither driven nor listed as not driven"
                             % code))
        if code in driven and code in not_driven:
            failures.append(("(status.def)", "-", code, "code %s is both driven and not driven" % code))
    for code in list(driven) + list(not_driven):
        if code not in status:
            failures.append(("(table)", "-", code, "code %s is not in status.def" % code))

    matrix = []
    for case in cases:
        code = case["code"]
        rid = case.get("id", "error/" + code)
        cells = []
        for fe in frontends:
            space.reset()
            setup = case.get("setup", {})
            symbols = dict(ids)
            symbols.update(run_setup(space, setup.get("steps", []), symbols))
            call = make_call(case["call"], symbols)
            if setup.get("precreate"):
                precreate(space, *[a["str"] for a in call["args"]])
            if "fault" in setup:
                space.fault(**dict({"operation": CREATE_OP}, **setup["fault"]))
            space.clear_journal()
            opts = base_options()
            for name, v in case.get("options", {}).items():
                opts[name] = resolve(v)
            req = {"id": rid, "options": opts, "call": call}
            res = fe.run(req)
            journal = space.journal()
            problems = []
            if res.outcome == "not_expressible" and fe.name == "cli":
                problems.append("the command cannot express the case: %s" % res.message)
            elif res.outcome != code:
                problems.append("got %s, expected %s" % (res.outcome, code))
            else:
                if code == "invalid_argument":
                    if journal:
                        problems.append("journal: %d request(s) sent, expected none" % len(journal))
                    p = check_option(fe, res, case.get("option"))
                    if p:
                        problems.append(p)
                p = check_cli_exit(fe, res, status)
                if p:
                    problems.append(p)
            cells.append(("ok " if not problems else "XX ") + res.short())
            for p in problems:
                failures.append((rid, fe.name, code,
                                 p + (" [%s]" % label(res.message, 160) if res.message else "")))
        matrix.append((rid, code, cells))
        # The delayed request of a timeout case finishes in the space later;
        # give it its time before the next reset.
        if "fault" in case.get("setup", {}) and case["setup"]["fault"].get("mode") == "delay":
            time.sleep(float(case["setup"]["fault"].get("seconds", 1.0)))

    print_matrix(matrix, [fe.name for fe in frontends], "error codes")
    print("\nstatus codes not driven:")
    for code, why in not_driven.items():
        print("  %-16s %s" % (code, why))
    return failures


# What the operations table must cover for each operation of the family:
# ok, paged (ok with a small page_size, read across pages), not_found (an
# unknown id) and invalid_argument (a bad id or value, nothing sent).
FAMILY = {
    "list_number_groups": ("ok", "paged", "invalid_argument"),
    "create_number_group": ("ok", "invalid_argument"),
    "get_number_group": ("ok", "not_found", "invalid_argument"),
    "update_number_group": ("ok", "not_found", "invalid_argument"),
    "delete_number_group": ("ok", "not_found", "invalid_argument"),
    "find_number_group": ("ok", "not_found", "invalid_argument"),
    "list_memberships": ("ok", "paged", "not_found", "invalid_argument"),
    "create_membership": ("ok", "not_found", "invalid_argument"),
    "get_membership": ("ok", "not_found", "invalid_argument"),
    "delete_membership": ("ok", "not_found", "invalid_argument"),
    "remove_number": ("ok", "not_found", "invalid_argument"),
    "list_phone_numbers": ("ok", "paged", "invalid_argument"),
    "get_phone_number": ("ok", "not_found", "invalid_argument"),
    "find_phone_number": ("ok", "not_found", "invalid_argument"),
}


def row_kinds(row):
    kinds = {row["expect"]}
    if row["expect"] == "ok" and isinstance(row["call"][-1], dict) and "page_size" in row["call"][-1]:
        kinds.add("paged")
    return kinds


def journal_shape(journal):
    return [(e.get("operation"), e.get("status")) for e in journal]


def run_operations(table, frontends, space, status):
    """Every row: the same call in every front end, after a reset and the
    row's setup; the outcome, the compared values and the requests sent
    must be the same everywhere (and as the row says)."""
    rows, ids = table["rows"], table["ids"]
    failures = []
    rids = [r["id"] for r in rows]
    if len(rids) != len(set(rids)):
        failures.append(("(table)", "-", "-", "duplicate row ids"))
    for op, wanted in FAMILY.items():
        have = set()
        for r in rows:
            if r["call"][0] == op:
                have |= row_kinds(r)
        for kind in wanted:
            if kind not in have:
                failures.append(("(coverage)", "-", kind, "%s has no %s row" % (op, kind)))
    for r in rows:
        if r["call"][0] not in FAMILY:
            failures.append((r["id"], "-", "-", "%s is not an operation of the family"
                             % r["call"][0]))

    matrix, not_expressible = [], []
    for row in rows:
        expect, rid = row["expect"], row["id"]
        cells, values, shapes = [], {}, {}
        for fe in frontends:
            space.reset()
            if fe.name == "cli" and "cli" in row:
                cells.append("n/a")
                not_expressible.append((rid, row["cli"]))
                continue
            symbols = dict(ids)
            symbols.update(run_setup(space, row.get("setup", []), symbols))
            call = make_call(row["call"], symbols)
            space.clear_journal()
            res = fe.run({"id": rid, "options": base_options(), "call": call})
            journal = space.journal()
            problems = []
            if res.outcome == "not_expressible":
                problems.append("the command cannot express this (%s) and the row does not "
                                "say so (cli: reason)" % res.message)
            if res.outcome != expect and not problems:
                problems.append("got %s, expected %s" % (res.outcome, expect))
            elif not problems:
                if expect in ("invalid_argument", "type_error") and journal:
                    problems.append("journal: %s sent, expected nothing" % (journal_shape(journal),))
                if expect == "invalid_argument" and row.get("option"):
                    p = check_option(fe, res, row["option"])
                    if p:
                        problems.append(p)
                p = check_cli_exit(fe, res, status)
                if p:
                    problems.append(p)
                if expect == "ok":
                    val = symbolic(res.value, symbols)
                    values[fe.name] = val
                    for k, want in row.get("values", {}).items():
                        if fe.name == "cli" and k in CLI_ABSENT:
                            continue
                        if val is None or val.get(k) != want:
                            problems.append("%s is %r, expected %r"
                                            % (k, None if val is None else val.get(k), want))
            if not (fe.name == "cli" and "cli_requests" in row):
                shapes[fe.name] = journal_shape(journal)
            cells.append(("ok " if not problems else "XX ") + res.short())
            for p in problems:
                failures.append((rid, fe.name, expect,
                                 p + (" [%s]" % label(res.message, 160) if res.message else "")))
        # Parity: the same values and the same requests in every front end
        # (the first one's are the reference). The command's output has no
        # field for what only a language's result says (CLI_ABSENT).
        if "cli" in values and values["cli"] is not None:
            for name in values:
                if name != "cli" and values[name] is not None:
                    values[name] = dict(values[name])
            ref = next(iter(values))
            if ref != "cli":
                values["cli"] = dict(values["cli"], **{k: v for k, v in values[ref].items()
                                                       if k in CLI_ABSENT})
        for what, got in (("value", values), ("requests", shapes)):
            names = list(got)
            for name in names[1:]:
                if got[name] != got[names[0]]:
                    diff = got[name]
                    if what == "value":
                        diff = {k: v for k, v in (got[name] or {}).items()
                                if (got[names[0]] or {}).get(k) != v}
                    failures.append((rid, name, expect, "%s differs from %s's: %s, not %s"
                                     % (what, names[0], label(str(diff), 200),
                                        label(str(got[names[0]] if what == "requests" else
                                                  {k: (got[names[0]] or {}).get(k)
                                                   for k in diff}), 200))))
                    idx = [fe.name for fe in frontends].index(name)
                    if not cells[idx].startswith("XX"):
                        cells[idx] = "XX " + cells[idx][3:]
        matrix.append((rid, expect, cells))

    print_matrix(matrix, [fe.name for fe in frontends], "operation rows")
    print("\nnot expressible on the command line (%d rows):" % len(not_expressible))
    for rid, why in not_expressible:
        print("  %-34s %s" % (rid, why))
    # Known disagreements stay failures until the front end is fixed; a
    # listed one that no longer fails must leave the list.
    known = table.get("failures", {})
    failing = {f[0] for f in failures}
    for rid, why in known.items():
        if rid not in rids:
            failures.append((rid, "-", "-", "failures lists a row that does not exist"))
        elif rid not in failing:
            failures.append((rid, "-", "-", "listed in failures (%s) but every front end now "
                             "agrees: take it off the list" % why))
    if known:
        print("\nknown disagreements (failures; the run fails until they are fixed):")
        for rid, why in known.items():
            print("  %-34s %s" % (rid, why))
    if table.get("not_compared"):
        print("\nnot compared:")
        for what, why in table["not_compared"].items():
            print("  %-34s %s" % (what, why))
    notes = [(r["id"], r["cli_requests"]) for r in rows if "cli_requests" in r]
    if notes:
        print("\nrequests of the command not compared (%d rows):" % len(notes))
        for rid, why in notes:
            print("  %-34s %s" % (rid, why))
    return failures


def print_matrix(matrix, names, what):
    width = max([len(r[0]) for r in matrix] + [8])
    cw = 38
    print("\n%s: %d rows x %d front ends" % (what, len(matrix), len(names)))
    print("%-*s  %-16s %s" % (width, "row", "expect", "".join("%-*s" % (cw, n) for n in names)))
    for rid, expect, cells in matrix:
        print("%-*s  %-16s %s" % (width, rid, expect, "".join("%-*s" % (cw, label(c, cw - 1))
                                                               for c in cells)))


# ---------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--python", required=True, help="the venv's python (swng installed)")
    ap.add_argument("--lua", action="append", default=[], metavar="NAME=INTERPRETER=MODULE_DIR",
                    help="a Lua interpreter and the directory of its swng.so; repeatable")
    ap.add_argument("--cli", required=True, help="the swng command")
    ap.add_argument("--status-def", required=True)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--options", metavar="TABLE")
    mode.add_argument("--errors", metavar="TABLE")
    mode.add_argument("--operations", metavar="TABLE")
    args = ap.parse_args(argv)
    if not args.lua:
        ap.error("at least one --lua is needed")
    # The runners run in a directory of their own: absolute paths.
    args.python, args.cli = os.path.abspath(args.python), os.path.abspath(args.cli)

    for var in ("SWNG_TEST_BASE_URL", "SWNG_TEST_PROJECT_ID", "SWNG_TEST_TOKEN", "SWNG_TEST_FIXTURE"):
        if var not in os.environ:
            raise SystemExit("run_parity.py: %s is not set: run under tests/space/with_space.py" % var)
    space = attach()
    status = parse_status_def(args.status_def)
    with open(args.options or args.errors or args.operations, encoding="utf-8") as f:
        table = json.load(f)

    env = clean_env()
    frontends = [StreamRunner("python", [args.python, os.path.join(HERE, "runner.py")], env,
                              encode_python)]
    for spec in args.lua:
        name, interp, moddir = spec.split("=", 2)
        interp = os.path.abspath(interp) if os.sep in interp else interp
        moddir = os.path.abspath(moddir)
        cpath = os.path.join(moddir, "?.so") + ";;"
        lenv = dict(env, LUA_CPATH=cpath, LUA_CPATH_5_3=cpath, LUA_CPATH_5_4=cpath)
        frontends.append(StreamRunner(name, [interp, os.path.join(HERE, "runner.lua")], lenv,
                                      encode_lua))
    frontends.append(Cli(args.cli, env, status))
    for fe in frontends:
        if isinstance(fe, StreamRunner):
            fe.start()

    started = time.monotonic()
    try:
        if args.options:
            failures = run_options(table, frontends, space, status)
        elif args.operations:
            failures = run_operations(table, frontends, space, status)
        else:
            failures = run_errors(table, frontends, space, status)
    finally:
        for fe in frontends:
            fe.close()

    print("\n%.1f s" % (time.monotonic() - started))
    if failures:
        print("\n%d DISAGREEMENT(S):" % len(failures))
        print("%-30s %-8s %-18s %s" % ("row", "front", "expected", "problem"))
        for rid, fe, expect, problem in failures:
            print("%-30s %-8s %-18s %s" % (rid, fe, expect, problem))
        return 1
    print("\nall front ends agree with every expectation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
