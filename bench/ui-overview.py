#!/usr/bin/env python3
"""Issue 13's overview at scale: `kizuna demo`, then N indicators posted over
TAXII by two organizations (US and Japanese centres) at four TLP levels, their
`modified` spread over 60 days; then the dashboard's overview data
(`GET /ui/api/overview?days=30`) asked by two readers with different rights,
as a browser would (one keep-alive connection each). Prints the first answer
(which reads what the store got since the hub started) and p50/p95 of the
next ones, timed until the response has arrived.

Usage: bench/ui-overview.py KIZUNA_BINARY [N] [REQUESTS]
"""
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

ENERGY = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01"
MARKINGS = [
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",  # CLEAR
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",  # GREEN
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",  # AMBER
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",  # AMBER+STRICT
]


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    data = tempfile.mkdtemp(prefix="kizuna-ui-overview-")
    hub = subprocess.Popen([binary, "demo", "--data-dir", data, "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        for line in hub.stdout:
            if "listening on" in line:
                base = line.split("listening on ")[1].strip()
            if "demo hub ready" in line:
                break
        creds = json.load(open(os.path.join(data, "demo-credentials.json")))
        pw = {a["username"]: a["password"] for a in creds["accounts"]}
        url = urllib.parse.urlsplit(base)

        def conn():
            return http.client.HTTPConnection(url.hostname, url.port, timeout=600)

        def auth(user):
            return "Basic " + base64.b64encode(f"{user}:{pw[user]}".encode()).decode()

        now = time.time()
        t0 = time.perf_counter()
        posters = {u: conn() for u in ("us-analyst", "jp-analyst")}
        batch = 2000
        for start in range(0, n, batch):
            user = "us-analyst" if (start // batch) % 2 == 0 else "jp-analyst"
            objects = []
            for i in range(start, min(n, start + batch)):
                ts = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now - (i % 60) * 86400 - 60))
                objects.append({
                    "type": "indicator", "spec_version": "2.1",
                    "id": f"indicator--0b000000-0000-4000-8000-{i:012d}",
                    "created": ts, "modified": ts, "valid_from": ts,
                    "name": f"overview bench {i}", "pattern_type": "stix",
                    "pattern": f"[ipv4-addr:value = '10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}']",
                    "object_marking_refs": [MARKINGS[i % len(MARKINGS)]],
                })
            c = posters[user]
            c.request("POST", f"/kizuna/collections/{ENERGY}/objects/", body=json.dumps({"objects": objects}),
                      headers={"Authorization": auth(user), "Content-Type": "application/taxii+json;version=2.1",
                               "Accept": "application/taxii+json;version=2.1"})
            r = c.getresponse()
            body = r.read()
            if r.status != 202:
                raise RuntimeError(f"POST: {r.status} {body[:200]!r}")
        print(f"loaded {n} indicators in {time.perf_counter() - t0:.1f} s")
        time.sleep(2)

        def pct(v, p):
            v = sorted(v)
            return v[min(len(v) - 1, int(len(v) * p))]

        for user in ("us-analyst", "researcher"):
            c = conn()
            times = []
            total = None
            for k in range(requests + 1):
                t = time.perf_counter()
                c.request("GET", "/ui/api/overview?days=30", headers={"Authorization": auth(user)})
                r = c.getresponse()
                body = r.read()
                elapsed = (time.perf_counter() - t) * 1000
                if r.status != 200:
                    raise RuntimeError(f"overview: {r.status} {body[:200]!r}")
                total = json.loads(body)["total"]
                if k == 0:
                    print(f"{user}: first overview {elapsed:.1f} ms (total {total})")
                else:
                    times.append(elapsed)
            print(f"{user}: overview p50 {pct(times, 0.5):.2f} ms  p95 {pct(times, 0.95):.2f} ms  "
                  f"({requests} requests, total {total})")
    finally:
        hub.terminate()
        hub.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
