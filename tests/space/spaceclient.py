"""Start and drive the emulated SignalWire space (space.py) from Python.

    from spaceclient import start_space

    with start_space(allow_duplicates=True) as space:
        space.fault("status", status=429, retry_after="1")
        ...  # call space.base_url with space.project_id / space.token
        assert space.journal()[-1]["status"] == 429

attach() gives the same object for a space someone else started (for
example with_space.py, through the SWNG_TEST_* environment variables); its
stop() does nothing. Python 3 standard library only.
"""

import atexit
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
SPACE_PY = os.path.join(HERE, "space.py")
DEFAULT_FIXTURE = os.path.join(HERE, "fixture.json")

# Spaces started by this process, stopped at exit if the caller forgot.
_running = set()


class SpaceError(Exception):
    """The space could not be started, or a control call failed."""


class Space:
    """A running space. Owns the server process only if start_space() made it."""

    def __init__(self, base_url, fixture_path, process=None, files=(), ca_file=None):
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.hostname
        self.port = parts.port
        self.tls = parts.scheme == "https"
        # For an HTTPS space: the certificate that verifies it (self-signed).
        self.ca_file = os.path.abspath(ca_file) if ca_file else None
        self.fixture_path = os.path.abspath(fixture_path)
        with open(self.fixture_path, encoding="utf-8") as f:
            self.fixture = json.load(f)
        self.project_id = self.fixture["project_id"]
        self.token = self.fixture["token"]
        self._process = process
        self._files = list(files)
        self.returncode = None

    @property
    def pid(self):
        return self._process.pid if self._process else None

    def env(self):
        """The variables with_space.py exports to the command it runs."""
        env = {"SWNG_TEST_BASE_URL": self.base_url,
               "SWNG_TEST_PROJECT_ID": self.project_id,
               "SWNG_TEST_TOKEN": self.token,
               "SWNG_TEST_FIXTURE": self.fixture_path}
        if self.pid is not None:
            env["SWNG_TEST_SPACE_PID"] = str(self.pid)
        if self.ca_file:
            env["SWNG_TEST_CA_FILE"] = self.ca_file
        return env

    # -- lifecycle --

    def stop(self, timeout=5.0):
        """SIGTERM, wait, SIGKILL if needed. Idempotent; returns the server's exit code."""
        proc, self._process = self._process, None
        if proc is not None:
            _running.discard(self)
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            self.returncode = proc.returncode
        # space.py removes its port and pid files when it exits cleanly; this
        # covers the case where it did not.
        for path in self._files:
            try:
                os.unlink(path)
            except OSError:
                pass
        self._files = []
        return self.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- control API --

    def control(self, method, path, payload=None):
        """Call /__space/<path>; returns the decoded JSON answer, raises SpaceError on non-2xx."""
        body = None if payload is None else json.dumps(payload).encode("utf-8")
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.ca_file)
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=30, context=ctx)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, "/__space/" + path.lstrip("/"), body,
                         {"Content-Type": "application/json"} if body is not None else {})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise SpaceError("%s /__space/%s: %s" % (method, path, e)) from e
        finally:
            conn.close()
        if not 200 <= response.status < 300:
            raise SpaceError("%s /__space/%s: HTTP %d %s"
                             % (method, path, response.status, data.decode("utf-8", "replace")))
        return json.loads(data.decode("utf-8"))

    def health(self):
        return self.control("GET", "health")

    def journal(self):
        """The journaled requests, oldest first (a list of dicts)."""
        return self.control("GET", "journal")["requests"]

    def clear_journal(self):
        self.control("DELETE", "journal")

    def fault(self, mode, count=1, **params):
        """Queue a fault for the next `count` route requests (-1: until cleared)."""
        return self.control("POST", "faults", dict(params, mode=mode, count=count))["fault"]

    def faults(self):
        return self.control("GET", "faults")["faults"]

    def clear_faults(self):
        self.control("DELETE", "faults")

    def memberships(self):
        return self.control("GET", "memberships")["memberships"]

    def number_groups(self):
        """Every number group as the API shows it (fixture ones and created ones)."""
        return self.control("GET", "number_groups")["number_groups"]

    def routes(self):
        """The space's route table: [{"method", "path", "operation"}, ...]."""
        return self.control("GET", "routes")["routes"]

    def paging(self, mode, **params):
        """Make list routes page in this (hostile) way until cleared or reset;
        operation="list_..." limits it to one list. See README.md."""
        return self.control("POST", "paging", dict(params, mode=mode))["paging"]

    def paging_mode(self):
        return self.control("GET", "paging")["paging"]

    def clear_paging(self):
        self.control("DELETE", "paging")

    def reset(self):
        """Fixture groups, no memberships, empty journal, only the startup
        (--fault) faults, the startup (--paging) paging."""
        self.control("POST", "reset")


