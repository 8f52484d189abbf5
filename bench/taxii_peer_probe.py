#!/usr/bin/env python3
"""Latency of a plain TAXII 2.1 peer link (issue 17), measured end to end.

Each probe POSTs one new indicator (TLP:CLEAR) to the peer's collection, then
asks the Kizuna hub for it (TAXII GET .../objects/{id}/, every 2 ms) until it
answers 200; the latency is from just before the POST to that answer. Probes
start at random moments (uniform within the poll interval), so they sample
every phase of the hub's poll cycle. Prints one JSON line per probe and a
summary line, and exits 1 when the p99 exceeds the poll interval plus the
allowance.

  taxii_peer_probe.py --peer-objects URL --peer-user U --peer-password P \
      --hub-objects URL --hub-user U --hub-password P \
      [--probes 100] [--interval-ms 1000] [--allowance-ms 100]

Standard library only.
"""
import argparse
import base64
import http.client
import json
import math
import random
import sys
import time
import urllib.parse
import uuid
from datetime import datetime, timezone

TAXII = "application/taxii+json;version=2.1"
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def connection(url):
    u = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    return cls(u.hostname, u.port, timeout=30), u.path


def indicator():
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": now, "modified": now, "name": "peer latency probe",
        "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix",
        "valid_from": now, "object_marking_refs": [CLEAR],
    }


def percentile(values, p):
    """Nearest rank: the smallest value that p percent of the values do not exceed."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))
    return s[k]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--peer-objects", required=True, help="the peer collection's .../objects/ URL")
    a.add_argument("--peer-user", required=True)
    a.add_argument("--peer-password", required=True)
    a.add_argument("--hub-objects", required=True, help="the hub collection's .../objects/ URL")
    a.add_argument("--hub-user", required=True)
    a.add_argument("--hub-password", required=True)
    a.add_argument("--probes", type=int, default=100)
    a.add_argument("--interval-ms", type=int, default=1000)
    a.add_argument("--allowance-ms", type=int, default=100)
    a.add_argument("--timeout-s", type=float, default=60)
    args = a.parse_args()

    peer_auth = basic(args.peer_user, args.peer_password)
    hub_auth = basic(args.hub_user, args.hub_password)
    hub, hub_path = connection(args.hub_objects)
    latencies = []
    for n in range(args.probes):
        time.sleep(random.uniform(0, args.interval_ms / 1000.0))
        obj = indicator()
        body = json.dumps({"objects": [obj]})
        peer, peer_path = connection(args.peer_objects)
        t0 = time.monotonic()
        peer.request("POST", peer_path, body=body,
                     headers={"Authorization": peer_auth, "Accept": TAXII, "Content-Type": TAXII})
        r = peer.getresponse()
        answer = r.read()
        peer.close()
        try:
            failures = json.loads(answer).get("failure_count", 0)
        except ValueError:
            failures = -1
        if r.status != 202 or failures != 0:
            print(f"probe {n}: the peer refused the POST: {r.status} {answer[:300]!r}", file=sys.stderr)
            return 2
        posted = time.monotonic()
        target = hub_path + obj["id"] + "/"
        while True:
            hub.request("GET", target, headers={"Authorization": hub_auth, "Accept": TAXII})
            r = hub.getresponse()
            r.read()
            if r.status == 200:
                break
            if r.status != 404:
                print(f"probe {n}: the hub answered {r.status}", file=sys.stderr)
                return 2
            if time.monotonic() - t0 > args.timeout_s:
                print(f"probe {n}: not on the hub after {args.timeout_s} s", file=sys.stderr)
                return 2
            time.sleep(0.002)
        ms = (time.monotonic() - t0) * 1000.0
        latencies.append(ms)
        print(json.dumps({"probe": n, "id": obj["id"], "post_ms": round((posted - t0) * 1000.0, 1),
                          "latency_ms": round(ms, 1)}), flush=True)
    budget = args.interval_ms + args.allowance_ms
    summary = {
        "probes": len(latencies), "interval_ms": args.interval_ms, "budget_ms": budget,
        "min_ms": round(min(latencies), 1), "p50_ms": round(percentile(latencies, 50), 1),
        "p90_ms": round(percentile(latencies, 90), 1), "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
    }
    summary["p99_within_budget"] = summary["p99_ms"] <= budget
    print(json.dumps(summary), flush=True)
    return 0 if summary["p99_within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
