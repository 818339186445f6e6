#!/usr/bin/env python3
"""swng benchmarks: the client's cost per call, as ratios against what a user
would use instead, all measured in the same run against the same emulated
space (tests/space, started here with --allow-duplicates).

    python3 bench/run.py --build-dir _build/bench [--calls N] [--quick]

Sections (see bench/README.md for what each number means):
  1. Python: swng module vs http.client (stdlib, kept alive) vs
     urllib.request (stdlib, a connection per call) vs requests.Session.
  2. C: libswng vs the same request written directly against libcurl + cJSON.
  3. Lua: the swng module under lua5.4 (and LuaJIT with the 5.1 module).
  4. The command: `swng create-membership` vs `curl`, one process per call.
  5. callgrind: instructions per call (C, Python, Lua) and per invocation
     (commands); repeatable whatever the load on the machine.
  6. Against raw libcurl: each binding's CPU (and instructions) per call as
     a ratio to the raw libcurl C loop of section 2, round by round, with
     the targets of the rewrite (C 1.10x, Python 1.30x, Lua 1.20x).
  7. Non-blocking: the C loop API with 16 requests in flight vs a raw
     libcurl multi loop with 16 in flight (target 1.15x); --loop-only runs
     this section alone.

Sections 1-3 run in one loop: every round runs every client once, each in a
fresh process, the order rotated every round, so round r of any client can
be compared with round r of the raw libcurl loop.

Every client checks every result (HTTP 200, a UUID id, the group and phone
number echoed back) and the space's journal must show exactly the expected
requests, all answered 200; otherwise the run stops with an error.

Needs: the build (core, cli, python; lua for section 3), cc, libcurl and
cJSON headers, curl; lua5.4 and its headers (luajit optional); valgrind for
section 5 (skipped, and said so, if missing). requests is pip-installed into
BUILD/bench/venv; if that fails and no requests is importable, its column is
skipped and the table says so; a missing Lua is skipped the same way.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True  # nothing is written into the source tree
sys.path.insert(0, os.path.join(ROOT, "tests", "space"))
from spaceclient import start_space  # noqa: E402

ROUTE = "/api/relay/rest/number_groups/%s/number_group_memberships"

PY_CLIENTS = [  # (key, label); the first is the reference of every ratio
    ("swng", "swng module"),
    ("httpclient", "http.client kept alive"),
    ("urllib", "urllib.request"),
    ("requests", "requests.Session"),
]


# (key, interpreter, module version dir, pkg-config names for lua.h, label);
# the first is the reference of the Lua table. The 5.1 module serves LuaJIT.
LUA_HOSTS = [
    ("lua54", "lua5.4", "5.4", ("lua5.4", "lua-5.4"), "Lua 5.4 swng module"),
    ("luajit", "luajit", "5.1", ("luajit",), "LuaJIT 2.1 swng module (5.1)"),
]

# The targets of the rewrite ("One engine, many operations"): client CPU per
# create-membership call at most this many times the raw libcurl C loop's.
TARGETS = {"c": 1.10, "python": 1.30, "lua": 1.20}


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def clean_env(extra=None):
    """The environment for every client: no proxies (libcurl, curl, urllib and
    requests all read them), no SignalWire settings but those given."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("SIGNALWIRE_")}
    env.update(extra or {})
    return env


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise BenchError("%s failed (exit %d):\n%s%s"
                         % (shlex.join(argv), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
    return p


# ------------------------------------------------------------------ setup

def build_c(build_dir, out_dir):
    """Compiles bench/c/*.c with cc: one client on libswng, one on libcurl,
    and the launcher that measures a command's own CPU and RSS."""
    core = os.path.join(build_dir, "core")
    if not os.path.exists(os.path.join(core, "libswng.so")):
        raise BenchError("no %s/libswng.so: build first (see bench/README.md)" % core)
    try:
        deps = run(["pkg-config", "--cflags", "--libs", "libcurl", "libcjson"]).stdout.split()
    except (BenchError, OSError):
        deps = ["-lcurl", "-lcjson"]
    cc = os.environ.get("CC", "cc")
    flags = ["-O2", "-Wall", "-Wextra", "-Werror"]
    src = os.path.join(HERE, "c")
    swng_bin = os.path.join(out_dir, "bench_swng")
    curl_bin = os.path.join(out_dir, "bench_curl")
    run([cc] + flags + ["-I", os.path.join(ROOT, "core", "include"), "-o", swng_bin,
                        os.path.join(src, "bench_swng.c"), "-L", core, "-lswng",
                        "-Wl,-rpath," + core])
    run([cc] + flags + ["-o", curl_bin, os.path.join(src, "bench_curl.c")] + deps)
    spawn_bin = os.path.join(out_dir, "bench_spawn")
    run([cc] + flags + ["-o", spawn_bin, os.path.join(src, "spawn.c")])
    return swng_bin, curl_bin, spawn_bin


def build_c_loop(build_dir, out_dir):
    """The section 7 clients: libswng's non-blocking API and a raw libcurl
    multi loop, each with LOOP_INFLIGHT requests in flight."""
    core = os.path.join(build_dir, "core")
    try:
        deps = run(["pkg-config", "--cflags", "--libs", "libcurl", "libcjson"]).stdout.split()
    except (BenchError, OSError):
        deps = ["-lcurl", "-lcjson"]
    cc = os.environ.get("CC", "cc")
    flags = ["-O2", "-Wall", "-Wextra", "-Werror"]
    src = os.path.join(HERE, "c")
    swng_bin = os.path.join(out_dir, "bench_loop_swng")
    curl_bin = os.path.join(out_dir, "bench_loop_curl")
    run([cc] + flags + ["-I", os.path.join(ROOT, "core", "include"), "-o", swng_bin,
                        os.path.join(src, "bench_loop_swng.c"), "-L", core, "-lswng",
                        "-Wl,-rpath," + core])
    run([cc] + flags + ["-o", curl_bin, os.path.join(src, "bench_loop_curl.c")] + deps)
    return swng_bin, curl_bin


def lua_include_flags(pkgs, fallback):
    for pkg in pkgs:
        p = subprocess.run(["pkg-config", "--cflags", pkg], capture_output=True, text=True)
        if p.returncode == 0:
            return p.stdout.split()
    return ["-I" + fallback]


def lua_hosts(build_dir, out_dir):
    """([(key, interpreter, env, label)], skipped notes): every Lua of
    LUA_HOSTS that is installed and has a built module, each with the clock
    helper (bench/lua/clock.c) compiled for it into BUILD/bench/KEY/ and a
    LUA_CPATH that finds the build's swng.so and that helper only."""
    hosts, skipped = [], []
    cc = os.environ.get("CC", "cc")
    for key, exe, ver, pkgs, label in LUA_HOSTS:
        module = os.path.join(build_dir, "lua", ver, "swng.so")
        path = shutil.which(exe)
        if not path or not os.path.exists(module):
            skipped.append("%s: %s; row skipped" % (
                label, "%s is not installed" % exe if not path else
                "no %s (configure with -DSWNG_BUILD_LUA=ON)" % module))
            continue
        inc = "luajit-2.1" if key == "luajit" else exe
        helper_dir = os.path.join(out_dir, key)
        os.makedirs(helper_dir, exist_ok=True)
        try:
            run([cc, "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"]
                + lua_include_flags(pkgs, "/usr/include/" + inc)
                + ["-o", os.path.join(helper_dir, "swng_bench_clock.so"),
                   os.path.join(HERE, "lua", "clock.c")])
        except (BenchError, OSError) as e:
            skipped.append("%s: the clock helper does not build (%s); row skipped"
                           % (label, str(e).splitlines()[0]))
            continue
        env = {k: v for k, v in clean_env().items() if not k.startswith("LUA_")}
        env["LUA_CPATH"] = "%s/?.so;%s/?.so" % (os.path.dirname(module), helper_dir)
        env["LUA_PATH"] = os.path.join(HERE, "lua", "?.lua")
        hosts.append((key, path, env, label))
    return hosts, skipped


#: What the Python clients compare with, pip-installed into the bench venv:
#: requests (run.py), aiohttp and httpx (inflight.py).
PIP_PACKAGES = ("requests", "aiohttp", "httpx")


def python_for_clients(build_dir, out_dir):
    """(python, note): the interpreter for every Python client. A venv under
    the build dir with PIP_PACKAGES pip-installed, else this interpreter.
    A package that will not install is left out (its column is SKIPPED)."""
    venv = os.path.join(out_dir, "venv")
    py = os.path.join(venv, "bin", "python")
    try:
        if not os.path.exists(py):
            log("creating %s and installing %s with pip ..." % (venv, ", ".join(PIP_PACKAGES)))
            run([sys.executable, "-m", "venv", venv], timeout=120)
        missing = [m for m in PIP_PACKAGES
                   if subprocess.run([py, "-c", "import " + m], capture_output=True).returncode]
        for name in missing:
            try:
                run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                     name], timeout=180)
            except (BenchError, subprocess.TimeoutExpired) as e:
                if name == "requests":
                    raise
                log("pip install %s failed (%s)" % (name, str(e).splitlines()[0]))
        return py, "%s from PyPI in %s" % (", ".join(PIP_PACKAGES), venv)
    except (BenchError, OSError, subprocess.TimeoutExpired) as e:
        log("pip install requests failed (%s); using %s" % (str(e).splitlines()[0], sys.executable))
        return sys.executable, "venv/pip failed; system interpreter"


