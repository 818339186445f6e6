"""Start and stop Prism (the contract referee) for swng's contract tests.

    from prism import Prism, ensure_prism
    ensure_prism()                     # `npm ci --no-audit --no-fund` if needed
    with Prism.mock(log_path) as p:    # or Prism.proxy(upstream, log_path)
        ... p.base_url ...

Prism is the pinned npm package @stoplight/prism-cli (package.json and
package-lock.json beside this file). It is started as
node_modules/.bin/prism, so the process we hold is node itself (npx would
leave node running when killed), on a free loopback port, always with
--errors. Readiness is polled over HTTP. It is stopped by its process id
(SIGTERM, then SIGKILL), and on Linux it also gets SIGTERM if the process
that started it dies (PR_SET_PDEATHSIG), so an interrupted test leaves no
node process behind. Python 3 standard library only.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SPEC = os.path.join(REPO, "spec", "number-group-memberships.openapi.yaml")
PRISM_BIN = os.path.join(HERE, "node_modules", ".bin", "prism")
NPM_CI = ["npm", "ci", "--no-audit", "--no-fund"]
PINNED_VERSION = "5.14.2"


class PrismError(Exception):
    pass


def ensure_prism(install=True):
    """Make sure node_modules holds the pinned Prism; run `npm ci` if it does not."""
    if not os.path.exists(PRISM_BIN) or prism_version() != PINNED_VERSION:
        if not install:
            raise PrismError("Prism %s is not installed in %s: run `cd %s && %s`"
                             % (PINNED_VERSION, HERE, HERE, " ".join(NPM_CI)))
        npm = shutil.which("npm")
        if not npm:
            raise PrismError("npm is not installed (Node.js 20 with npm is needed for Prism)")
        print("contract: %s (in %s)" % (" ".join(NPM_CI), HERE), file=sys.stderr, flush=True)
        subprocess.run([npm] + NPM_CI[1:], cwd=HERE, check=True, stdin=subprocess.DEVNULL)
    version = prism_version()
    if version != PINNED_VERSION:
        raise PrismError("node_modules has Prism %s, the lock file pins %s: run `%s`"
                         % (version, PINNED_VERSION, " ".join(NPM_CI)))
    return version


def prism_version():
    """The installed Prism's version (from its package.json: no node start-up)."""
    path = os.path.join(HERE, "node_modules", "@stoplight", "prism-cli", "package.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f).get("version")
    except (OSError, ValueError):
        return None


def spec_base_path(spec=SPEC):
    """The path of the spec's first server URL ("/api/relay/rest"): Prism matches
    request paths against the spec's paths without it, clients send it."""
    with open(spec, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^servers:\s*\n\s*-\s*url:\s*(\S+)", text, re.M)
    if not m:
        raise PrismError("%s: no servers[0].url" % spec)
    url = m.group(1)
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return path.rstrip("/")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """preexec_fn: SIGTERM this child when the process that started it dies."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: rely on stop() and ctest's process-tree kill
        pass


class Prism:
    """One running Prism: `mock` or `proxy`, with --errors (unless errors=False), on 127.0.0.1."""

    def __init__(self, mode, log_path, upstream=None, spec=SPEC, timeout=60.0, errors=True):
        self.mode = mode
        self.errors = errors
        self.upstream = upstream
        self.spec = spec
        self.log_path = log_path
        self.process = None
        last = None
        for _attempt in range(3):  # a port taken between free_port() and listen
            self.port = free_port()
            try:
                self._start(timeout)
                return
            except PrismError as e:
                last = e
                self.stop()
        raise last

    @classmethod
    def mock(cls, log_path, **kw):
        return cls("mock", log_path, **kw)

    @classmethod
    def proxy(cls, upstream, log_path, **kw):
        return cls("proxy", log_path, upstream=upstream, **kw)

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def _start(self, timeout):
        cmd = [PRISM_BIN, self.mode] + (["--errors"] if self.errors else []) + [
            "-h", "127.0.0.1", "-p", str(self.port), self.spec]
        if self.mode == "proxy":
            cmd.append(self.upstream)
        log = open(self.log_path, "ab")
        log.write(("### %s\n" % " ".join(cmd)).encode())
        log.flush()
        try:
            self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, cwd=HERE,
                                            preexec_fn=_die_with_parent)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PrismError("prism %s exited with status %s before listening; see %s"
                                 % (self.mode, self.process.returncode, self.log_path))
            if self._answers():
                return
            if time.monotonic() > deadline:
                raise PrismError("prism %s did not answer within %.0f s; see %s"
                                 % (self.mode, timeout, self.log_path))
            time.sleep(0.1)

    def _answers(self):
        """Ready when Prism answers HTTP. The probe is a CORS preflight, which
        Prism (CORS on by default) answers itself with 204: nothing is
        validated, forwarded or logged as a violation."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("OPTIONS", "/", headers={"Origin": "http://127.0.0.1",
                                                  "Access-Control-Request-Method": "POST"})
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def stop(self, timeout=5.0):
        proc, self.process = self.process, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def log_violation_lines(log_path):
    """Lines in which Prism logged a contract violation (`Violation: ...`)."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in f if "Violation:" in line]
    except OSError:
        return []


if __name__ == "__main__":
    # `python3 tests/contract/prism.py`: install the pinned Prism if needed
    # (npm ci --no-audit --no-fund) and say which one is there.
    try:
        print("Prism %s ready in %s" % (ensure_prism(), os.path.dirname(PRISM_BIN)))
    except (PrismError, subprocess.CalledProcessError, OSError) as e:
        print("prism.py: %s" % e, file=sys.stderr)
        sys.exit(1)
