"""One Python benchmark client, run by bench/run.py in a fresh process.

    python3 bench/py/client.py IMPL CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP PHONE

IMPL is one of:
  swng         the swng module (one swng.Client, kept-alive connection)
  httpclient   stdlib http.client.HTTPConnection (one kept-alive connection)
  urllib       stdlib urllib.request.urlopen (a new connection per call)
  requests     requests.Session (kept-alive connection pool)
  baseline     no client and no calls: the interpreter and this harness only

Every call is verified (HTTP 200, a UUID membership id, the group and phone
number ids echoed back); any mismatch exits non-zero, so a broken client
cannot produce a number. Prints one JSON line: CPU time of this process
(user + system, from resource.getrusage) for the timed calls, their wall
time, the CPU spent importing the library and making the client, and the
peak RSS of the process (VmHWM) and its anonymous resident memory at the end
(RssAnon: the heap, without the shared libraries).
"""

# The harness imports these for every IMPL alike (json is what each
# alternative parses with), so that "import" below is the library alone.
import json
import resource
import re
import sys
import time



def cpu_us():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return (ru.ru_utime + ru.ru_stime) * 1e6


def status_kb(name):
    """A "Name:  N kB" field of /proc/self/status, or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def peak_rss_kb():
    """VmHWM, the process's own peak RSS. Not ru_maxrss: on Linux that starts
    at the RSS of the process this one was forked from (the harness)."""
    kb = status_kb("VmHWM")
    return kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# The same check as before (8-4-4-4-12 hex digits, nothing else), compiled
# once: a per-character generator cost ~50,000 instructions per call, which
# the bench then charged to whichever Python client it was checking.
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def is_uuid(s):
    return isinstance(s, str) and _UUID_RE.match(s) is not None


def verify(i, status, mid, group, phone, want_group, want_phone):
    # An exact echo first (one comparison); only another case pays for the
    # two .lower() copies. Just as strict: equal strings are equal lowered.
    if (status != 200 or not is_uuid(mid) or not isinstance(group, str)
            or (group != want_group and group.lower() != want_group.lower())
            or not isinstance(phone, str)
            or (phone != want_phone and phone.lower() != want_phone.lower())):
        sys.exit("call %d: wrong result: HTTP %r id=%r group=%r phone=%r"
                 % (i, status, mid, group, phone))


def verify_json(i, status, data, want_group, want_phone):
    try:
        obj = json.loads(data)
        verify(i, status, obj.get("id"), obj.get("number_group_id"),
               (obj.get("phone_number") or {}).get("id"), want_group, want_phone)
    except (ValueError, AttributeError) as e:
        sys.exit("call %d: HTTP %r, bad body %r: %s" % (i, status, data[:200], e))


def make_swng(base_url, project_id, token, group, phone):
    import swng
    client = swng.Client(project_id=project_id, token=token, base_url=base_url)

    def call(i):
        m = client.create_membership(group, phone)
        verify(i, m.http_status, m.id, m.number_group_id, m.phone_number.id, group, phone)
    return call


def make_httpclient(base_url, project_id, token, group, phone):
    import base64
    import http.client
    from urllib.parse import urlsplit
    u = urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    path = "/api/relay/rest/number_groups/%s/number_group_memberships" % group
    auth = "Basic " + base64.b64encode(("%s:%s" % (project_id, token)).encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "application/json",
               "Accept": "application/json"}

    def call(i):
        body = json.dumps({"phone_number_id": phone}).encode()
        conn.request("POST", path, body, headers)
        r = conn.getresponse()
        verify_json(i, r.status, r.read(), group, phone)
    return call


def make_urllib(base_url, project_id, token, group, phone):
    import base64
    import urllib.error
    import urllib.request
    url = "%s/api/relay/rest/number_groups/%s/number_group_memberships" % (base_url, group)
    auth = "Basic " + base64.b64encode(("%s:%s" % (project_id, token)).encode()).decode()
    headers = {"Authorization": auth, "Content-Type": "application/json",
               "Accept": "application/json"}
    # No proxies from the environment: straight to the space, as the others.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(i):
        body = json.dumps({"phone_number_id": phone}).encode()
        req = urllib.request.Request(url, body, headers, method="POST")
        try:
            with opener.open(req, timeout=30) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        verify_json(i, status, data, group, phone)
    return call


def make_requests(base_url, project_id, token, group, phone):
    import requests
    s = requests.Session()
    s.auth = (project_id, token)
    s.trust_env = False  # no proxies or .netrc from the environment
    s.headers["Accept"] = "application/json"
    url = "%s/api/relay/rest/number_groups/%s/number_group_memberships" % (base_url, group)

    def call(i):
        r = s.post(url, json={"phone_number_id": phone}, timeout=30)
        verify_json(i, r.status_code, r.content, group, phone)
    return call


MAKERS = {"swng": make_swng, "httpclient": make_httpclient, "urllib": make_urllib,
          "requests": make_requests}


def main():
    impl, calls, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    base_url, project_id, token, group, phone = sys.argv[4:9]
    cpu_start = cpu_us()
    result = {"client": impl, "calls": calls, "warmup": warmup}
    if impl != "baseline":
        call = MAKERS[impl](base_url, project_id, token, group, phone)
        result["setup_cpu_us"] = cpu_us() - cpu_start
        for i in range(warmup):
            call(-1 - i)
        c0, w0 = cpu_us(), time.perf_counter()
        for i in range(calls):
            call(i)
        w1, c1 = time.perf_counter(), cpu_us()
        result.update(cpu_us=c1 - c0, wall_us=(w1 - w0) * 1e6)
    # Anonymous memory (heap, not shared libraries) while the client exists.
    result["anon_kb"] = status_kb("RssAnon")
    result["maxrss_kb"] = peak_rss_kb()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
