#!/usr/bin/env python3
"""Issue 11's ceilings at scale, measured on the real hub: `incident list`
over INCIDENTS incidents with filters, `incident show` of an incident with
EVENTS events and TASKS tasks, and the correlation of a new sighting against
the open incidents' indicators (from posting the sighting to the first show
of a linking incident that counts it).

Starts `kizuna demo-federation` (two hubs on loopback) and loads the US hub
through TAXII as the US centre's analyst: copies of the demo's cross-border
incident (its markings and audience), each linking one of 1,000 indicators,
then one incident with its events and tasks. Prints p50/p99 of each read
(REPEAT requests each, keep-alive connection) and the load time.

Usage: bench/coordination-scale.py KIZUNA_BINARY [INCIDENTS] [EVENTS] [TASKS] [REPEAT]
"""
import copy
import http.client
import json
import sys
import time
import urllib.parse
import uuid

import coord_demo

TAXII = "application/taxii+json;version=2.1"


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


def main():
    binary = sys.argv[1]
    n_incidents = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    n_events = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    n_tasks = int(sys.argv[4]) if len(sys.argv) > 4 else 1_000
    repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    with coord_demo.federation(binary) as hubs:
        creds = hubs["us"]
        authz = coord_demo.basic_auth(creds, "us-analyst")
        root = urllib.parse.urlsplit(creds["api_root"])
        conn = http.client.HTTPConnection(root.hostname, root.port, timeout=600)

        def fetch(method, path, body=None, accept="application/json", ctype="application/json"):
            conn.request(method, path, body=body, headers={"Authorization": authz, "Accept": accept,
                                                           "Content-Type": ctype})
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
            return data

        def req(method, path, body=None, accept="application/json", ctype="application/json"):
            data = fetch(method, path, body, accept, ctype)
            return json.loads(data) if data else None

        coord = root.path.replace("/kizuna/", "/coordination/v1/kizuna/")
        incidents = req("GET", coord + "incidents")["incidents"]
        demo_id = next(i["id"] for i in incidents if "Winter Grid" in i["name"])
        show = req("GET", coord + "incidents/" + demo_id)
        template = show["incident"]
        collection = show["collection"]
        owner = template["created_by_ref"]
        marking = template.get("object_marking_refs", [])
        audience_id = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356"
        audience_ext = {k: v for k, v in template["extensions"].items() if k == audience_id}
        objects_url = f"{root.path}collections/{collection}/objects/"

        def post(objs):
            for i in range(0, len(objs), 1000):
                env = json.dumps({"objects": objs[i:i + 1000]})
                st = req("POST", objects_url, env, accept=TAXII, ctype=TAXII)
                if st.get("failure_count"):
                    raise RuntimeError(json.dumps(st["failures"][:2]))

        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())

        def base(kind):
            o = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "created": now,
                 "modified": now, "created_by_ref": owner}
            if marking:
                o["object_marking_refs"] = marking
            if audience_ext:
                o["extensions"] = copy.deepcopy(audience_ext)
            return o

        # 1,000 indicators, then the incidents linking them.
        indicators = []
        for i in range(1000):
            o = base("indicator")
            o.update({"pattern": f"[ipv4-addr:value = '10.{i // 256}.{i % 256}.1']", "pattern_type": "stix",
                      "valid_from": now, "indicator_types": ["malicious-activity"]})
            indicators.append(o)
        t0 = time.perf_counter()
        post(indicators)
        batch = []
        first = None
        for i in range(n_incidents):
            o = copy.deepcopy(template)
            o["id"] = f"incident--{uuid.uuid4()}"
            o["created"] = o["modified"] = now
            o["name"] = f"Scale incident {i}"
            c = o["extensions"]["extension-definition--2a5e6e5a-a061-424b-9e90-d6394f58d6e6"]
            c["linked_refs"] = [indicators[i % 1000]["id"]]
            c.pop("relationship_refs", None)
            c.pop("last_change", None)
            core = o["extensions"]["extension-definition--ef765651-680c-498d-9894-99799f2fa126"]
            core.pop("tasks", None)
            core.pop("events", None)
            core.pop("impact_refs", None)
            core["investigation_status"] = "open" if i % 4 else "closed"
            if first is None:
                first = o["id"]
            if i == 999 or (i < 999 and i == n_incidents - 1):
                last_linking = (o["id"], i % 1000)  # links the last indicator sighted below
            batch.append(o)
            if len(batch) == 1000:
                post(batch)
                batch = []
        post(batch)
        load_incidents = time.perf_counter() - t0

        # One incident with its events and tasks.
        events = [dict(base("event"), name=f"event {i}", status="occurred") for i in range(n_events)]
        for e in events:
            e.setdefault("extensions", {})["extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e"] = {
                "extension_type": "new-sdo"}
        big = copy.deepcopy(template)
        big["id"] = f"incident--{uuid.uuid4()}"
        big["name"] = "Scale incident with a long timeline"
        tasks = []
        for i in range(n_tasks):
            t = base("task")
            t.update({"name": f"task {i}", "outcome": "pending"})
            t["extensions"]["extension-definition--2074a052-8be4-4932-849e-f5e7798e0030"] = {"extension_type": "new-sdo"}
            t["extensions"]["extension-definition--2a5e6e5a-a061-424b-9e90-d6394f58d6e6"] = {
                "extension_type": "property-extension", "incident_ref": big["id"], "assignee_organization": owner}
            tasks.append(t)
        core = big["extensions"]["extension-definition--ef765651-680c-498d-9894-99799f2fa126"]
        core["events"] = [{"event_ref": e["id"]} for e in events]
        core["tasks"] = [{"task_ref": t["id"]} for t in tasks]
        core.pop("impact_refs", None)
        t0 = time.perf_counter()
        post(events)
        post(tasks)
        post([big])
        load_big = time.perf_counter() - t0

        # Until the whole response is received (the client's own JSON
        # parsing is not the hub's time; the body's size is printed).
        # Three untimed requests first (printed): the first reads after the
        # load find the caches of the hub's read connections cold.
        def timed(path):
            for _ in range(3):
                a = time.perf_counter()
                fetch("GET", path)
                warm.append((time.perf_counter() - a) * 1000)
            times = []
            for _ in range(repeat):
                a = time.perf_counter()
                data = fetch("GET", path)
                times.append((time.perf_counter() - a) * 1000)
            return times, json.loads(data), len(data)

        # The hub reads its indexes ahead after each commit: let the last
        # load's read-ahead settle before measuring (the first request of
        # each measure is printed apart).
        time.sleep(2)
        print(f"loaded {n_incidents} incidents in {load_incidents:.1f} s; "
              f"{n_events} events and {n_tasks} tasks in {load_big:.1f} s")
        for label, path in [("list (limit 100)", coord + "incidents"),
                            ("list status=open sector=energy-electric", coord + "incidents?status=open&sector=energy-electric"),
                            ("list priority=high", coord + "incidents?priority=high"),
                            ("list priority=severe", coord + "incidents?priority=severe"),
                            ("show of one of them", coord + "incidents/" + first),
                            (f"show with {n_events} events, {n_tasks} tasks", coord + "incidents/" + big["id"])]:
            warm = []
            times, r, size = timed(path)
            extra = f", {len(r['incidents'])} listed" if "incidents" in r else ""
            print(f"{label}: p50 {pct(times, 0.5):.1f} ms  p99 {pct(times, 0.99):.1f} ms{extra}, "
                  f"{size / 1e6:.2f} MB (the first three, untimed: {', '.join(f'{w:.1f}' for w in warm)} ms)")

        # Correlation: a sighting of the first incident's indicator, until
        # that incident's show counts it.
        before = req("GET", coord + "incidents/" + first)["correlation"]["sightings"]
        s = base("sighting")
        s.update({"sighting_of_ref": indicators[0]["id"], "count": 1, "first_seen": now, "last_seen": now})
        a = time.perf_counter()
        post([s])
        while req("GET", coord + "incidents/" + first)["correlation"]["sightings"] <= before:
            pass
        print(f"sighting -> counted in a linking incident's show: {(time.perf_counter() - a) * 1000:.1f} ms "
              f"(against {n_incidents} incidents, {n_incidents * 3 // 4} open)")

        # Per sighting, in bulk: a sighting of each of the indicators
        # sighted so far, posted in one envelope, until an incident linking
        # the last of them counts it (ingest, durable write, index and
        # correlation), divided by their number.
        incident, upto = last_linking
        before = req("GET", coord + "incidents/" + incident)["correlation"]["sightings"]
        bulk = []
        for k in range(upto + 1):
            s = base("sighting")
            s.update({"sighting_of_ref": indicators[k]["id"], "count": 1, "first_seen": now, "last_seen": now})
            bulk.append(s)
        a = time.perf_counter()
        post(bulk)
        while req("GET", coord + "incidents/" + incident)["correlation"]["sightings"] <= before:
            pass
        took = (time.perf_counter() - a) * 1000
        print(f"{len(bulk)} sightings posted -> each counted: {took:.1f} ms, {took / len(bulk):.3f} ms per sighting "
              f"(against {n_incidents} incidents)")


if __name__ == "__main__":
    main()
