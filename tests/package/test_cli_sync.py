"""swng members sync (issue 13): the plan from one read of the group
(printed as JSON lines, a summary on stderr), applied with the batch
engine; a second run plans nothing and sends no change; --dry-run sends
no change; a bad or unknown number ends the command before any change.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request

SWNG = sys.argv.pop(1)
BASE = os.environ["SWNG_TEST_BASE_URL"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
GROUP = FIXTURE["number_groups"][0]["id"]
GROUP_NAME = FIXTURE["number_groups"][0]["name"]
PHONES = [p["id"] for p in FIXTURE["phone_numbers"]]
E164 = [p["number"] for p in FIXTURE["phone_numbers"]]


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
    req = urllib.request.Request(BASE + "/__space/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read() or b"{}")


def members():
    return sorted(m["phone_number"]["id"].lower() for m in control("GET", "memberships")["memberships"]
                  if m["number_group_id"].lower() == GROUP.lower())


def changes():
    return [e for e in control("GET", "journal")["requests"]
            if e["method"] in ("POST", "PUT", "DELETE") and "/api/relay/rest/" in e["path"]]


def run(*args, stdin=None):
    p = subprocess.run([SWNG, *args], input=stdin, capture_output=True, timeout=120)
    return (p.returncode, [json.loads(l) for l in p.stdout.decode().splitlines()],
            p.stderr.decode())


class SyncTest(unittest.TestCase):
    def setUp(self):
        control("POST", "reset")

    def test_plan_apply_and_rerun(self):
        rc, lines, err = run("members", "sync", GROUP, *PHONES[0:5])
        self.assertEqual(rc, 0, err)
        self.assertEqual([(l["action"], l.get("outcome")) for l in lines],
                         [("add", None)] * 5 + [("add", "ok")] * 5)
        self.assertIn("plan: 5 to add, 0 to remove, 0 kept", err)
        self.assertEqual(members(), sorted(p.lower() for p in PHONES[0:5]))
        # Wanted: 3, 4 (kept), 5 (as E.164), 6 from stdin; 0-2 go.
        rc, lines, err = run("members", "sync", "--group-name", GROUP_NAME, PHONES[3], PHONES[4],
                             E164[5], "-", stdin=("# wanted\n%s\n\n" % PHONES[6]).encode())
        self.assertEqual(rc, 0, err)
        plan = [(l["action"], l["phone_number_id"].lower()) for l in lines if "outcome" not in l]
        self.assertEqual(sorted(plan), sorted([("add", PHONES[5].lower()), ("add", PHONES[6].lower())]
                                              + [("remove", p.lower()) for p in PHONES[0:3]]))
        self.assertTrue(all(l["outcome"] == "ok" for l in lines if "outcome" in l), lines)
        self.assertEqual(members(), sorted(p.lower() for p in PHONES[3:7]))
        control("DELETE", "journal")
        rc, lines, err = run("members", "sync", GROUP, PHONES[3], PHONES[4], PHONES[5], PHONES[6])
        self.assertEqual((rc, lines), (0, []), err)
        self.assertIn("plan: 0 to add, 0 to remove, 4 kept", err)
        self.assertEqual(changes(), [])

    def test_dry_run_changes_nothing(self):
        run("members", "sync", GROUP, *PHONES[0:3])
        control("DELETE", "journal")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(PHONES[2:6]) + "\n")
        try:
            rc, lines, err = run("members", "sync", GROUP, "--from", f.name, "--dry-run")
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(sorted((l["action"], l["phone_number_id"].lower()) for l in lines),
                         sorted([("add", p.lower()) for p in PHONES[3:6]] +
                                [("remove", p.lower()) for p in PHONES[0:2]]))
        self.assertIn("(dry run)", err)
        self.assertEqual(changes(), [])
        self.assertEqual(members(), sorted(p.lower() for p in PHONES[0:3]))

    def test_bad_number_changes_nothing(self):
        for bad, code in (("not-a-uuid", 2), ("+15550009999", 4)):
            control("DELETE", "journal")
            rc, lines, err = run("members", "sync", GROUP, PHONES[0], bad)
            self.assertEqual(rc, code, err)
            self.assertEqual(lines, [])
            self.assertEqual(changes(), [])
        self.assertEqual(members(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
