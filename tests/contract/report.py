#!/usr/bin/env python3
"""The contract report: per language, how many requests Prism validated, how
many responses of each status were checked, and the violations (zero, or
the command fails).

    python3 tests/contract/report.py --build-dir BUILD [--jobs 2] [--parts LIST]
        runs every part that BUILD has (run_contract.py), then prints the report
    python3 tests/contract/report.py --build-dir BUILD --collect [--require LIST]
        only prints the report from the results the parts already wrote
        (ctest runs the parts as separate tests, then this)

Exit status: 0 when every part passed with zero violations; 1 otherwise
(a violation, a failed check, or a required part without results).
"""

import sys

sys.dont_write_bytecode = True  # nothing written into the source tree

import argparse  # noqa: E402
import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
STATUS_COLUMNS = (200, 204, 400, 401, 404, 422, 500)
ORDER = ["cli", "c", "python", "lua5.4", "lua5.3", "lua5.1", "luajit", "referee", "family"]


def _cache(build):
    values = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^([A-Za-z0-9_]+):[A-Z]+=(.*)$", line.rstrip("\n"))
                if m:
                    values[m.group(1)] = m.group(2)
    except OSError:
        pass
    return values


def available_parts(build):
    """The parts this build directory can run, from its CMake cache."""
    cache = _cache(build)
    on = lambda name: cache.get(name, "OFF").upper() in ("ON", "1", "TRUE", "YES")  # noqa: E731
    parts = ["referee", "family", "c"]
    if cache.get("SWNG_BUILD_CLI", "ON").upper() not in ("OFF", "0", "FALSE", "NO"):
        parts.insert(0, "cli")
    if on("SWNG_BUILD_PYTHON"):
        parts.append("python")
    if on("SWNG_BUILD_LUA"):
        versions = cache.get("SWNG_LUA_VERSIONS", "5.1;5.3;5.4").split(";")
        for v in ("5.4", "5.3", "5.1"):
            if v in versions and shutil.which("lua" + v):
                parts.append("lua" + v)
        if "5.1" in versions and shutil.which("luajit"):
            parts.append("luajit")
    return sorted(parts, key=ORDER.index)


def format_part(r):
    """The report lines of one part's result (also printed by run_contract.py)."""
    lines = []
    phases = [ph for ph in ("mock", "mock-family", "space", "space-lenient", "family",
                            "family-lenient") if ph in r.get("phases", {})]
    for phase in phases:
        s = r.get("phases", {}).get(phase)
        if s is None:
            continue
        st = s["statuses"]
        other = {k: v for k, v in st.items() if int(k) not in STATUS_COLUMNS}
        cols = ["%5s" % st.get(str(c), 0) for c in STATUS_COLUMNS]
        extra = []
        if other:
            extra.append("other " + " ".join("%s:%s" % kv for kv in sorted(other.items())))
        if s["beyond_contract"]:
            extra.append("beyond-contract " + " ".join(
                "%s:%s" % kv for kv in sorted(s["beyond_contract"].items())))
        if s["refused"]:
            extra.append("refused-by-prism %d" % s["refused"])
        if s["not_sent"]:
            extra.append("refused-by-client %d" % s["not_sent"])
        if s["negative_controls"]:
            extra.append("negative-controls-caught %d" % s["negative_controls"])
        if phase == phases[-1] and r.get("skipped"):
            extra.append("skipped %d cases of %d operations this face does not have yet"
                         % (sum(r["skipped"].values()), len(r["skipped"])))
        lines.append("%-8s %-14s %8d %s %10d  %-4s %s" % (
            r["part"], phase, s["requests"], " ".join(cols), s["violations"],
            "ok" if r.get("ok") else "FAIL", "; ".join(extra)))
    if not lines:
        lines.append("%-8s %-14s %8s %s %10s  %-4s %s" % (
            r["part"], "-", "-", " ".join("%5s" % "-" for _ in STATUS_COLUMNS), "-", "FAIL",
            "; ".join(r.get("failures", [])[:1])))
    return "\n".join(lines)


def header():
    return "%-8s %-14s %8s %s %10s  %-4s %s" % (
        "part", "phase", "requests", " ".join("%5s" % c for c in STATUS_COLUMNS),
        "violations", "", "notes")