def start_space(fixture=None, faults=(), allow_duplicates=False, host="127.0.0.1", paging=None,
                port=0, timeout=10.0, verbose=False, python=None,
                stdout=subprocess.DEVNULL, stderr=None, tls_cert=None, tls_key=None,
                watch_parent=True):
    """Start space.py as a subprocess and wait until it listens.

    tls_cert/tls_key: serve HTTPS with this (self-signed) certificate, which
    then also verifies the space for control calls and as SWNG_TEST_CA_FILE.

    faults: fault objects (dicts or JSON text) active for the whole run unless
    they give their own "count". paging: a paging object (dict or JSON text)
    for the whole run, e.g. {"mode": "cycle"}. stdout: where the server's "listening" line
    goes (discarded by default); stderr is inherited so tracebacks show.
    watch_parent=False: the server outlives this process (stop it with
    SIGTERM to its pid); it is then not stopped at exit either.
    """
    fixture = os.path.abspath(fixture or DEFAULT_FIXTURE)
    # Plain files rather than a temporary directory: space.py deletes them
    # itself when it exits, even when it exits because we were killed.
    stem = os.path.join(tempfile.gettempdir(), "swng-space-%s" % uuid.uuid4().hex)
    port_file, pid_file = stem + ".port", stem + ".pid"
    cmd = [python or sys.executable, SPACE_PY, "--host", host, "--port", str(port),
           "--fixture", fixture, "--port-file", port_file,
           "--pid-file", pid_file]
    if watch_parent:
        # If this process dies without stopping the server (SIGKILL, a
        # ctest timeout), the server notices and exits by itself.
        cmd.append("--watch-parent")
    for spec in faults:
        cmd += ["--fault", spec if isinstance(spec, str) else json.dumps(spec)]
    if paging:
        cmd += ["--paging", paging if isinstance(paging, str) else json.dumps(paging)]
    if allow_duplicates:
        cmd.append("--allow-duplicates")
    if verbose:
        cmd.append("--verbose")
    if tls_cert:
        cmd += ["--tls-cert", tls_cert, "--tls-key", tls_key]

    # A session of its own: a Ctrl-C meant for the command under test does
    # not kill the server first; stop() is how it ends.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            if os.path.exists(port_file):  # written atomically by space.py
                with open(port_file, encoding="utf-8") as f:
                    port_text = f.read().strip()
                break
            if proc.poll() is not None:
                raise SpaceError("space.py exited with status %d before listening"
                                 % proc.returncode)
            if time.monotonic() > deadline:
                raise SpaceError("space.py did not listen within %.0f s" % timeout)
            time.sleep(0.02)
        url_host = "[%s]" % host if ":" in host else host
        space = Space("%s://%s:%s" % ("https" if tls_cert else "http", url_host, port_text),
                      fixture, proc, (port_file, pid_file), ca_file=tls_cert)
    except BaseException:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for path in (port_file, pid_file):
            if os.path.exists(path):
                os.unlink(path)
        raise
    if watch_parent:
        _running.add(space)
    return space


def attach(base_url=None, fixture=None):
    """A Space for a server started elsewhere, from arguments or SWNG_TEST_* variables."""
    base_url = base_url or os.environ.get("SWNG_TEST_BASE_URL")
    if not base_url:
        raise SpaceError("no base URL given and SWNG_TEST_BASE_URL is not set")
    fixture = fixture or os.environ.get("SWNG_TEST_FIXTURE") or DEFAULT_FIXTURE
    return Space(base_url, fixture, ca_file=os.environ.get("SWNG_TEST_CA_FILE"))


@atexit.register
def _stop_all():
    for space in list(_running):
        space.stop()
