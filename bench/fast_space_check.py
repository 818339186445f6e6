#!/usr/bin/env python3
"""Checks bench/c/fast_space.c by hand: answers that the emulated space
would give (same JSON for the same add), partial reads, pipelining, a client
that does not read (partial writes), auth, 404, duplicates, the counters.

    python3 bench/fast_space_check.py --build-dir _build     # after bench/bulk.py built it

Exits non-zero on the first difference.
"""

import argparse
import base64
import json
import os
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import bulk  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "space"))
from spaceclient import start_space  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", required=True)
    out = os.path.join(os.path.abspath(ap.parse_args().build_dir), "bench")
    fixture = os.path.join(out, "bulk-fixture.json")
    ids = open(os.path.join(out, "bulk-ids.txt")).read().split()
    with open(fixture, encoding="utf-8") as f:
        fx = json.load(f)
    group = fx["number_groups"][0]["id"]
    auth = base64.b64encode(("%s:%s" % (fx["project_id"], fx["token"])).encode()).decode()

    def req(pid, a=auth, g=group):
        body = json.dumps({"phone_number_id": pid}).encode()
        return ("POST /api/relay/rest/number_groups/%s/number_group_memberships HTTP/1.1\r\n"
                "Host: x\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % (g, a, len(body))).encode() + body

    def talk(port, chunks, want):
        s = socket.create_connection(("127.0.0.1", port))
        for c in chunks:
            s.sendall(c)
            time.sleep(0.01)
        got = b""
        s.settimeout(5)
        while len(re.findall(rb"HTTP/1\.1 \d+", got)) < len(want) or not got.endswith(b"}"):
            d = s.recv(65536)
            if not d:
                break
            got += d
        s.close()
        status = [int(x) for x in re.findall(rb"HTTP/1\.1 (\d+)", got)]
        if status != want:
            sys.exit("fast_space: got %s, want %s" % (status, want))
        return got

    def first_body(raw):
        return json.loads(raw.split(b"\r\n\r\n", 1)[1].split(b"HTTP/1.1")[0])

    # the emulated space's answer to the first number, as the template
    with start_space(fixture=fixture) as sp:
        port = int(sp.base_url.rsplit(":", 1)[1])
        ref = first_body(talk(port, [req(ids[0])], [200]))
    fast = bulk.FastSpace(os.path.join(out, "fast_space"), fixture,
                          os.path.join(out, "bulk-numbers.tsv"))
    port = int(fast.base_url.rsplit(":", 1)[1])
    try:
        got = first_body(talk(port, [req(ids[0])], [200]))
        same = {k: v for k, v in got.items() if k not in ("id", "created_at", "updated_at")}
        want = {k: v for k, v in ref.items() if k not in ("id", "created_at", "updated_at")}
        if list(got) != list(ref) or same != want or len(got["id"]) != 36:
            sys.exit("fast_space: %r\nemulated space: %r" % (got, ref))
        talk(port, [req(ids[0])], [422])                                  # already a member
        d = req(ids[1]) + req(ids[2]) + req(ids[1])
        talk(port, [d[:-10], d[-10:]], [200, 200, 422])                   # pipelined, split body
        d = req(ids[3])
        talk(port, [d[:7], d[7:60], d[60:]], [200])                       # split head
        talk(port, [bytes([b]) for b in req(ids[4])], [200])              # byte by byte
        talk(port, [req(ids[5], a="eA==")], [401])
        talk(port, [req(ids[5], g=ids[5])], [404])
        s = socket.create_connection(("127.0.0.1", port))                 # a client that
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)           # reads late:
        s.sendall(b"".join(req(i) for i in ids[10:2010]))                 # partial writes
        time.sleep(0.2)
        got = b""
        s.settimeout(5)
        while got.count(b"HTTP/1.1 200") < 2000:
            d = s.recv(65536)
            if not d:
                break
            got += d
        if got.count(b"HTTP/1.1 200") != 2000:
            sys.exit("fast_space: %d of 2000 pipelined answers" % got.count(b"HTTP/1.1 200"))
        st = fast.stats()
        if (st["posts"], st["posts_200"], st["non_200"], st["members"]) != (2009, 2005, 4, 2005):
            sys.exit("fast_space: counters %r" % st)
        fast.reset()
        if fast.stats()["posts"] != 0:
            sys.exit("fast_space: reset did not clear the counters")
    finally:
        fast.stop()
    print("fast_space: same membership JSON as the emulated space; partial reads and writes, "
          "pipelining, 401/404/422 and counters OK")


if __name__ == "__main__":
    main()
