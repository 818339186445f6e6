"""The Python bulk-add client, run by bench/bulk.py in a fresh process.

    python3 bench/py/bulk.py CONCURRENCY CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP IDS_FILE

swng.Client().create_memberships(GROUP, ids, concurrency=CONCURRENCY): an
untimed warm-up batch of the first WARMUP ids of IDS_FILE (one a line,
distinct; it opens the connections), then the timed batch of the next
CALLS. Every outcome is verified as in client.py (a Membership with HTTP
200, a UUID id, both ids echoed back); any failure exits non-zero. Prints
one JSON line in client.py's form.
"""

import json
import sys
import time

from client import cpu_us, peak_rss_kb, status_kb, verify


def batch(client, group, ids, conc, first):
    out = client.create_memberships(group, ids, concurrency=conc)
    if len(out) != len(ids):
        sys.exit("%d outcomes for %d ids" % (len(out), len(ids)))
    for i, (m, phone) in enumerate(zip(out, ids)):
        if isinstance(m, Exception):
            sys.exit("item %d: %r" % (first + i, m))
        verify(first + i, m.http_status, m.id, m.number_group_id, m.phone_number.id, group, phone)


def main():
    conc, calls, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    base_url, project_id, token, group, ids_file = sys.argv[4:9]
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()][:warmup + calls]
    if len(ids) < warmup + calls:
        sys.exit("%s: %d ids, %d needed" % (ids_file, len(ids), warmup + calls))
    cpu_start = cpu_us()
    import swng
    client = swng.Client(project_id=project_id, token=token, base_url=base_url)
    result = {"client": "python-create-memberships", "calls": calls, "warmup": warmup,
              "setup_cpu_us": cpu_us() - cpu_start}
    if warmup:
        batch(client, group, ids[:warmup], conc, -warmup)
    timed = ids[warmup:]
    c0, w0 = cpu_us(), time.perf_counter()
    batch(client, group, timed, conc, 0)
    w1, c1 = time.perf_counter(), cpu_us()
    result.update(cpu_us=c1 - c0, wall_us=(w1 - w0) * 1e6)
    result["anon_kb"] = status_kb("RssAnon")
    result["maxrss_kb"] = peak_rss_kb()
    client.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
