#!/usr/bin/env python3
"""Concurrent requests and Ctrl-C: what swng.AsyncClient costs with 16
create-membership calls in flight, against aiohttp and httpx with 16 in
flight and the same calls written on raw libcurl multi in C; and how soon
Ctrl-C ends a blocking swng.Client call.

    python3 bench/inflight.py --build-dir _build/bench [--calls 2000]
        [--concurrency 16] [--rounds 5] [--ctrl-c 10] [--json FILE]

Needs the build (the Python module, BUILD/python), cc with the libcurl and
cJSON headers; aiohttp and httpx are pip-installed into BUILD/bench/venv
with requests (run.py's python_for_clients), a column is SKIPPED if one
cannot be. Every client runs in a fresh process, `rounds` times, the order
rotated each round; the space (started with --allow-duplicates) is reset
before each run and its journal must then show exactly warm-up + calls
POSTs, all answered 200. CPU per call is the client process's own user +
system time over the timed calls (the space is another process). Ctrl-C:
a child process blocks in create_membership against a `delay` fault (a
stalled transfer) or in a retry wait (503 with Retry-After), the harness
sends SIGINT, and the child reports when KeyboardInterrupt reached Python
code (CLOCK_MONOTONIC, shared by both processes); the journal must show no
request after the signal.
"""

import argparse
import importlib.util
import json
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
_spec = importlib.util.spec_from_file_location("bench_run", os.path.join(HERE, "run.py"))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)
start_space = bench.start_space
BenchError = bench.BenchError
log = bench.log

PY_IMPLS = [("swng_async", "swng.AsyncClient", "swng"),
            ("aiohttp", "aiohttp.ClientSession", "aiohttp"),
            ("httpx", "httpx.AsyncClient", "httpx")]


def build_multi(out_dir, conc):
    """The raw libcurl multi reference of bench/run.py (bench_loop_curl.c),
    built for `conc` transfers in flight."""
    try:
        deps = bench.run(["pkg-config", "--cflags", "--libs", "libcurl", "libcjson"]).stdout.split()
    except (BenchError, OSError):
        deps = ["-lcurl", "-lcjson"]
    out = os.path.join(out_dir, "bench_loop_curl_%d" % conc)
    bench.run([os.environ.get("CC", "cc"), "-O2", "-Wall", "-Wextra", "-Werror",
               "-DINFLIGHT=%d" % conc, "-o", out, os.path.join(HERE, "c", "bench_loop_curl.c")]
              + deps)
    return out


def one_run(space, argv, env, expected):
    def go():
        return bench.run_json_client(argv, env)
    result, conns = bench.checked(space, expected, go)
    result["conns"] = conns
    return result


def fmt(xs, scale=1.0, digits=1):
    xs = [x * scale for x in xs]
    return "%.*f (%.*f-%.*f)" % (digits, statistics.median(xs), digits, min(xs), digits, max(xs))


def ctrl_c(space, py, env, times):
    """Latencies (s) of Ctrl-C in a stalled transfer and in a retry wait."""
    child = os.path.join(ROOT, "tests", "python", "interrupt_child.py")
    out = {"stalled transfer": [], "retry wait": []}
    for _ in range(times):
        for case, retries in (("stalled transfer", 0), ("retry wait", 3)):
            space.reset()
            if retries:
                space.fault("status", status=503, retry_after="3")
            else:
                space.fault("delay", seconds=5)
            p = subprocess.Popen([py, child, space.base_url, space.project_id, space.token,
                                  str(retries), "get", "default"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env)
            if p.stdout.readline().strip() != "ready":
                raise BenchError("interrupt child: %s" % p.communicate()[1][-2000:])
            deadline = time.monotonic() + 10
            while not space.journal():
                if time.monotonic() > deadline:
                    raise BenchError("interrupt child: no request")
                time.sleep(0.01)
            time.sleep(0.3)
            wall, t0 = time.time(), time.monotonic()
            p.send_signal(signal.SIGINT)
            words = p.communicate(timeout=30)[0].split()
            if words[:2] != ["raised", "KeyboardInterrupt"]:
                raise BenchError("interrupt child: %r" % words)
            out[case].append(float(words[-1]) - t0)
            time.sleep(0.2)
            if [e for e in space.journal() if e["time"] >= wall]:
                raise BenchError("a request was sent after Ctrl-C (%s)" % case)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ctrl-c", type=int, default=10, help="Ctrl-C runs per case")
    ap.add_argument("--json")
    args = ap.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    out_dir = os.path.join(build_dir, "bench")
    os.makedirs(out_dir, exist_ok=True)
    multi = build_multi(out_dir, args.concurrency)
    py, note = bench.python_for_clients(build_dir, out_dir)
    env = bench.clean_env({"PYTHONPATH": os.path.join(build_dir, "python"),
                           "PYTHONDONTWRITEBYTECODE": "1"})
    client_py = os.path.join(HERE, "py", "inflight.py")
    impls, skipped = [], []
    for key, label, mod in PY_IMPLS:
        if bench.module_version(py, env, mod) is None:
            skipped.append("%s: %s cannot be imported in %s" % (label, mod, py))
        else:
            impls.append((key, label))
    conc, calls = args.concurrency, args.calls
    warm = conc
    samples = {}
    with start_space(allow_duplicates=True) as space:
        group = space.fixture["number_groups"][0]["id"]
        phone = space.fixture["phone_numbers"][1]["id"]
        tail = [space.base_url, space.project_id, space.token, group, phone]
        clients = [("c-multi", "raw libcurl multi (C)",
                    [multi, str(calls), str(warm)] + tail, bench.clean_env())]
        clients += [(key, label, [py, client_py, key, str(conc), str(calls), str(warm)] + tail,
                     env) for key, label in impls]
        for r in range(args.rounds):
            order = clients[r % len(clients):] + clients[:r % len(clients)]
            for key, label, argv, cenv in order:
                log("round %d: %s" % (r + 1, label))
                samples.setdefault(key, []).append(one_run(space, argv, cenv, warm + calls))
        latencies = ctrl_c(space, py, env, args.ctrl_c) if args.ctrl_c else {}

    print("\n%d create-membership calls, %d in flight, %d rounds (fresh process each), "
          "%s; python %s" % (calls, conc, args.rounds, note, sys.version.split()[0]))
    print("\n| client | CPU us/call | x raw multi (per round) | wall us/call | conns | "
          "max OS threads |")
    print("| --- | --- | --- | --- | --- | --- |")
    ref = [s["cpu_us"] / s["calls"] for s in samples["c-multi"]]
    for key, label, _, _ in clients:
        cpu = [s["cpu_us"] / s["calls"] for s in samples[key]]
        ratio = [c / r for c, r in zip(cpu, ref)]
        wall = [s["wall_us"] / s["calls"] for s in samples[key]]
        threads = max(s.get("threads", 1) for s in samples[key])
        print("| %s | %s | %s | %s | %s | %s |" % (
            label, fmt(cpu), fmt(ratio, digits=2), fmt(wall),
            "/".join(str(s["conns"]) for s in samples[key]),
            threads if key != "c-multi" else "1"))
    for s in skipped:
        print("SKIPPED %s" % s)
    if latencies:
        print("\nCtrl-C in a blocking swng.Client call -> KeyboardInterrupt in Python, "
              "%d runs each (ms, median (min-max)); nothing sent after it:" % args.ctrl_c)
        for case, xs in latencies.items():
            print("  %-17s %s" % (case, fmt(xs, 1000.0, 2)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"samples": samples, "ctrl_c": latencies}, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit("bench: %s" % e)
