"""One concurrent Python benchmark client, run by bench/inflight.py in a
fresh process.

    python3 bench/py/inflight.py IMPL CONCURRENCY CALLS WARMUP BASE_URL PROJECT_ID TOKEN GROUP PHONE

CALLS create-membership calls with CONCURRENCY of them in flight at once
(CONCURRENCY coroutines taking the next call as soon as their last one is
verified), on one asyncio event loop. IMPL is one of:
  swng_async   swng.AsyncClient (the core's loop on the event loop, no threads)
  aiohttp      aiohttp.ClientSession (its connection pool)
  httpx        httpx.AsyncClient (its connection pool)

Every call is verified as in client.py (HTTP 200, a UUID membership id,
both ids echoed back); any mismatch exits non-zero. Prints one JSON line in
client.py's form (CPU of this process for the timed calls, wall time, ...)
plus "threads": the most OS threads the process had during the timed calls.
"""

import asyncio
import json
import os
import sys
import time

from client import cpu_us, peak_rss_kb, status_kb, verify, verify_json


def url_of(base_url, group):
    return "%s/api/relay/rest/number_groups/%s/number_group_memberships" % (base_url, group)


async def make_swng_async(base_url, project_id, token, group, phone, conc):
    import swng
    client = swng.AsyncClient(project_id=project_id, token=token, base_url=base_url)

    async def call(i):
        m = await client.create_membership(group, phone)
        verify(i, m.http_status, m.id, m.number_group_id, m.phone_number.id, group, phone)
    return call, client.aclose


async def make_aiohttp(base_url, project_id, token, group, phone, conc):
    import aiohttp
    session = aiohttp.ClientSession(
        auth=aiohttp.BasicAuth(project_id, token), trust_env=False,
        connector=aiohttp.TCPConnector(limit=conc),
        headers={"Accept": "application/json"})
    url = url_of(base_url, group)
    body = {"phone_number_id": phone}

    async def call(i):
        async with session.post(url, json=body) as r:
            verify_json(i, r.status, await r.read(), group, phone)
    return call, session.close


async def make_httpx(base_url, project_id, token, group, phone, conc):
    import httpx
    client = httpx.AsyncClient(
        auth=(project_id, token), trust_env=False, headers={"Accept": "application/json"},
        limits=httpx.Limits(max_connections=conc, max_keepalive_connections=conc))
    url = url_of(base_url, group)
    body = {"phone_number_id": phone}

    async def call(i):
        r = await client.post(url, json=body, timeout=30)
        verify_json(i, r.status_code, r.content, group, phone)
    return call, client.aclose


MAKERS = {"swng_async": make_swng_async, "aiohttp": make_aiohttp, "httpx": make_httpx}


async def in_flight(call, conc, total, first):
    nxt = iter(range(first, first + total))

    async def worker():
        for i in nxt:
            await call(i)
    await asyncio.gather(*[worker() for _ in range(conc)])


async def amain():
    impl, conc, calls, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    base_url, project_id, token, group, phone = sys.argv[5:10]
    result = {"client": impl, "concurrency": conc, "calls": calls, "warmup": max(warmup, conc)}
    cpu_start = cpu_us()
    call, close = await MAKERS[impl](base_url, project_id, token, group, phone, conc)
    result["setup_cpu_us"] = cpu_us() - cpu_start
    await in_flight(call, conc, max(warmup, conc), -10 ** 6)  # every connection made
    threads = [len(os.listdir("/proc/self/task"))]

    async def count_threads():
        while True:
            threads.append(len(os.listdir("/proc/self/task")))
            await asyncio.sleep(0.05)
    watcher = asyncio.ensure_future(count_threads())
    await asyncio.sleep(0)
    c0, w0 = cpu_us(), time.perf_counter()
    await in_flight(call, conc, calls, 0)
    w1, c1 = time.perf_counter(), cpu_us()
    watcher.cancel()
    result.update(cpu_us=c1 - c0, wall_us=(w1 - w0) * 1e6, threads=max(threads))
    result["anon_kb"] = status_kb("RssAnon")
    result["maxrss_kb"] = peak_rss_kb()
    await close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(amain())
