"""The swng command's --debug (issue 13, the trace): one stderr line per
request attempt (method, path, HTTP status, outcome, time, attempt, request
id), never any form of the token, even when the server echoes it; stdout
unchanged.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import base64
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.request

SWNG = sys.argv.pop(1)
BASE = os.environ["SWNG_TEST_BASE_URL"]
TOKEN = os.environ["SWNG_TEST_TOKEN"]
PROJECT = os.environ["SWNG_TEST_PROJECT_ID"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
GROUP = FIXTURE["number_groups"][0]["id"]
PHONE = FIXTURE["phone_numbers"][1]["id"]
LINE = re.compile(r"^swng: debug: (GET|POST|PUT|DELETE) (/\S*) -> (\d+) (\w+) in \d+\.\d{3} s "
                  r"\(attempt (\d+)(, request id (.*))?\)$")


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
    req = urllib.request.Request(BASE + "/__space/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read() or b"{}")


def run(*args):
    p = subprocess.run([SWNG, *args], capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class DebugTest(unittest.TestCase):
    def setUp(self):
        control("POST", "reset")

    def test_one_line_per_attempt_without_the_token(self):
        basic = base64.b64encode(("%s:%s" % (PROJECT, TOKEN)).encode()).decode()
        control("POST", "faults", {"mode": "status", "status": 503,
                                   "headers": {"X-Request-Id": "echo-%s-%s" % (TOKEN, basic)}})
        rc, out, err = run("--debug", "--retries", "1", "create-membership", GROUP, PHONE)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["number_group_id"].lower(), GROUP.lower())
        lines = [LINE.match(l) for l in err.splitlines() if l.startswith("swng: debug:")]
        self.assertEqual(len(lines), 2, err)
        self.assertTrue(all(lines), err)
        path = "/api/relay/rest/number_groups/%s/number_group_memberships" % GROUP
        self.assertEqual([(m[1], m[2], m[3], m[4], m[5]) for m in lines],
                         [("POST", path, "503", "server", "1"), ("POST", path, "200", "ok", "2")])
        self.assertIn("echo-", lines[0][7])
        self.assertNotIn(TOKEN, err)
        self.assertNotIn(basic[:12], err)

    def test_quiet_without_it(self):
        rc, out, err = run("create-membership", GROUP, PHONE)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("debug", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
