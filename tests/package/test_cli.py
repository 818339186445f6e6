"""The swng command against the emulated space: output, exit codes, secrecy.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import json
import os
import subprocess
import sys
import unittest
import urllib.request

SWNG = sys.argv.pop(1)
BASE = os.environ["SWNG_TEST_BASE_URL"]
TOKEN = os.environ["SWNG_TEST_TOKEN"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
GROUP = FIXTURE["number_groups"][0]["id"]
PHONES = [p["id"] for p in FIXTURE["phone_numbers"]]


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def fault(mode, **params):
    control("POST", "/__space/faults", dict(mode=mode, **params))


def run(*args, token=TOKEN, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env.update(SIGNALWIRE_PROJECT_ID=os.environ["SWNG_TEST_PROJECT_ID"],
               SIGNALWIRE_REST_BASE_URL=BASE)
    if token is not None:
        env["SIGNALWIRE_API_TOKEN"] = token
    env.update(env_extra or {})
    p = subprocess.run([SWNG, *args], env=env, capture_output=True, text=True, timeout=60)
    # Whatever happened, the token must not be printed.
    assert TOKEN not in p.stdout and TOKEN not in p.stderr, "token leaked"
    return p


class CliTest(unittest.TestCase):
    def setUp(self):
        control("POST", "/__space/reset")

    def test_help_and_version(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("create-membership", p.stdout)
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^swng \d+\.\d+\.\d+\n$")

    def test_success_prints_membership_json(self):
        p = run("create-membership", GROUP, PHONES[1])
        self.assertEqual(p.returncode, 0, p.stderr)
        m = json.loads(p.stdout)
        self.assertEqual(m["number_group_id"], GROUP)
        self.assertEqual(m["phone_number"]["id"], PHONES[1])
        self.assertEqual(m["phone_number"]["name"], FIXTURE["phone_numbers"][1]["name"])

    def test_usage_errors_exit_2_and_send_nothing(self):
        control("DELETE", "/__space/journal")
        for args in ([], ["frobnicate"], ["create-membership", GROUP],
                     ["create-membership", "not-a-uuid", PHONES[0]],
                     ["create-membership", GROUP, PHONES[0] + "/x"],
                     ["create-membership", "--token", "x", GROUP, PHONES[0]],
                     ["create-membership", "--timeout", "abc", GROUP, PHONES[0]],
                     ["create-membership", "--base-url", "http://example.com", GROUP, PHONES[0]],
                     ["create-membership", "-H", "Authorization: Basic x", GROUP, PHONES[0]]):
            with self.subTest(args=args):
                p = run(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertTrue(p.stderr.strip())
        self.assertEqual(control("GET", "/__space/journal")["requests"], [])

    def test_missing_token_is_invalid_argument(self):
        p = run("create-membership", GROUP, PHONES[0], token=None)
        self.assertEqual(p.returncode, 2)
        self.assertIn("token", p.stderr)

    def test_token_file(self):
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"swng-token-{os.getpid()}")
        with open(path, "w") as f:
            f.write(TOKEN + "\n")
        try:
            p = run("create-membership", "--token-file", path, GROUP, PHONES[2], token="wrong")
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            os.unlink(path)

    def test_exit_code_per_error_class(self):
        cases = [
            (3, None, {}, dict(token="wrong-token")),
            (4, None, {}, dict(group="00000000-0000-4000-8000-000000000000")),
            (6, "status", dict(status=429, retry_after="7"), {}),
            (7, "status", dict(status=500), {}),
            (7, "html", {}, {}),
            (8, "close", {}, {}),
            (10, "malformed", {}, {}),
        ]
        for code, mode, params, how in cases:
            with self.subTest(code=code, mode=mode):
                control("POST", "/__space/reset")
                if mode:
                    fault(mode, **params)
                p = run("create-membership", how.get("group", GROUP), PHONES[3],
                        token=how.get("token", TOKEN))
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertTrue(p.stderr.startswith("swng: "), p.stderr)
        control("POST", "/__space/reset")
        run("create-membership", GROUP, PHONES[4])
        p = run("create-membership", GROUP, PHONES[4])
        self.assertEqual(p.returncode, 5)
        self.assertIn("already_member", p.stderr)

    def test_timeout_exit_9(self):
        fault("delay", seconds=2)
        p = run("create-membership", "--timeout", "0.3", GROUP, PHONES[5])
        self.assertEqual(p.returncode, 9, p.stderr)

    def test_retries_flag(self):
        fault("status", status=503, retry_after="0")
        p = run("create-membership", "--retries", "1", GROUP, PHONES[6])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(control("GET", "/__space/journal")["requests"]), 2)

    def test_token_echoed_by_server_is_redacted(self):
        fault("body", status=500, body=json.dumps({"error": "bad token " + TOKEN}))
        p = run("create-membership", GROUP, PHONES[7])  # run() asserts no leak
        self.assertEqual(p.returncode, 7)
        self.assertIn("bad token", p.stderr)

    def test_header_flag_reaches_server(self):
        p = run("create-membership", "-H", "X-Trace-Id: abc123", GROUP, PHONES[8])
        self.assertEqual(p.returncode, 0, p.stderr)
        req = control("GET", "/__space/journal")["requests"][-1]
        self.assertEqual(req["headers"].get("x-trace-id"), "abc123")


if __name__ == "__main__":
    unittest.main(verbosity=1)
