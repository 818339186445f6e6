"""The swng command's --token-file (issue 11): the whole file up to 64 KiB,
exactly one trailing newline removed, and a clear refusal (exit 2) for a
directory, a larger file, a byte order mark, a NUL byte or an empty file.

Run by ctest under with_space.py, which exports SWNG_TEST_* variables.
"""
import os
import subprocess
import sys
import tempfile
import unittest
import json
import urllib.request

SWNG = sys.argv.pop(1)
BASE = os.environ["SWNG_TEST_BASE_URL"]
TOKEN = os.environ["SWNG_TEST_TOKEN"]
FIXTURE = json.load(open(os.environ["SWNG_TEST_FIXTURE"], encoding="utf-8"))
GROUP = FIXTURE["number_groups"][0]["id"]
PHONE = FIXTURE["phone_numbers"][1]["id"]


def reset():
    req = urllib.request.Request(BASE + "/__space/reset", data=b"", method="POST")
    urllib.request.urlopen(req).read()


def run(*args, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    env.update(SIGNALWIRE_PROJECT_ID=os.environ["SWNG_TEST_PROJECT_ID"],
               SIGNALWIRE_REST_BASE_URL=BASE)
    p = subprocess.run([SWNG, *args], env=env, input=stdin, capture_output=True, timeout=60)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    assert TOKEN not in out and TOKEN not in err, "token leaked"
    return p.returncode, out, err


class TokenFileTest(unittest.TestCase):
    def setUp(self):
        reset()
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def file(self, content):
        path = os.path.join(self.dir.name, "token")
        with open(path, "wb") as f:
            f.write(content)
        return path

    def create(self, content):
        return run("--token-file", self.file(content), "create-membership", GROUP, PHONE)

    def test_one_trailing_newline_is_removed(self):
        for ending in (b"", b"\n", b"\r\n"):
            reset()
            rc, out, err = self.create(TOKEN.encode() + ending)
            self.assertEqual(rc, 0, (ending, err))

    def test_anything_more_is_part_of_the_token(self):
        # A second newline or a lone CR is not stripped: the core refuses the
        # control character (exit 2) instead of sending another token.
        for ending in (b"\n\n", b"\r", b"\n\r\n", b" \n"):
            rc, out, err = self.create(TOKEN.encode() + ending)
            self.assertNotEqual(rc, 0, ending)

    def test_a_long_token_is_read_whole(self):
        # Over the old 1023-byte line buffer: the whole value reaches the
        # server (a wrong token there: 401), not a silently cut one.
        rc, out, err = self.create(b"x" * 5000 + b"\n")
        self.assertEqual(rc, 3, err)

    def test_64_kib_cap(self):
        rc, out, err = self.create(b"x" * (64 * 1024))
        self.assertIn("HTTP 4", err)  # read whole and sent; the server refuses it
        rc, out, err = self.create(b"x" * (64 * 1024 + 1))
        self.assertEqual(rc, 2)
        self.assertIn("larger than 65536 bytes", err)

    def test_refused_with_a_reason(self):
        cases = [(b"\xef\xbb\xbf" + TOKEN.encode() + b"\n", "byte order mark"),
                 (TOKEN.encode() + b"\0x", "NUL byte"),
                 (b"", "holds no token"),
                 (b"\n", "holds no token")]
        for content, why in cases:
            rc, out, err = self.create(content)
            self.assertEqual(rc, 2, content)
            self.assertIn(why, err)
            self.assertEqual(out, "")
        rc, out, err = run("--token-file", self.dir.name, "create-membership", GROUP, PHONE)
        self.assertEqual(rc, 2)
        self.assertIn("is a directory", err)
        rc, out, err = run("--token-file", os.path.join(self.dir.name, "missing"),
                           "create-membership", GROUP, PHONE)
        self.assertEqual(rc, 2)
        self.assertIn("cannot open", err)

    def test_stdin(self):
        rc, out, err = run("--token-file", "-", "create-membership", GROUP, PHONE,
                           stdin=TOKEN.encode() + b"\r\n")
        self.assertEqual(rc, 0, err)


if __name__ == "__main__":
    unittest.main()