def module_version(py, env, name):
    p = subprocess.run([py, "-c", "import %s as m; print(m.__version__, m.__file__)" % name],
                       capture_output=True, text=True, env=env)
    return p.stdout.split() if p.returncode == 0 else None


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version()}


# ----------------------------------------------------------- measurement

def checked(space, expected, fn):
    """Runs fn() on a reset space; the journal must then hold exactly
    `expected` route requests, all answered 200. Returns (fn(), connections)."""
    space.reset()
    result = fn()
    journal = [e for e in space.journal() if e["method"] == "POST"]
    bad = [e for e in journal if e["status"] != 200]
    if len(journal) != expected or bad:
        raise BenchError("the space saw %d requests (expected %d), %d not answered 200%s"
                         % (len(journal), expected, len(bad),
                            (": %r" % bad[0]) if bad else ""))
    return result, len({e["connection_id"] for e in journal})


def run_json_client(argv, env, timeout=300):
    p = run(argv, env=env, timeout=timeout)
    return json.loads(p.stdout.strip().splitlines()[-1])


def per_call_rows(space, clients, rounds, warmup, args_tail, paired=(), pair_ref=None):
    """clients: [(section, key, argv, env, calls)], each run `rounds` times in
    a fresh process, the order rotated every round, so that sample r of every
    client comes from the same round. Returns {section: {key: [result, ...]}}.

    paired: (section, key) of clients that section 6 compares with pair_ref
    (argv, env, calls: the raw libcurl loop). Each of their runs gets its own
    run of pair_ref right next to it (before it in even rounds, after it in
    odd ones), kept in the result as "paired_ref": on this shared machine the
    CPU time of the same program moves by tens of % over a few seconds, and
    two runs a fraction of a second apart see the same conditions."""
    results = {}
    for section, key, _, _, _ in clients:
        results.setdefault(section, {})[key] = []

    def one(key, argv, env, calls, r):
        n = 0 if key.startswith("baseline") else calls + warmup
        res, conns = checked(space, n, lambda: run_json_client(
            argv + [str(calls), str(warmup)] + args_tail, env))
        res["connections"] = conns
        res["round"] = r
        return res

    for r in range(rounds):
        t = time.monotonic()
        order = clients[r % len(clients):] + clients[:r % len(clients)]
        for section, key, argv, env, calls in order:
            ref = None
            if (section, key) in paired and r % 2 == 0:
                ref = one("pair", *pair_ref, r)
            res = one(key, argv, env, calls, r)
            if (section, key) in paired and r % 2 == 1:
                ref = one("pair", *pair_ref, r)
            if ref:
                res["paired_ref"] = {k: ref[k] for k in ("cpu_us", "calls", "wall_us")}
            results[section][key].append(res)
        log("  round %d/%d done (%.0f s)" % (r + 1, rounds, time.monotonic() - t))
    return results


