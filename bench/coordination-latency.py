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

The reader runs in a process of its own (the writer's thread never waits
for it to release Python's interpreter lock) and an update is visible when
the response that reflects it has arrived (its parsing, the client's own
work, is not counted).

Two readers (READER):
- `channel` (the default): the US analyst holds the collection's channel
  (`GET .../stream?match[type]=task`, Server-Sent Events) and asks for the
  show when a version of the task arrives on it, as a live dashboard does;
- `poll`: the US analyst asks for the show again as soon as the last one
  answered (a client without the channel). On this 2-core machine the
  poller takes a core from the two hubs it measures.

Usage: bench/coordination-latency.py KIZUNA_BINARY [UPDATES] [RATE] [READER]
"""
import http.client
import json
import multiprocessing
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
    reader = sys.argv[4] if len(sys.argv) > 4 else "channel"
    if reader not in ("channel", "poll"):
        sys.exit("READER: channel or poll")
    with coord_demo.federation(binary) as creds:

        def auth(hub, user):
            return coord_demo.basic_auth(creds[hub], user)

        # One keep-alive connection per thread and hub, as a dashboard or a
        # SOC tool would hold.
        local = threading.local()

        def call(hub, user, method, path, body=None):
            return json.loads(call_raw(hub, user, method, path, body))

        def call_raw(hub, user, method, path, body=None):
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
            return data

        incidents = call("us", "us-analyst", "GET", "incidents")["incidents"]
        incident = next(i["id"] for i in incidents if "Winter Grid" in i["name"])
        show = call("us", "us-analyst", "GET", "incidents/" + incident)
        task = next(t for t in show["tasks"] if t["assignee"]["name"] == "Chubu Power Grid")["id"]

        sent = {}       # note id -> time sent
        posts = []
        mp = multiprocessing.get_context("fork")  # the reader inherits the closures
        stop = mp.Event()
        results = mp.Queue()
        ready = mp.Event()
        collection = show["collection"]

        def poll():
            # A process of its own, with its own connection: polls the US
            # centre's show as fast as it answers and notes, for each change
            # of the task's last change, when the response showing it arrived.
            local.__dict__.pop("conns", None)  # never the parent's sockets
            changes, show_times, last = [], [], None

            def look():
                nonlocal last
                t0 = time.perf_counter()
                body = call_raw("us", "us-analyst", "GET", "incidents/" + incident)
                t1 = time.perf_counter()
                show_times.append(t1 - t0)
                for t in json.loads(body)["tasks"]:
                    if t["id"] == task and "last_change" in t:
                        note = t["last_change"].get("note")
                        if note != last:
                            changes.append((note, t1))
                            last = note

            if reader == "poll":
                while not stop.is_set():
                    look()
            else:
                url = urllib.parse.urlsplit(creds["us"]["api_root"] + f"collections/{collection}/stream")
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
                conn.request("GET", url.path + "?match[type]=task&heartbeat=1000",
                             headers={"Authorization": auth("us", "us-analyst"),
                                      "Accept": "text/event-stream"})
                stream = conn.getresponse()
                if stream.status != 200:
                    raise RuntimeError(f"channel: {stream.status}")
                ready.set()
                while not stop.is_set():
                    line = stream.readline()
                    if line.startswith(b"data:") and task.encode() in line:
                        look()
            results.put((changes, show_times))

        poller = mp.Process(target=poll)
        poller.start()
        ready.wait(10) if reader == "channel" else None
        time.sleep(0.5)  # the reader connected and reading
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
        # Until the last update is seen (or a minute has passed).
        deadline = time.perf_counter() + 60
        last_sent = r["id"]
        while time.perf_counter() < deadline:
            probe = call("us", "us-analyst", "GET", "incidents/" + incident)
            if any(t["id"] == task and t.get("last_change", {}).get("note") == last_sent
                   for t in probe["tasks"]):
                break
            time.sleep(0.05)
        time.sleep(0.1)
        stop.set()
        changes, show_times = results.get()
        poller.join()
        # Every earlier update is folded too (one order): the first response
        # naming an update, or a later one, makes it visible.
        seen = {}
        order = sorted(sent, key=lambda n: sent[n])
        for note, t1 in changes:
            if note not in sent:
                continue
            for n in order:
                if sent[n] > sent[note]:
                    break
                seen.setdefault(n, t1)
        lat = sorted((seen[n] - sent[n]) * 1000 for n in seen)
        shows = sorted(x * 1000 for x in show_times)

        def pct(v, p):
            return v[min(len(v) - 1, int(len(v) * p))]

        print(f"reader {reader}: updates {len(sent)} at {rate:g}/s, visible {len(seen)}")
        print(f"update -> owner's show (ms): p50 {pct(lat, 0.5):.1f}  p90 {pct(lat, 0.9):.1f}  "
              f"p99 {pct(lat, 0.99):.1f}  max {lat[-1]:.1f}")
        ps = sorted(x * 1000 for x in posts)
        print(f"update POST (ms): p50 {pct(ps, 0.5):.1f} p99 {pct(ps, 0.99):.1f}")
        print(f"show response (ms), {len(shows)} polls: p50 {pct(shows, 0.5):.1f}  p99 {pct(shows, 0.99):.1f}")


if __name__ == "__main__":
    main()