def run_parts(build, parts, results, jobs, extra):
    def one(part):
        cmd = [sys.executable, os.path.join(HERE, "run_contract.py"), "--build-dir", build,
               "--part", part, "--results", results] + extra
        t = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        return part, p.returncode, p.stdout + p.stderr, time.monotonic() - t

    # Prism is installed once, before parts start in parallel.
    sys.path.insert(0, HERE)
    from prism import ensure_prism
    ensure_prism(install="--no-install" not in extra)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for part, rc, out, secs in pool.map(one, parts):
            print("contract: %s %s (%.1f s)" % (part, "passed" if rc == 0 else "FAILED", secs),
                  file=sys.stderr, flush=True)
            if rc != 0:
                sys.stderr.write(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="swng contract report")
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--results", help="default BUILD/tests/contract/results")
    ap.add_argument("--collect", action="store_true",
                    help="do not run anything; report the results already written")
    ap.add_argument("--parts", help="comma-separated parts to run (default: all this build has)")
    ap.add_argument("--require", help="comma-separated parts that must have results "
                    "(default: the parts run, or all this build has)")
    ap.add_argument("--jobs", type=int, default=2, help="parts run in parallel (default 2)")
    ap.add_argument("--repeat", type=int, help="passed on to run_contract.py")
    ap.add_argument("--python", help="passed on to run_contract.py")
    ap.add_argument("--no-install", action="store_true", help="passed on to run_contract.py")
    args = ap.parse_args(argv)
    build = os.path.abspath(args.build_dir)
    results = os.path.abspath(args.results or os.path.join(build, "tests", "contract", "results"))
    parts = args.parts.split(",") if args.parts else available_parts(build)
    required = args.require.split(",") if args.require else parts

    if not args.collect:
        os.makedirs(results, exist_ok=True)
        for part in parts:  # no stale results from an earlier run
            path = os.path.join(results, part + ".json")
            if os.path.exists(path):
                os.unlink(path)
        extra = []
        if args.repeat is not None:
            extra += ["--repeat", str(args.repeat)]
        if args.python:
            extra += ["--python", args.python]
        if args.no_install:
            extra.append("--no-install")
        run_parts(build, parts, results, args.jobs, extra)

    found = {}
    for name in sorted(os.listdir(results)) if os.path.isdir(results) else []:
        if name.endswith(".json") and not name.endswith(".exchanges.json"):
            with open(os.path.join(results, name), encoding="utf-8") as f:
                r = json.load(f)
            found[r["part"]] = r
    # Only the parts asked for: results of other parts (an earlier run) do not count.
    shown = sorted(set(required), key=lambda p: ORDER.index(p) if p in ORDER else 99)
    found = {p: r for p, r in found.items() if p in shown}

    version = next((r.get("prism_version") for r in found.values() if r.get("prism_version")), "?")
    specs = sorted({r.get("spec") for r in found.values() if r.get("spec")}) or [
        "spec/number-group-memberships.openapi.yaml"]
    print("swng contract report: Prism %s (mock --errors; proxy --errors in front of the "
          "emulated space), spec %s" % (version, ", ".join(specs)))
    print(header())
    totals, violations, failures, missing = {}, 0, 0, []
    requests = 0
    for part in shown:
        r = found.get(part)
        if r is None:
            missing.append(part)
            print("%-8s %-14s no results%s" % (part, "-", " (required)" if part in required else ""))
            continue
        print(format_part(r))
        for s in r.get("phases", {}).values():
            requests += s["requests"]
            violations += s["violations"]
            for k, v in s["statuses"].items():
                totals[k] = totals.get(k, 0) + v
            for k, v in s["beyond_contract"].items():
                totals["%s*" % k] = totals.get("%s*" % k, 0) + v
        failures += len(r.get("failures", []))
    print("total: %d requests validated by Prism; responses checked by status: %s; "
          "%d violations; %d failed checks"
          % (requests, ", ".join("%s: %d" % kv for kv in sorted(totals.items())),
             violations, failures))
    warnings = sorted({w for r in found.values() for s in r.get("phases", {}).values()
                       for w in s.get("beyond_contract_warnings", [])})
    if warnings:
        print("(* beyond the contract, which lists 200/204/400/401/404/422/500 only; "
              "Prism warned: %s)"
              % "; ".join(warnings))
    for part in shown:
        for line in (found.get(part) or {}).get("failures", [])[:10]:
            print("FAIL %s %s" % (part, line))
    bad_required = [p for p in missing if p in required]
    if bad_required:
        print("FAIL no results for: %s" % ", ".join(bad_required))
    ok = not violations and not failures and not bad_required
    print("result: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
