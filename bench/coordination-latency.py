#!/usr/bin/env python3
"""Issue 11's headline figure, measured end to end: an assignee's task update
written on the Japanese hub, visible in the owner's `incident show` on the US
hub. Starts `kizuna demo-federation` (two real hubs on loopback, the seeded
cross-border incident), then, as the Japanese power company's account, posts
task updates at RATE per second on the Japanese hub while a reader polls the
US centre's show of the incident as fast as it can answer; an update is
visible when the show's task names it as its last change (the note crossed
the border, the owner's hub folded it). Prints p50/p90/p99/max of the
latency from sending the update to the first show that reflects it, and the
show's own response time (what one poll costs).

Usage: bench/coordination-latency.py KIZUNA_BINARY [UPDATES] [RATE]
"""
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

import coord_demo


def main():
    binary = sys.argv[1]
    updates = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 100.0
    with coord_demo.federation(binary) as creds:

        def auth(hub, user):
            return coord_demo.basic_auth(creds[hub], user)

        # One keep-alive connection per thread and hub, as a dashboard or a
        # SOC tool would hold.
        local = threading.local()

        def call(hub, user, method, path, body=None):
            url = urllib.parse.urlsplit(creds[hub]["api_root"].replace("/kizuna/", "/coordination/v1/kizuna/") + path)
            conns = local.__dict__.setdefault("conns", {})
            if hub not in conns:
                conns[hub] = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            conn = conns[hub]
            conn.request(method, url.path, body=json.dumps(body).encode() if body else None,
                         headers={"Authorization": auth(hub, user), "Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                raise RuntimeError(f"{method} {url.path}: {r.status} {data[:200]!r}")
            return json.loads(data)

        incidents = call("us", "us-analyst", "GET", "incidents")["incidents"]
        incident = next(i["id"] for i in incidents if "Winter Grid" in i["name"])
        show = call("us", "us-analyst", "GET", "incidents/" + incident)
        task = next(t for t in show["tasks"] if t["assignee"]["name"] == "Chubu Power Grid")["id"]

        sent = {}       # note id -> time sent
        seen = {}       # note id -> time first visible on the US hub
        show_times = []
        posts = []
        done = threading.Event()

        def poll():
            while not done.is_set():
                t0 = time.perf_counter()
                s = call("us", "us-analyst", "GET", "incidents/" + incident)
                t1 = time.perf_counter()
                show_times.append(t1 - t0)
                for t in s["tasks"]:
                    if t["id"] == task and "last_change" in t:
                        note = t["last_change"].get("note")
                        if note in sent and note not in seen:
                            # Every earlier update is folded too (one order).
                            for n in list(sent):
                                if n not in seen and sent[n] <= sent[note]:
                                    seen[n] = t1

        poller = threading.Thread(target=poll)
        poller.start()
        start = time.perf_counter()
        for i in range(updates):
            due = start + i / rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            t0 = time.perf_counter()
            r = call("jp", "jp-power-soc", "POST", f"tasks/{task}/updates",
                     {"outcome": "ongoing", "progress": i % 101, "note": f"bench {i}"})
            sent[r["id"]] = t0
            posts.append(time.perf_counter() - t0)
        deadline = time.perf_counter() + 60
        while len(seen) < len(sent) and time.perf_counter() < deadline:
            time.sleep(0.05)
        done.set()
        poller.join()
        lat = sorted((seen[n] - sent[n]) * 1000 for n in seen)
        shows = sorted(x * 1000 for x in show_times)

        def pct(v, p):
            return v[min(len(v) - 1, int(len(v) * p))]

        print(f"updates {len(sent)} at {rate:g}/s, visible {len(seen)}")
        print(f"update -> owner's show (ms): p50 {pct(lat, 0.5):.1f}  p90 {pct(lat, 0.9):.1f}  "
              f"p99 {pct(lat, 0.99):.1f}  max {lat[-1]:.1f}")
        ps = sorted(x * 1000 for x in posts)
        print(f"update POST (ms): p50 {pct(ps, 0.5):.1f} p99 {pct(ps, 0.99):.1f}")
        print(f"show response (ms), {len(shows)} polls: p50 {pct(shows, 0.5):.1f}  p99 {pct(shows, 0.99):.1f}")


if __name__ == "__main__":
    main()