def summarize(samples):
    """Medians over rounds, per call."""
    out = {"rss_kb": statistics.median(s["maxrss_kb"] for s in samples),
           "anon_kb": statistics.median(s["anon_kb"] for s in samples),
           "rounds": len(samples)}
    if "cpu_us" in samples[0]:
        cpu = [s["cpu_us"] / s["calls"] for s in samples]
        out.update(cpu=statistics.median(cpu), cpu_min=min(cpu), cpu_max=max(cpu),
                   wall=(statistics.median(s["wall_us"] / s["calls"] for s in samples)
                         if all(s.get("wall_us") is not None for s in samples) else None),
                   connections=max(s["connections"] for s in samples))
        out["setup_ms"] = statistics.median(s["setup_cpu_us"] for s in samples) / 1000
    return out


def run_cli(spawn, report, argv, env):
    """One invocation through bench_spawn: (CPU µs, wall µs, peak RSS KiB,
    stdout) of the command's process alone."""
    p = subprocess.run([spawn, report] + argv, stdin=subprocess.DEVNULL, capture_output=True,
                       env=env, timeout=60)
    if p.returncode != 0:
        raise BenchError("%s: exit %d: %s" % (argv[0], p.returncode,
                                              p.stderr.decode(errors="replace")))
    with open(report) as f:
        cpu, wall, rss, _ = f.read().split()
    return float(cpu), float(wall), int(rss), p.stdout.decode()


def verify_membership_json(text, group, phone, what):
    try:
        m = json.loads(text)
        ok = (len(m["id"]) == 36 and m["number_group_id"].lower() == group.lower()
              and m["phone_number"]["id"].lower() == phone.lower())
    except (ValueError, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise BenchError("%s: wrong result: %r" % (what, text[:300]))


def cli_commands(build_dir, space, group, phone):
    url = space.base_url + ROUTE % group
    swng_argv = [os.path.join(build_dir, "cli", "swng"), "create-membership",
                 "--base-url", space.base_url, "--project-id", space.project_id, group, phone]
    swng_env = clean_env({"SIGNALWIRE_API_TOKEN": space.token})
    curl_argv = ["curl", "-q", "-sS", "-u", "%s:%s" % (space.project_id, space.token),
                 "-H", "Content-Type: application/json", "-H", "Accept: application/json",
                 "-d", json.dumps({"phone_number_id": phone}), "-w", "\n%{http_code}", url]
    return (swng_argv, swng_env), (curl_argv, clean_env())


def cli_rows(space, build_dir, spawn, out_dir, invocations, group, phone):
    (swng_argv, swng_env), (curl_argv, curl_env) = cli_commands(build_dir, space, group, phone)
    samples = {"swng": [], "curl": []}
    report = os.path.join(out_dir, "spawn.report")

    def go():
        for i in range(invocations):  # interleaved: both see the same noise
            for key, argv, env in (("swng", swng_argv, swng_env), ("curl", curl_argv, curl_env)):
                cpu, wall, rss, out = run_cli(spawn, report, argv, env)
                if key == "curl":
                    out, _, code = out.rpartition("\n")
                    if code.strip() != "200":
                        raise BenchError("curl: HTTP %s" % code)
                verify_membership_json(out, group, phone, "%s invocation %d" % (key, i))
                samples[key].append((cpu, wall, rss))

    _, conns = checked(space, 2 * invocations, go)
    out = {}
    for key, s in samples.items():
        cpu = [x[0] for x in s]
        out[key] = {"cpu": statistics.median(cpu), "cpu_min": min(cpu), "cpu_max": max(cpu),
                    "wall": statistics.median(x[1] for x in s),
                    "rss_kb": statistics.median(x[2] for x in s), "rounds": len(s),
                    "connections": conns // 2}
    return out


# -------------------------------------------------------------- callgrind

def callgrind_ir(argv, env, out_dir):
    """Instructions executed by the process (callgrind's total Ir), and its stdout."""
    fd, out_file = tempfile.mkstemp(prefix="callgrind.", dir=out_dir)
    os.close(fd)
    try:
        p = run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file] + argv,
                env=env, timeout=600)
        with open(out_file) as f:
            for line in f:
                if line.startswith("totals:") or line.startswith("summary:"):
                    return int(line.split()[1]), p.stdout
    finally:
        os.unlink(out_file)
    raise BenchError("no totals in callgrind output for %s" % argv[0])


