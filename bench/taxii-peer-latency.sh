#!/usr/bin/env bash
# A Kizuna hub pulling from medallion (the OASIS TAXII 2.1 reference server,
# memory backend, its sample data) as a `--kind taxii` peer (issue 17):
#
#   1. the first pull of medallion's collection 91a7b528-... (API root
#      trustgroup1) into the hub's collection "from-medallion";
#   2. QUIET_S seconds with nothing new: the hub's warnings (there must be none);
#   3. PROBES probes (bench/taxii_peer_probe.py): an object POSTed to
#      medallion, the time until the hub serves it; p99 against the poll
#      interval plus 100 ms;
#   4. the warnings of the whole run.
#
#   bench/taxii-peer-latency.sh [BUILD_DIR]        (default build/release)
#
# Needs the reference tools set up as ../shared/tools/peers/README.md says
# (PEERS, default /tmp/peers). Environment: PROBES (100), INTERVAL_MS (1000),
# QUIET_S (30), URL (api-root | discovery: which URL `peer add` is given),
# WORK_DIR (keep the hub's directory and log there).
set -euo pipefail
BUILD=${1:-build/release}
BIN="$BUILD/kizuna"
PEERS=${PEERS:-/tmp/peers}
PROBES=${PROBES:-100}
INTERVAL_MS=${INTERVAL_MS:-1000}
QUIET_S=${QUIET_S:-30}
URL=${URL:-api-root}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$HERE/../../shared" && pwd)
[[ -x "$BIN" ]] || { echo "taxii-peer-latency: $BIN missing" >&2; exit 1; }
[[ -f "$PEERS/env.sh" ]] || { echo "taxii-peer-latency: run ../shared/tools/peers/setup-peers.sh first" >&2; exit 1; }

dir=${WORK_DIR:-$(mktemp -d)}
mkdir -p "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -n ${WORK_DIR:-} ]] || rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
warnings() { grep -c -E '\[(warning|error|critical)\]' "$dir/hub.log" || true; }

REMOTE=91a7b528-80eb-42ed-a74d-c6fbd5a26116
mport=$(free_port)
mpid=$(PEERS=$PEERS bash "$SHARED/tools/peers/run-medallion.sh" "$mport" 2>/dev/null | head -1)
pids+=("$mpid")
case $URL in
  api-root) murl="http://127.0.0.1:$mport/trustgroup1/" ;;
  discovery) murl="http://127.0.0.1:$mport/taxii2/" ;;
  *) echo "URL must be api-root or discovery" >&2; exit 2 ;;
esac

hport=$(free_port)
cat > "$dir/hub.toml" <<TOML
[server]
listen = "127.0.0.1:$hport"
access_log = "off"
log_level = "info"
[store]
path = "kizuna.db"
[taxii]
default_api_root = "api1"
[federation]
hub_name = "bench-hub"
TOML
A=("$BIN" admin --config "$dir/hub.toml")
"${A[@]}" org add --id identity--b0000000-0000-4000-8000-000000000001 --name "Bench Centre" --nation JP --kind government >/dev/null
"${A[@]}" org add --id identity--b0000000-0000-4000-8000-000000000002 --name "Medallion Org" --nation US --kind government --home-hub medallion >/dev/null
"${A[@]}" trust-group add g1 --name "Bench group" --member "Bench Centre" --member "Medallion Org" >/dev/null
"${A[@]}" api-root add api1 >/dev/null
"${A[@]}" collection add --api-root api1 --title "From medallion" --alias from-medallion --trust-group g1 >/dev/null
echo "reader-password-123" | "${A[@]}" account add reader --org "Bench Centre" --password-stdin --role contributor >/dev/null
"${A[@]}" grant reader from-medallion --read >/dev/null
echo Password0 | "${A[@]}" peer add medallion --url "$murl" --kind taxii \
  --flow "from-medallion=$REMOTE:in" --remote-user admin --remote-password-stdin \
  --home-org "Medallion Org" --poll-interval-ms "$INTERVAL_MS" >/dev/null
"$BIN" serve --config "$dir/hub.toml" > "$dir/hub.log" 2>&1 &
pids+=($!)
until grep -q "listening on" "$dir/hub.log" 2>/dev/null; do sleep 0.05; done

hub_objects="http://127.0.0.1:$hport/api1/collections/from-medallion/objects/"
peer_objects="http://127.0.0.1:$mport/trustgroup1/collections/$REMOTE/objects/"
pulled() {  # "held/total": medallion's object versions the hub holds
  python3 - "$peer_objects" "$hub_objects" <<'PY'
import base64, json, sys, urllib.request
def ids(url, user, password):
    req = urllib.request.Request(url + "?match%5Bversion%5D=all&limit=1000", headers={
        "Accept": "application/taxii+json;version=2.1",
        "Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()})
    body = json.loads(urllib.request.urlopen(req).read() or b"{}")
    return {(o["id"], o.get("modified", o.get("created", ""))) for o in body.get("objects", [])}
peer = ids(sys.argv[1], "admin", "Password0")
hub = ids(sys.argv[2], "reader", "reader-password-123")
print(f"{len(peer & hub)}/{len(peer)}")
PY
}
for _ in $(seq 1 200); do p=$(pulled); [[ ${p%/*} == "${p#*/}" ]] && break; sleep 0.05; done
echo "first pull: the hub holds $(pulled) of medallion's object versions; warnings so far: $(warnings)"
sleep "$QUIET_S"
echo "nothing new for ${QUIET_S}s: $(warnings) warnings"
set +e
python3 "$HERE/taxii_peer_probe.py" --peer-objects "$peer_objects" \
  --peer-user admin --peer-password Password0 --hub-objects "$hub_objects" --hub-user reader \
  --hub-password reader-password-123 --probes "$PROBES" --interval-ms "$INTERVAL_MS" | tee "$dir/probes.jsonl" | tail -1
status=${PIPESTATUS[0]}
set -e
echo "warnings over the whole run: $(warnings)"
grep -E '\[(warning|error|critical)\]' "$dir/hub.log" | head -5 || true
exit "$status"
