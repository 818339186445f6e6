"""The swng command's many-number form (issue 13 item 4): `swng members add
GROUP NUMBER...` / `members remove`, from the arguments, --from FILE or
stdin, run as a swng_batch: one JSON line per input (failures included), a
summary on stderr, exit 0 / 20 (some failed) / 21 (none succeeded) / 130
(Ctrl-C), --ignore-existing, --dry-run (GETs only), --parallel (the space's
peak in flight), memory bounded by --parallel and not by the input, and no
raw control character from the server or the input on stdout or stderr.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "space"))
from spaceclient import attach  # noqa: E402

SWNG = sys.argv.pop(1)
SPACE = attach()
TOKEN = os.environ["SWNG_TEST_TOKEN"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
SALES = FIXTURE["number_groups"][0]["id"]
PHONES = FIXTURE["phone_numbers"]
IDS = [p["id"] for p in PHONES]
SOME_FAILED, ALL_FAILED, CANCELLED = 20, 21, 130


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    e.update(SIGNALWIRE_PROJECT_ID=os.environ["SWNG_TEST_PROJECT_ID"],
             SIGNALWIRE_REST_BASE_URL=SPACE.base_url, SIGNALWIRE_API_TOKEN=TOKEN)
    return e


def run(*args, stdin=None):
    p = subprocess.run([SWNG, *args], env=env(), input=stdin, capture_output=True, timeout=120)
    out, err = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
    assert TOKEN not in out and TOKEN not in err, "token leaked"
    return p.returncode, out, err


def parse(out):
    """Every stdout line as JSON (each must parse), and no raw controls."""
    assert all(ord(ch) >= 0x20 for ch in out.replace("\n", "")), "raw control char on stdout"
    return [json.loads(line) for line in out.splitlines()]


def by_index(rows):
    d = {r["index"]: r for r in rows}
    assert len(d) == len(rows), "an index printed twice"
    return d


def members(group=SALES):
    return sorted(m["phone_number"]["id"] for m in SPACE.memberships()
                  if m["number_group_id"] == group)


def quiet_reset():
    """Resets the space once no request of an earlier test is still being
    served (a cancelled client's delayed requests would count in the next
    test's peak in flight)."""
    deadline = time.monotonic() + 15
    while SPACE.control("GET", "stats")["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
    SPACE.reset()
    SPACE.clear_faults()


def writes():
    return [e for e in SPACE.journal() if e["method"] in ("POST", "PUT", "DELETE")]


class BulkTest(unittest.TestCase):
    def setUp(self):
        quiet_reset()

    def test_many_arguments(self):
        args = IDS[:4] + [PHONES[4]["number"], PHONES[5]["number"]]
        rc, out, err = run("members", "add", SALES, *args)
        self.assertEqual(rc, 0, err)
        rows = by_index(parse(out))
        self.assertEqual(sorted(rows), list(range(6)))
        for i, r in rows.items():
            self.assertEqual(r["input"], args[i])
            self.assertEqual(r["outcome"], "ok")
            self.assertEqual(r["phone_number_id"], IDS[i])
            self.assertEqual(r["membership"]["phone_number"]["id"], IDS[i])
            self.assertEqual(r["membership"]["number_group_id"], SALES)
            self.assertIs(r["existed"], False)
            self.assertNotIn("error", r)
        self.assertEqual(members(), sorted(IDS[:6]))
        self.assertEqual(err, "swng: 6 added, 0 failed\n")
        # the group by name works too
        rc, out, err = run("members", "add", "--group-name", "Support", IDS[0], IDS[1])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(members(FIXTURE["number_groups"][1]["id"])), 2)

    def test_one_number_keeps_the_single_form(self):
        rc, out, err = run("members", "add", SALES, IDS[0])
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(json.loads(out)["phone_number"]["id"], IDS[0])  # the membership itself
        rc, out, err = run("members", "add", SALES, IDS[0])
        self.assertEqual(rc, 5, err)  # validation, as before
        self.assertEqual(out, "")

    def test_from_file_skips_blank_lines_and_comments(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("# sales numbers\n\n%s\n  %s  \r\n\t\n   # indented comment\n%s"
                    % (IDS[0], PHONES[1]["number"], IDS[2]))  # no final newline
        try:
            rc, out, err = run("members", "add", SALES, "--from", f.name)
            self.assertEqual(rc, 0, err)
            rows = by_index(parse(out))
            self.assertEqual([rows[i]["input"] for i in range(3)],
                             [IDS[0], PHONES[1]["number"], IDS[2]])
            self.assertEqual(members(), sorted(IDS[:3]))
            # remove, from the same file, read on stdin
            with open(f.name, "rb") as again:
                rc, out, err = run("members", "remove", SALES, "-", stdin=again.read())
            self.assertEqual(rc, 0, err)
            self.assertEqual([r["outcome"] for r in parse(out)], ["ok"] * 3)
            self.assertEqual(members(), [])
            self.assertIn("3 removed", err)
        finally:
            os.unlink(f.name)
        rc, out, err = run("members", "add", SALES, "--from", "/nonexistent/numbers.txt")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("cannot open /nonexistent/numbers.txt", err)

    def test_partial_failure_lines_and_exit_status(self):
        unknown = str(uuid.uuid4())
        args = [IDS[0], unknown, "not-a-uuid", "+15550009999", IDS[1], IDS[0]]
        rc, out, err = run("members", "add", SALES, *args)
        self.assertEqual(rc, SOME_FAILED, err)
        rows = by_index(parse(out))
        self.assertEqual([rows[i]["outcome"] for i in range(6)],
                         ["ok", "validation", "invalid_argument", "not_found", "ok", "skipped"])
        v = rows[1]["error"]
        self.assertEqual((v["code"], v["http_status"]), ("validation", 422))
        self.assertTrue(v["request_id"])
        self.assertEqual(v["items"][0]["code"], "phone_number_not_found")
        self.assertIsNone(rows[3]["phone_number_id"])  # an E.164 that could not be resolved
        self.assertEqual(rows[3]["error"]["code"], "not_found")
        self.assertIn("input 0", rows[5]["error"]["message"])  # a duplicate of input 0
        self.assertEqual(rows[5]["error"]["duplicate_of"], 0)
        for i, r in rows.items():
            if r["outcome"] != "ok":
                self.assertEqual(set(r["error"]),
                                 {"code", "message", "http_status", "request_id", "items"} |
                                 ({"duplicate_of"} if i == 5 else set()))
                self.assertNotIn("membership", r)
        self.assertEqual(err, "swng: 2 added, 1 skipped, 3 failed (1 invalid_argument, "
                              "1 not_found, 1 validation)\n")
        self.assertEqual(members(), sorted(IDS[:2]))
        # none succeeded: 21
        rc, out, err = run("members", "add", SALES, unknown, "nope")
        self.assertEqual(rc, ALL_FAILED, err)
        self.assertEqual(len(parse(out)), 2)

    def test_ignore_existing_rerun_succeeds_for_all(self):
        rc, out, err = run("members", "add", SALES, *IDS[:5])
        self.assertEqual(rc, 0, err)
        first = {r["input"]: r["membership"]["id"] for r in parse(out)}
        rc, out, err = run("members", "add", SALES, *IDS[:5])
        self.assertEqual(rc, ALL_FAILED, err)
        self.assertEqual({r["error"]["items"][0]["code"] for r in parse(out)}, {"already_member"})
        rc, out, err = run("members", "add", "--ignore-existing", SALES, *IDS[:7])
        self.assertEqual(rc, 0, err)
        rows = parse(out)
        self.assertEqual(len(rows), 7)
        for r in rows:
            self.assertEqual(r["outcome"], "ok")
            self.assertEqual(r["existed"], r["input"] in first)
            if r["input"] in first:
                self.assertEqual(r["membership"]["id"], first[r["input"]])
        self.assertIn("7 added (5 already there)", err)
        self.assertEqual(members(), sorted(IDS[:7]))

    def test_dry_run_sends_no_change(self):
        run("members", "add", SALES, IDS[0], IDS[1])
        SPACE.clear_journal()
        unknown = str(uuid.uuid4())
        args = [IDS[2], PHONES[3]["number"], unknown, "+15550009999", "bad"]
        for verb in ("add", "remove"):
            rc, out, err = run("members", verb, "--dry-run", SALES, *args)
            self.assertEqual(rc, SOME_FAILED, err)
            rows = by_index(parse(out))
            self.assertEqual([rows[i]["outcome"] for i in range(5)],
                             ["ok", "ok", "not_found", "not_found", "invalid_argument"])
            self.assertIs(rows[0]["dry_run"], True)
            self.assertEqual(rows[1]["phone_number"]["id"], IDS[3])
            self.assertEqual(rows[1]["phone_number_id"], IDS[3])
            self.assertIn("dry run: 2 would be", err)
        self.assertEqual(writes(), [])
        self.assertTrue(SPACE.journal())  # the GETs did go
        self.assertEqual(members(), sorted(IDS[:2]))

    def test_remove_many(self):
        run("members", "add", SALES, *IDS[:10])
        rc, out, err = run("members", "remove", SALES, *IDS[:6], stdin=None)
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted(r["phone_number_id"] for r in parse(out)), sorted(IDS[:6]))
        self.assertTrue(all("membership" not in r for r in parse(out)))
        self.assertEqual(members(), sorted(IDS[6:10]))
        rc, out, err = run("members", "remove", SALES, IDS[0], IDS[7])
        self.assertEqual(rc, SOME_FAILED, err)
        rows = by_index(parse(out))
        self.assertEqual((rows[0]["outcome"], rows[1]["outcome"]), ("not_found", "ok"))

    def test_ten_thousand_ids_from_stdin_bounded(self):
        unknown = [str(uuid.uuid4()) for _ in range(200)]
        lines = [(IDS + unknown)[i % 267] for i in range(10000)]  # 67 + 200, repeated
        small = self.rss_of(lines[:300], 4)  # (VmHWM, KiB)
        rc, rows, err, rss = self.stdin_run(lines, 4)
        self.assertEqual(rc, SOME_FAILED, err)
        self.assertEqual(len(rows), 10000)
        self.assertEqual(sorted(r["index"] for r in rows), list(range(10000)))
        counts = {}
        for r in rows:
            self.assertEqual(r["input"], lines[r["index"]])
            counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
        distinct_unknown = len(set(lines) - set(IDS))
        self.assertEqual(counts, {"ok": 67, "validation": distinct_unknown,
                                  "skipped": 10000 - 67 - distinct_unknown})
        self.assertEqual(members(), sorted(IDS))
        peak = SPACE.control("GET", "stats")["peak_in_flight"]
        self.assertLessEqual(peak, 4)
        # Memory follows --parallel, not the input: 10,000 inputs take about
        # what 300 do (the duplicate check's 35-70 bytes per distinct id aside).
        print("peak RSS: %d KiB for 300 inputs, %d KiB for 10,000; peak in flight %d"
              % (small, rss, peak))
        self.assertGreater(small, 0)
        self.assertLess(rss - small, 1024, "peak RSS grew with the input")
        self.assertLess(rss, 32 * 1024)

    def test_hundred_thousand_inputs_take_no_more_memory(self):
        # 100,000 lines (67 numbers, the rest duplicates: few requests): if
        # the input were kept, that would be megabytes.
        lines = [IDS[i % 67] for i in range(100000)]
        small = self.rss_of(lines[:300], 8)
        rc, rows, err, rss = self.stdin_run(lines, 8)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(rows), 100000)
        print("peak RSS: %d KiB for 300 inputs, %d KiB for 100,000" % (small, rss))
        self.assertLess(rss - small, 2048, "peak RSS grew with the input")

    def test_peak_in_flight_follows_parallel(self):
        for n in (1, 3):
            quiet_reset()
            SPACE.fault("delay", count=-1, seconds=0.05)
            rc, out, err = run("members", "add", "--parallel", str(n), SALES, *IDS[:12])
            self.assertEqual(rc, 0, err)
            self.assertEqual(SPACE.control("GET", "stats")["peak_in_flight"], n)
        rc, out, err = run("members", "add", "--parallel", "65", SALES, *IDS[:2])
        self.assertEqual(rc, 2)
        self.assertIn("--parallel", err)
        rc, out, err = run("members", "add", "--parallel", "0", SALES, *IDS[:2])
        self.assertEqual(rc, 2)

    def stdin_run(self, lines, parallel):
        quiet_reset()
        with tempfile.TemporaryFile() as fin, tempfile.TemporaryFile() as fout, \
                tempfile.TemporaryFile() as ferr:
            fin.write(("\n".join(lines) + "\n").encode())
            fin.seek(0)
            p = subprocess.Popen([SWNG, "members", "add", "--parallel", str(parallel), SALES,
                                  "-"], env=env(), stdin=fin, stdout=fout, stderr=ferr)
            # The command's own peak RSS: VmHWM, read until it exits (it
            # only grows). Not getrusage(RUSAGE_CHILDREN): a child's
            # ru_maxrss includes this Python process's RSS, which it had
            # between fork and exec.
            hwm = 0
            while p.poll() is None:
                try:
                    with open("/proc/%d/status" % p.pid) as f:
                        for line in f:
                            if line.startswith("VmHWM:"):
                                hwm = max(hwm, int(line.split()[1]))
                except OSError:
                    pass
                time.sleep(0.005)
            fout.seek(0)
            ferr.seek(0)
            return (p.returncode, parse(fout.read().decode()), ferr.read().decode(), hwm)

    def rss_of(self, lines, parallel):
        return self.stdin_run(lines, parallel)[3]

    def test_ctrl_c_mid_batch(self):
        SPACE.fault("delay", count=-1, seconds=2)
        p = subprocess.Popen([SWNG, "members", "add", "--parallel", "2", SALES, *IDS[:20]],
                             env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while len(writes()) < 2:
            self.assertLess(time.monotonic(), deadline, "nothing reached the space")
            self.assertIsNone(p.poll())
            time.sleep(0.02)
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        took = time.monotonic() - sent
        err = err.decode()
        self.assertEqual(p.returncode, CANCELLED, err)
        self.assertLess(took, 1.5)
        rows = parse(out.decode())
        self.assertTrue(rows)
        self.assertTrue(all(r["outcome"] == "cancelled" for r in rows), rows)
        self.assertTrue(all(r["error"]["code"] == "cancelled" for r in rows))
        self.assertEqual(len(by_index(rows)), len(rows))
        self.assertIn("cancelled", err.splitlines()[-1])
        self.assertTrue(err.startswith("swng: 0 added"), err)
        time.sleep(0.3)
        self.assertEqual(len(writes()), 2, "sent after the cancel")

    def test_no_raw_control_characters_from_server_or_input(self):
        hostile = {"errors": [{"detail": "bad \u001b[2J\u001b]0;owned\u0007 \u202eevil",
                               "status": "422", "title": "x\u009b", "code": "c\u001b[31m"}]}
        SPACE.fault("status", count=-1, status=422, body=json.dumps(hostile),
                    operation="create_number_group_membership",
                    headers={"X-Request-Id": "rid\u001b[1m"})
        with tempfile.NamedTemporaryFile("wb", delete=False) as f:
            f.write(IDS[0].encode() + b"\n\x1b[2Jinput\n" + IDS[1].encode() + b"\xff\n")
        try:
            p = subprocess.run([SWNG, "members", "add", SALES, "--from", f.name], env=env(),
                               capture_output=True, timeout=60)
        finally:
            os.unlink(f.name)
        self.assertEqual(p.returncode, ALL_FAILED, p.stderr)
        for stream in (p.stdout, p.stderr):
            for bad in (b"\x1b", b"\x07", b"\xc2\x9b", "\u202e".encode()):
                self.assertNotIn(bad, stream)
        rows = by_index(parse(p.stdout.decode("utf-8")))
        self.assertEqual(rows[1]["input"], "\x1b[2Jinput")  # escaped, and so read back
        self.assertEqual(rows[2]["input"], IDS[1] + "\ufffd")  # not UTF-8
        self.assertEqual(rows[0]["error"]["code"], "validation")
        self.assertIn("evil", rows[0]["error"]["message"])
        self.assertIn("\u202e", rows[0]["error"]["items"][0]["detail"])  # as a \u escape

    def test_help_documents_the_form_and_the_exit_statuses(self):
        rc, out, err = run("members", "--help")
        self.assertEqual(rc, 0)
        for text in ("NUMBER...", "--from FILE", "--parallel N", "--dry-run", "20 some inputs",
                     "21 none", "lines starting with # are skipped", '"outcome"'):
            self.assertIn(text, out)
        rc, out, err = run("members", "add", SALES)
        self.assertEqual(rc, 2)
        self.assertIn("--from", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
