"""The swng command and Ctrl-C (issue 10): SIGINT during a stalled answer or
during a retry wait ends the command at once with exit status 130 and
"cancelled", and nothing is sent after it (no retry).

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

SWNG = sys.argv.pop(1)
BASE = os.environ["SWNG_TEST_BASE_URL"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
GROUP = FIXTURE["number_groups"][0]["id"]
PHONE = FIXTURE["phone_numbers"][1]["id"]


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
    req = urllib.request.Request(BASE + "/__space/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read() or b"{}")


def route_requests():
    return [e for e in control("GET", "journal")["requests"] if "/api/relay/rest/" in e["path"]]


def start(*args):
    env = dict(os.environ)
    return subprocess.Popen([SWNG, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def interrupt_when_sent(p, n=1):
    """SIGINT once the space has journaled n requests; the seconds to exit."""
    deadline = time.monotonic() + 10
    while len(route_requests()) < n:
        if time.monotonic() > deadline or p.poll() is not None:
            raise AssertionError("the request never reached the space")
        time.sleep(0.02)
    time.sleep(0.1)  # well inside the stall / the wait
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    p.wait(timeout=30)
    return time.monotonic() - sent


class CancelTest(unittest.TestCase):
    def setUp(self):
        control("POST", "reset")
        control("DELETE", "faults")
        control("DELETE", "journal")

    def test_ctrl_c_during_a_stalled_answer(self):
        control("POST", "faults", {"mode": "delay", "seconds": 10})
        p = start("create-membership", GROUP, PHONE)
        took = interrupt_when_sent(p)
        err = p.stderr.read().decode()
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("cancelled", err)
        self.assertLess(took, 2.0, "exit %.3f s after SIGINT" % took)
        print("stalled answer: exit %.0f ms after SIGINT" % (took * 1000))

    def test_ctrl_c_during_a_retry_wait_sends_nothing_more(self):
        control("POST", "faults", {"mode": "status", "status": 503, "retry_after": "5",
                                   "count": 5})
        p = start("--retries", "3", "create-membership", GROUP, PHONE)
        took = interrupt_when_sent(p)
        err = p.stderr.read().decode()
        self.assertEqual(p.returncode, 130, err)
        self.assertLess(took, 2.0, "exit %.3f s after SIGINT" % took)
        time.sleep(0.3)
        self.assertEqual(len(route_requests()), 1, "a retry was sent after the cancel")
        print("retry wait: exit %.0f ms after SIGINT" % (took * 1000))

    def test_help_documents_130(self):
        p = subprocess.run([SWNG, "--help"], capture_output=True, text=True)
        self.assertIn("130 cancelled", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