def callgrind_per_call(space, argv, args_tail, env, n1, n2, out_dir):
    """Instructions per call: Ir(n2 calls) - Ir(n1 calls), over n2 - n1, so
    start-up, imports and the connection are left out."""
    irs = []
    for n in (n1, n2):
        (ir, _), _ = checked(space, n + 1, lambda: callgrind_ir(
            argv + [str(n), "1"] + args_tail, env, out_dir))
        irs.append(ir)
    return (irs[1] - irs[0]) / (n2 - n1), irs[0]


# ------------------------------------------------------ non-blocking (7)

LOOP_INFLIGHT = 16   # the clients' INFLIGHT (bench/c/bench_loop_*.c)
LOOP_WARMUP = 16     # one per connection, not timed
LOOP_TARGET = 1.15   # C non-blocking API: CPU per request at most 1.15x raw multi


def loop_section(space, swng_bin, curl_bin, rounds, calls, tail, cg_calls, out_dir):
    """Section 7: libswng's non-blocking API vs a raw libcurl multi loop, both
    with LOOP_INFLIGHT requests in flight. Every round runs both, the order
    alternated, and the ratio is taken within the round (the pair runs a
    fraction of a second apart). cg_calls: (n1, n2) for callgrind, or None."""
    env = clean_env()
    samples = {"swng": [], "curl": []}
    ratios = []

    def one(binary, n):
        res, conns = checked(space, n + LOOP_WARMUP, lambda: run_json_client(
            [binary, str(n), str(LOOP_WARMUP)] + tail, env))
        res["connections"] = conns
        return res

    for r in range(rounds):
        order = [("swng", swng_bin), ("curl", curl_bin)]
        if r % 2:
            order.reverse()
        got = {k: one(b, calls) for k, b in order}
        for k in got:
            got[k]["round"] = r
            samples[k].append(got[k])
        ratios.append((got["swng"]["cpu_us"] / got["swng"]["calls"])
                      / (got["curl"]["cpu_us"] / got["curl"]["calls"]))
        log("  round %d/%d: %.2fx" % (r + 1, rounds, ratios[-1]))
    ir = {}
    if cg_calls:
        n1, n2 = cg_calls
        for k, b in (("swng", swng_bin), ("curl", curl_bin)):
            irs = []
            for n in (n1, n2):
                (total, _), _ = checked(space, n + LOOP_WARMUP, lambda: callgrind_ir(
                    [b, str(n), str(LOOP_WARMUP)] + tail, env, out_dir))
                irs.append(total)
            ir[k] = (irs[1] - irs[0]) / (n2 - n1)
    return {"summary": {k: summarize(v) for k, v in samples.items()}, "samples": samples,
            "ratios": ratios, "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios), "ir": ir,
            "ir_ratio": ir["swng"] / ir["curl"] if ir else None, "calls": calls,
            "rounds": rounds, "target": LOOP_TARGET}


def print_loop_section(res, cg_calls):
    s, ir = res["summary"], res["ir"]
    print("7. Non-blocking, %d requests in flight: libswng's loop (swng_request_start, a"
          % LOOP_INFLIGHT)
    print("poll() on swng_loop_fd/swng_loop_timeout, swng_loop_step) vs a raw libcurl multi")
    print("loop (%d easy handles, curl_multi_perform + curl_multi_poll, cJSON), the same"
          % LOOP_INFLIGHT)
    print("create-membership requests, %d per run after %d warm-up ones, %d rounds, the order"
          % (res["calls"], LOOP_WARMUP, res["rounds"]))
    print("alternated; x raw = libswng's number / raw libcurl's, CPU ratio taken within each round.")
    rows = []
    for key, label in (("curl", "raw libcurl multi + cJSON (reference)"),
                       ("swng", "C libswng loop")):
        r = s[key]
        rows.append([label, fmt(r["cpu"]), "%s-%s" % (fmt(r["cpu_min"], 0), fmt(r["cpu_max"], 0)),
                     fmt(ir.get(key), 0) if ir else "-", fmt(r["wall"]),
                     fmt(r["rss_kb"] / 1024), str(r["connections"])])
    print(table(["client", "CPU us/req", "(min-max)", "Ir/req", "wall us/req", "peak RSS MiB",
                 "conns"], rows))
    line = "   C libswng loop: CPU %.2fx raw (rounds %s), target <= %.2fx: %s" % (
        res["ratio"], ", ".join("%.2f" % x for x in res["ratios"]), res["target"],
        gap(res["ratio"], res["target"]))
    if res["ir_ratio"]:
        line += "; Ir %.2fx (%d/%d requests), %s" % (res["ir_ratio"], cg_calls[1], cg_calls[0],
                                                    gap(res["ir_ratio"], res["target"]))
    print(line)


# ---------------------------------------------------------------- output

def fmt(x, nd=1):
    return "-" if x is None else ("{:,.%df}" % nd).format(x)


def ratio(x, ref):
    return "-" if x is None or not ref else "%.2fx" % (x / ref)


