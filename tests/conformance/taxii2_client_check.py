#!/usr/bin/env python3
"""Drives the OASIS TAXII 2.1 client (taxii2-client, not part of this
project) against a running Kizuna hub over every TAXII 2.1 endpoint.

Usage (the client is set up by ../shared/tools/peers/setup-peers.sh):
    source /tmp/peers/env.sh
    $PEERS_PY tests/conformance/taxii2_client_check.py var/demo/demo-credentials.json

Reads the demo credentials file written by `kizuna demo`, uses an account
that can read and write a collection, and prints one PASS/FAIL line per
check. Exit status 1 if any check fails.
"""
import json
import sys
import uuid

from taxii2client.v21 import ApiRoot, Collection, Server, as_pages  # noqa: E402

failures = 0


def check(name, cond, detail=""):
    global failures
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else "  " + str(detail)))
    if not cond:
        failures += 1


def indicator(uid, modified):
    return {
        "type": "indicator", "spec_version": "2.1", "id": "indicator--" + uid,
        "created": "2025-01-01T00:00:00.000Z", "modified": modified,
        "name": "taxii2-client conformance", "pattern": "[ipv4-addr:value = '198.51.100.99']",
        "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
        "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],
    }


def main():
    creds = json.load(open(sys.argv[1]))
    account = None
    for a in creds["accounts"]:
        for cid, c in a["collections"].items():
            if c["can_read"] and c["can_write"]:
                account, col_id = a, cid
                break
        if account:
            break
    user, password = account["username"], account["password"]

    server = Server(creds["discovery"], user=user, password=password)
    check("discovery: title", bool(server.title), server._raw)
    check("discovery: api_roots", len(server.api_roots) >= 1)
    check("discovery: default", server.default is not None and server.default.url == creds["api_root"])

    root = ApiRoot(creds["api_root"], user=user, password=password)
    check("api root: versions", "application/taxii+json;version=2.1" in root.versions, root.versions)
    check("api root: max_content_length", root.max_content_length > 0)
    check("collections: listed", any(c.id == col_id for c in root.collections))

    col = Collection(creds["api_root"] + "collections/" + col_id + "/", user=user, password=password)
    check("collection: can_read/can_write", col.can_read and col.can_write)

    uid = str(uuid.uuid4())
    v1, v2 = "2025-01-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"
    status = col.add_objects(json.dumps({"objects": [indicator(uid, v1), indicator(uid, v2)]}))
    check("add objects: status complete", status.status == "complete", status._raw)
    check("add objects: 2 successes", status.success_count == 2, status._raw)
    status2 = root.get_status(status.id)
    check("get status", status2.id == status.id and status2.success_count == 2)

    bad = {"type": "indicator", "spec_version": "2.1", "id": "indicator--" + str(uuid.uuid4()),
           "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z"}
    s3 = col.add_objects(json.dumps({"objects": [bad]}))
    check("add objects: invalid object is a failure", s3.failure_count == 1 and s3.failures, s3._raw)

    oid = "indicator--" + uid
    env = col.get_object(oid)
    check("get object: latest version", [o["modified"] for o in env["objects"]] == [v2], env)
    env = col.get_object(oid, version="all")
    check("get object: match[version]=all", len(env["objects"]) == 2, env)
    env = col.get_object(oid, version="first")
    check("get object: match[version]=first", env["objects"][0]["modified"] == v1, env)
    vers = col.object_versions(oid)
    check("object versions", sorted(vers["versions"]) == [v1, v2], vers)

    env = col.get_objects(type="indicator", id=oid)
    check("get objects: match[type] + match[id]", len(env.get("objects", [])) == 1, env)
    env = col.get_objects(spec_version="2.1", id=oid, version="all")
    check("get objects: match[spec_version]", len(env.get("objects", [])) == 2, env)
    man = col.get_manifest(id=oid)
    entries = man.get("objects", [])
    check("get manifest", len(entries) == 1 and entries[0]["version"] == v2
          and entries[0]["media_type"] == "application/stix+json;version=2.1", man)

    total, pages = 0, 0
    for envelope in as_pages(col.get_objects, per_request=7):
        pages += 1
        total += len(envelope.get("objects", []))
    check("paging with as_pages (limit=7)", pages > 1 and total > 7, (pages, total))

    last = col.get_objects(limit=1)
    r = col._conn.session.get(col.objects_url, params={"limit": 1},
                              headers={"Accept": "application/taxii+json;version=2.1"})
    check("X-TAXII-Date-Added-First/Last headers",
          "X-TAXII-Date-Added-First" in r.headers and "X-TAXII-Date-Added-Last" in r.headers, r.headers)
    after = r.headers.get("X-TAXII-Date-Added-Last")
    env = col.get_objects(added_after=after, limit=5)
    check("get objects: added_after", all(o["id"] != last["objects"][0]["id"] for o in env.get("objects", [])), env)

    col.delete_object(oid, version=v1)
    vers = col.object_versions(oid)
    check("delete object: one version", vers["versions"] == [v2], vers)
    col.delete_object(oid)
    try:
        col.get_object(oid)
        check("delete object: all versions gone", False, "still readable")
    except Exception as e:  # requests.HTTPError 404
        check("delete object: all versions gone", "404" in str(e), e)

    print("%d checks failed" % failures if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