def table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    lines = ["  ".join(str(h).ljust(w) if i == 0 else str(h).rjust(w)
                       for i, (h, w) in enumerate(zip(headers, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def per_call_table(rows, ref_key, labels, cg=None):
    ref = rows[ref_key]
    headers = ["client", "CPU us/call", "(min-max)", "ratio", "wall us/call", "ratio",
               "peak RSS MiB", "ratio", "anon MiB", "ratio", "setup ms", "conns"]
    if cg:
        headers[4:4] = ["Ir/call", "ratio"]
    out = []
    for key, label in labels:
        if key not in rows:
            continue
        s = rows[key]
        mem = [fmt(s["rss_kb"] / 1024), ratio(s["rss_kb"], ref["rss_kb"]),
               fmt(s["anon_kb"] / 1024), ratio(s["anon_kb"], ref["anon_kb"])]
        if "cpu" not in s:
            out.append([label] + ["-"] * (7 if cg else 5) + mem + ["-", "-"])
            continue
        row = [label, fmt(s["cpu"]), "%s-%s" % (fmt(s["cpu_min"], 0), fmt(s["cpu_max"], 0)),
               ratio(s["cpu"], ref["cpu"]), fmt(s["wall"]), ratio(s["wall"], ref.get("wall"))] + mem + [
               fmt(s["setup_ms"]), str(s["connections"])]
        if cg:
            c = cg.get(key)
            row[4:4] = [fmt(c, 0) if c else "-", ratio(c, cg.get(ref_key)) if c else "-"]
        out.append(row)
    return table(headers, out)


# ------------------------------------------------------ against libcurl

def round_ratios(samples, ref_samples):
    """CPU per call of each run over the reference's: its own paired run of
    the reference if it has one, else the reference's run of the same round."""
    by_round = {s["round"]: s["cpu_us"] / s["calls"] for s in ref_samples}
    out = []
    for s in samples:
        p = s.get("paired_ref")
        ref = p["cpu_us"] / p["calls"] if p else by_round.get(s["round"])
        if ref:
            out.append((s["cpu_us"] / s["calls"]) / ref)
    return out


def against_libcurl(raw, cg, labels):
    """Rows of section 6: [(label, target kind, summary dict)], each client's
    CPU per call as a ratio to the raw libcurl loop round by round, and its
    instructions per call as a ratio to the raw loop's."""
    ref = raw["c"]["libcurl"]
    ref_ir = cg.get("c", {}).get("libcurl")
    out = []
    for section, key, label, target in labels:
        samples = raw.get(section, {}).get(key)
        if not samples:
            continue
        cpu = [s["cpu_us"] / s["calls"] for s in samples]
        rr = round_ratios(samples, ref)
        ir = cg.get(section, {}).get(key)
        out.append({"section": section, "key": key, "label": label,
                    "target": TARGETS.get(target) if target else None,
                    "cpu": statistics.median(cpu), "cpu_min": min(cpu), "cpu_max": max(cpu),
                    "ratio": statistics.median(rr), "ratio_min": min(rr),
                    "ratio_max": max(rr), "ratios": rr,
                    "ir": ir, "ir_ratio": ir / ref_ir if ir and ref_ir else None})
    return out


def verdict(x, target, lo=None, hi=None):
    if x is None or target is None:
        return "-"
    v = "met" if x <= target else "missed"
    if lo is not None and lo <= target < hi:
        v += "*"
    return v


def against_libcurl_table(rows):
    headers = ["client", "CPU us/call", "(min-max)", "x raw", "(min-max)", "Ir/call",
               "x raw", "target", "CPU", "Ir"]
    out = []
    for r in rows:
        out.append([r["label"], fmt(r["cpu"]), "%s-%s" % (fmt(r["cpu_min"], 0),
                                                         fmt(r["cpu_max"], 0)),
                    "%.2fx" % r["ratio"], "%.2f-%.2f" % (r["ratio_min"], r["ratio_max"]),
                    fmt(r["ir"], 0) if r["ir"] else "-",
                    "%.2fx" % r["ir_ratio"] if r["ir_ratio"] else "-",
                    "<= %.2fx" % r["target"] if r["target"] else "-",
                    verdict(r["ratio"], r["target"], r["ratio_min"], r["ratio_max"]),
                    verdict(r["ir_ratio"], r["target"])])
    return table(headers, out)


def gap(x, target):
    """'met, 5% headroom' or 'missed by 0.13x: needs 9% less'."""
    if x <= target:
        return "met, %.0f%% headroom" % (100.0 * (target / x - 1))
    return "missed by %.2fx: needs %.0f%% less" % (x - target, 100.0 * (1 - target / x))


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True, help="CMake build dir with core, cli, python, lua")
    ap.add_argument("--calls", type=int,
                    help="sequential calls per client run: Python and Lua, and C unless "
                         "--c-calls (500 Python and Lua, 1000 C)")
    ap.add_argument("--c-calls", type=int, help="sequential calls per C client run (--calls)")
    ap.add_argument("--rounds", type=int, help="fresh-process runs of each client (5)")
    ap.add_argument("--invocations", type=int, help="command invocations of each (50)")
    ap.add_argument("--quick", action="store_true", help="fewer calls and rounds, no Python callgrind (~15 s)")
    ap.add_argument("--no-callgrind", action="store_true", help="skip section 5")
    ap.add_argument("--no-luajit", action="store_true", help="leave LuaJIT out")
    ap.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    ap.add_argument("--loop-calls", type=int,
                    help="requests per run of section 7, the non-blocking API (2000)")
    ap.add_argument("--loop-only", action="store_true",
                    help="run only section 7 (needs only the core library)")
    a = ap.parse_args()
    q = a.quick
    calls = a.calls or (150 if q else 500)
    c_calls = a.c_calls or a.calls or (300 if q else 1000)
    rounds = a.rounds or (2 if q else 5)
    invocations = a.invocations or (15 if q else 50)
    warmup = 5
    cg_py = None if q else (10, 210)    # calls for the two callgrind runs; Python
    cg_c = (10, 60) if q else (20, 220)  # under valgrind is slow: not in --quick
    cg_lua = cg_c
    if min(calls, c_calls, rounds, invocations) < 1:
        ap.error("counts must be positive")

    loop_calls = a.loop_calls or (500 if q else 2000)
    build_dir = os.path.abspath(a.build_dir)
    out_dir = os.path.join(build_dir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    if a.loop_only:
        return main_loop_only(a, build_dir, out_dir, rounds, loop_calls, cg_c)
    for need in ("cli/swng", "python/swng/__init__.py"):
        if not os.path.exists(os.path.join(build_dir, need)):
            raise BenchError("no %s in %s: configure with -DSWNG_BUILD_PYTHON=ON and build "
                             "(see bench/README.md)" % (need, build_dir))
    if not shutil.which("curl"):
        raise BenchError("curl is not installed")
    have_valgrind = shutil.which("valgrind") is not None and not a.no_callgrind
    t_start = time.monotonic()

    info = machine_info()
    log("compiling the C clients ...")
    swng_bin, curl_bin, spawn_bin = build_c(build_dir, out_dir)
    py, py_note = python_for_clients(build_dir, out_dir)
    py_env = clean_env({"PYTHONPATH": os.path.join(build_dir, "python"),
                        "PYTHONDONTWRITEBYTECODE": "1",
                        # the same dict layouts every run: steadier callgrind counts
                        "PYTHONHASHSEED": "0"})
    swng_mod = module_version(py, py_env, "swng")
    if not swng_mod or not swng_mod[1].startswith(build_dir):
        raise BenchError("the swng module does not come from %s: %r" % (build_dir, swng_mod))
    req_mod = module_version(py, py_env, "requests")
    py_clients = list(PY_CLIENTS)
    skipped = []
    if not req_mod:
        skipped.append("requests.Session: requests could not be installed or imported; "
                       "column skipped")
        py_clients = [c for c in py_clients if c[0] != "requests"]
    hosts, lua_skipped = lua_hosts(build_dir, out_dir)
    if a.no_luajit:
        hosts = [h for h in hosts if h[0] != "luajit"]
    skipped += lua_skipped
    lua_versions = {}
    for key, exe, env, _ in hosts:
        p = run([exe, "-e", 'local s = require "swng"; print(s.version, '
                 'package.searchpath("swng", package.cpath), jit and jit.version or _VERSION)'],
                env=env)
        version, where, interp = p.stdout.strip().split("\t")
        if not os.path.realpath(where).startswith(build_dir):
            raise BenchError("%s loads swng from %s, not from %s" % (exe, where, build_dir))
        lua_versions[key] = "%s (swng %s)" % (interp, version)
    info.update(swng=swng_mod[0], requests=req_mod[0] if req_mod else None,
                client_python=py, client_python_note=py_note, lua=lua_versions,
                curl=run(["curl", "--version"]).stdout.splitlines()[0])

    results = {"info": info, "settings": {
        "calls": calls, "c_calls": c_calls, "lua_calls": calls, "rounds": rounds,
        "invocations": invocations, "warmup": warmup, "targets": TARGETS,
        "command": "python3 " + " ".join(shlex.quote(x) for x in sys.argv)}}

    with start_space(allow_duplicates=True) as space:
        group = space.fixture["number_groups"][0]["id"]
        phone = space.fixture["phone_numbers"][1]["id"]   # the one with a UTF-8 name
        tail = [space.base_url, space.project_id, space.token, group, phone]
        client_py = os.path.join(HERE, "py", "client.py")
        client_lua = os.path.join(HERE, "lua", "client.lua")

        t = time.monotonic()
        log("1-3. Python, C, Lua: %d rounds, every client once per round (%d calls Python "
            "and Lua, %d C) ..." % (rounds, calls, c_calls))
        clients = [("python", k, [py, client_py, k], py_env, calls) for k, _ in py_clients]
        clients.append(("python", "baseline", [py, client_py, "baseline"], py_env, calls))
        clients += [("c", "swng", [swng_bin], clean_env(), c_calls),
                    ("c", "libcurl", [curl_bin], clean_env(), c_calls)]
        for key, exe, env, _ in hosts:
            clients.append(("lua", key, [exe, client_lua, "swng"], env, calls))
            clients.append(("lua", "baseline-" + key, [exe, client_lua, "baseline"], env, calls))
        paired = {("c", "swng"), ("python", "swng"), ("python", "httpclient"),
                  ("python", "requests")} | {("lua", key) for key, _, _, _ in hosts}
        raw = per_call_rows(space, clients, rounds, warmup, tail, paired,
                            ([curl_bin], clean_env(), c_calls))
        py_rows = {k: summarize(v) for k, v in raw["python"].items()}
        c_rows = {k: summarize(v) for k, v in raw["c"].items()}
        lua_rows = {k: summarize(v) for k, v in raw.get("lua", {}).items()}
        results["python"] = {"summary": py_rows, "samples": raw["python"]}
        results["c"] = {"summary": c_rows, "samples": raw["c"]}
        results["lua"] = {"summary": lua_rows, "samples": raw.get("lua", {})}

        log("   %.0f s" % (time.monotonic() - t))
        t = time.monotonic()
        log("4. command: %d invocations of each ..." % invocations)
        cli = cli_rows(space, build_dir, spawn_bin, out_dir, invocations, group, phone)
        results["cli"] = cli

        cg = {"c": {}, "python": {}, "lua": {}, "cli": {}}
        log("   %.0f s" % (time.monotonic() - t))
        t = time.monotonic()
        if have_valgrind:
            log("5. callgrind: C and Lua %d/%d calls, Python %s calls, 1 invocation per "
                "command ..." % (cg_c + ("%d/%d" % cg_py if cg_py else "(skipped: --quick)",)))
            for key, binary in (("swng", swng_bin), ("libcurl", curl_bin)):
                cg["c"][key], _ = callgrind_per_call(space, [binary], tail, clean_env(),
                                                     *cg_c, out_dir)
            for key, _ in (py_clients if cg_py else []):
                cg["python"][key], _ = callgrind_per_call(
                    space, [py, client_py, key], tail, py_env, *cg_py, out_dir)
            for key, exe, env, label in hosts:
                try:
                    cg["lua"][key], _ = callgrind_per_call(
                        space, [exe, client_lua, "swng"], tail, env, *cg_lua, out_dir)
                except BenchError as e:   # LuaJIT and valgrind do not always agree
                    skipped.append("callgrind of %s: %s" % (label, str(e).splitlines()[0]))
            (swng_argv, swng_env), (curl_argv, curl_env) = cli_commands(build_dir, space,
                                                                        group, phone)
            for key, argv, env in (("swng", swng_argv, swng_env), ("curl", curl_argv, curl_env)):
                (ir, out), _ = checked(space, 1, lambda: callgrind_ir(argv, env, out_dir))
                if key == "curl":
                    out = out.rpartition("\n")[0]
                verify_membership_json(out, group, phone, key + " under callgrind")
                cg["cli"][key] = ir
            log("   %.0f s" % (time.monotonic() - t))
        else:
            skipped.append("callgrind: %s" % ("--no-callgrind" if a.no_callgrind
                                               else "valgrind is not installed"))
        results["callgrind"] = cg

        t = time.monotonic()
        log("7. non-blocking, %d in flight: %d rounds of %d requests ..."
            % (LOOP_INFLIGHT, rounds, loop_calls))
        loop_swng, loop_curl = build_c_loop(build_dir, out_dir)
        results["loop"] = loop_section(space, loop_swng, loop_curl, rounds, loop_calls, tail,
                                       cg_c if have_valgrind else None, out_dir)
        log("   %.0f s" % (time.monotonic() - t))

    labels = [("c", "libcurl", "raw libcurl+cJSON, C (reference)", None),
              ("c", "swng", "C libswng", "c"),
              ("python", "swng", "Python swng.Client", "python")]
    labels += [("lua", key, label.replace(" module", "").replace(" (5.1)", ""), "lua")
               for key, _, _, label in hosts]
    labels += [("python", "httpclient", "(Python http.client)", None),
               ("python", "requests", "(Python requests.Session)", None)]
    vs_curl = against_libcurl(raw, cg, labels)
    results["against_libcurl"] = vs_curl

    elapsed = time.monotonic() - t_start
    results["elapsed_s"] = elapsed

    print("swng benchmarks, %s" % info["date"])
    print("machine: %s, %s CPUs, Linux %s; client Python %s (%s)"
          % (info["cpu"], info["cpus"], info["kernel"], info["python"], py_note))
    print("swng %s, requests %s, %s" % (info["swng"], info["requests"] or "-", info["curl"]))
    if lua_versions:
        print("Lua: %s" % ", ".join(lua_versions[k] for k, _, _, _ in hosts))
    print("command: %s" % results["settings"]["command"])
    print()
    print("ratio = the alternative's number / swng's number (above 1: swng uses less),")
    print("except in section 6. CPU = user+system time of the client process only (the")
    print("space is a separate process); medians over fresh-process rounds, (min-max)")
    print("over rounds. Sections 1-3 ran in one loop: every client once per round.")
    print()
    print("1. Python, %d sequential calls per run, %d warm-up calls not counted, %d rounds"
          % (calls, warmup, rounds))
    labels = py_clients + [("baseline", "(bare interpreter)")]
    print(per_call_table(py_rows, "swng", labels, cg["python"] or None))
    print("   http.client and urllib.request are the standard library; urllib.request opens a")
    print("   new connection per call (conns = TCP connections the space saw).")
    print("   setup ms = CPU to import the library and make the client. Peak RSS includes the")
    print("   interpreter and every shared library mapped (for swng: libcurl and its")
    print("   dependencies); anon = heap memory only (RssAnon) at the end, client still open.")
    print()
    print("2. C, %d sequential calls per run, %d warm-up calls not counted, %d rounds"
          % (c_calls, warmup, rounds))
    print(per_call_table(c_rows, "swng", [("swng", "libswng"),
                                          ("libcurl", "libcurl+cJSON by hand")],
                         cg["c"] or None))
    if cg["c"]:
        d = cg["c"]["swng"] - cg["c"]["libcurl"]
        print("   libswng over raw libcurl: {:+,.0f} instructions per call ({:+.1f}%), callgrind."
              .format(d, 100.0 * d / cg["c"]["libcurl"]))
    print("   setup ms = CPU in main() until the client is ready (library init, client).")
    print()
    if hosts:
        print("3. Lua, client:create_membership(), %d sequential calls per run, %d warm-up "
              "calls not counted, %d rounds" % (calls, warmup, rounds))
        lua_labels = []
        for key, _, _, label in hosts:
            lua_labels.append((key, label))
        for key, exe, _, _ in hosts:
            lua_labels.append(("baseline-" + key, "(bare %s)" % os.path.basename(exe)))
        print(per_call_table(lua_rows, hosts[0][0], lua_labels, cg["lua"] or None))
        print("   ratio here: against %s. There is no common Lua HTTP client to compare"
              % hosts[0][3])
        print("   with; section 6 compares with the raw libcurl C loop. setup ms = CPU to")
        print("   require \"swng\" and make the client.")
    else:
        print("3. Lua: SKIPPED (see below)")
    print()
    print("4. The command, one process per call (fork/exec, dynamic linking, TLS init "
          "included), %d invocations each, interleaved" % invocations)
    rows = []
    for key, label in (("swng", "swng create-membership"), ("curl", "curl -u ... -d ...")):
        s = cli[key]
        row = [label, fmt(s["cpu"] / 1000, 2),
               "%s-%s" % (fmt(s["cpu_min"] / 1000, 2), fmt(s["cpu_max"] / 1000, 2)),
               ratio(s["cpu"], cli["swng"]["cpu"]), fmt(s["wall"] / 1000, 2),
               ratio(s["wall"], cli["swng"]["wall"]), fmt(s["rss_kb"] / 1024),
               ratio(s["rss_kb"], cli["swng"]["rss_kb"])]
        if cg["cli"]:
            row += [fmt(cg["cli"][key] / 1e6, 2), ratio(cg["cli"][key], cg["cli"]["swng"])]
        rows.append(row)
    headers = ["command", "CPU ms/run", "(min-max)", "ratio", "wall ms/run", "ratio",
               "peak RSS MiB", "ratio"]
    if cg["cli"]:
        headers += ["M Ir/run", "ratio"]
    print(table(headers, rows))
    print()
    if cg["c"]:
        print("5. Ir = instructions executed by the client process (valgrind --tool=callgrind),")
        print("per call = (Ir of %d calls - Ir of %d calls) / %d for C and Lua%s;"
              % (cg_c[1], cg_c[0], cg_c[1] - cg_c[0],
                 ", (%d - %d) / %d for Python" % (cg_py[1], cg_py[0], cg_py[1] - cg_py[0])
                 if cg_py else " (Python: not in --quick)"))
        print("per run (commands) = one whole process. Repeatable to about 1% (C) and a few %")
        print("(Python) from run to run, whatever the load on the machine.")
        print()
    print("6. Against raw libcurl: create-membership, client CPU per call as a ratio to the")
    print("raw libcurl C loop of section 2 (one reused easy handle, body built per call,")
    print("cJSON parse). Here x raw = the client's number / raw libcurl's (above 1: the")
    print("binding costs more). CPU x raw: median and (min-max) over rounds of the ratio")
    print("of each run to a run of the raw libcurl loop right next to it (before it in")
    print("even rounds, after it in odd ones); Ir x raw: callgrind.")
    print(against_libcurl_table(vs_curl))
    print("   * the min-max over rounds spans the target: not decided by this run's CPU time.")
    print("   Rows in parentheses are context, without a target.")
    for r in vs_curl:
        if r["target"]:
            line = "   %s: target <= %.2fx; CPU %.2fx, %s" % (r["label"], r["target"], r["ratio"],
                                                             gap(r["ratio"], r["target"]))
            if r["ir_ratio"]:
                line += "; Ir %.2fx, %s" % (r["ir_ratio"], gap(r["ir_ratio"], r["target"]))
            print(line)
    print()
    print_loop_section(results["loop"], cg_c if have_valgrind else None)
    print()
    for s in skipped:
        print("SKIPPED: " + s)
    print("every result verified (HTTP 200, ids echoed); the space saw exactly the expected "
          "requests. %.0f s." % elapsed)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


def main_loop_only(a, build_dir, out_dir, rounds, loop_calls, cg_c):
    """--loop-only: section 7 alone (the core library is all it needs)."""
    if not os.path.exists(os.path.join(build_dir, "core", "libswng.so")):
        raise BenchError("no %s/core/libswng.so: build first (see bench/README.md)" % build_dir)
    have_valgrind = shutil.which("valgrind") is not None and not a.no_callgrind
    info = machine_info()
    t0 = time.monotonic()
    log("compiling the section 7 clients ...")
    loop_swng, loop_curl = build_c_loop(build_dir, out_dir)
    cg = cg_c if have_valgrind else None
    with start_space(allow_duplicates=True) as space:
        group = space.fixture["number_groups"][0]["id"]
        phone = space.fixture["phone_numbers"][1]["id"]
        tail = [space.base_url, space.project_id, space.token, group, phone]
        log("7. non-blocking, %d in flight: %d rounds of %d requests ..."
            % (LOOP_INFLIGHT, rounds, loop_calls))
        res = loop_section(space, loop_swng, loop_curl, rounds, loop_calls, tail, cg, out_dir)
    print("swng benchmarks (section 7 only), %s" % info["date"])
    print("machine: %s, %s CPUs, Linux %s" % (info["cpu"], info["cpus"], info["kernel"]))
    print("command: python3 " + " ".join(shlex.quote(x) for x in sys.argv))
    print()
    print_loop_section(res, cg)
    print()
    print("every result verified (HTTP 200, ids echoed); the space saw exactly the expected "
          "requests. %.0f s." % (time.monotonic() - t0))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"info": info, "loop": res}, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit("bench: %s" % e)
