#!/usr/bin/env bash
# Whole-process TAXII benchmarks of the real `kizuna serve` with a large store,
# loaded by wrk on the same machine, and nginx serving the same page bytes as a
# static file, side by side.
#
#   bench/taxii-load.sh [BUILD_DIR]          (default build/release)
#
# Environment:
#   PRELOAD      objects stored before measuring (default 1000000)
#   DURATION     per wrk run (default 15s)
#   KEEP_DIR     reuse this directory's preloaded store between runs (optional)
#   POLICY=1     the policy benchmark: 1,000 organizations in 100 trust groups, and
#                every object TLP:AMBER+STRICT addressed alternately to the reader's
#                organization and to another one, so half are unreadable to the reader
#   CACHE_MIB    [taxii] response_cache_mib of the hub (default 64; 0 measures
#                every GET through the store and the policy filter)
# Prints a Markdown table (and the raw wrk outputs under $OUT, default /tmp/kizuna-bench).
set -euo pipefail

BUILD=${1:-build/release}
BIN="$BUILD/kizuna"
PRELOAD=${PRELOAD:-1000000}
DURATION=${DURATION:-15s}
OUT=${OUT:-/tmp/kizuna-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
COL=4d1f2e3c-0000-4000-8000-00000000b001
PASSWORD=bench-password-0123

for tool in wrk nginx python3; do
  command -v "$tool" >/dev/null || { echo "taxii-load: $tool missing (scripts/bootstrap --bench)" >&2; exit 1; }
done
[[ -x "$BIN" ]] || { echo "taxii-load: $BIN missing (make build)" >&2; exit 1; }
mkdir -p "$OUT"

if [[ -n "${KEEP_DIR:-}" ]]; then
  dir=$KEEP_DIR
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -z "${KEEP_DIR:-}" ]] && rm -rf "$dir"
  return 0
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

db="$dir/kizuna.db"
POLICY=${POLICY:-0}
READER_ORG=identity--00000000-0000-4000-8000-0000000b0001
OTHER_ORG=identity--00000000-0000-4000-8000-0000000b0002
marker="$dir/.preloaded-$PRELOAD-policy$POLICY"
if [[ ! -f "$marker" ]]; then
  rm -f "$db" "$db-wal" "$db-shm" "$db.audit"*
  "$BIN" admin --db "$db" api-root add api1 --max-content-length 104857600 >/dev/null
  if [[ $POLICY == 1 ]]; then
    python3 - "$dir/orgs.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(json.dumps({"id": "identity--00000000-0000-4000-8000-%012x" % (0xb0001 + i),
                            "name": "Bench org %d" % i, "nation": "JP" if i % 2 else "US",
                            "kind": "operator"}) + "\n")
PY
    "$BIN" admin --db "$db" org import "$dir/orgs.jsonl" >/dev/null
    for g in $(seq 0 99); do
      members=()
      for k in $(seq 0 9); do members+=(--member "Bench org $((g * 10 + k))"); done
      "$BIN" admin --db "$db" trust-group add "g$g" "${members[@]}" >/dev/null
    done
    "$BIN" admin --db "$db" collection add --api-root api1 --title bench --id $COL --alias bench --trust-group g0 >/dev/null
    ORG_NAME="Bench org 0"
    GEN_ARGS=(--audience-org "$READER_ORG" --audience-org "$OTHER_ORG")
    IMPORT_ARGS=(--producer "Bench org 2")
  else
    "$BIN" admin --db "$db" collection add --api-root api1 --title bench --id $COL --alias bench >/dev/null
    "$BIN" admin --db "$db" org add --name Bench --nation JP --kind operator >/dev/null
    ORG_NAME="Bench"
    GEN_ARGS=()
    IMPORT_ARGS=()
  fi
  echo "$PASSWORD" | "$BIN" admin --db "$db" account add bench --org "$ORG_NAME" --role contributor --password-stdin >/dev/null
  "$BIN" admin --db "$db" grant bench bench --read --write >/dev/null
  echo "preloading $PRELOAD objects ..." >&2
  "$BIN" generate indicators --count "$PRELOAD" --seed 7 "${GEN_ARGS[@]}" > "$dir/preload.jsonl"
  start=$(date +%s.%N)
  # The producer is another organization than the reader's (a producer sees
  # all its own AMBER objects).
  "$BIN" import --db "$db" --collection bench "${IMPORT_ARGS[@]}" --quiet "$dir/preload.jsonl" >&2
  end=$(date +%s.%N)
  echo "import: $(python3 -c "print(round($PRELOAD/($end-$start)))") objects/s (kizuna import, one process)" >&2
  rm -f "$dir/preload.jsonl"
  touch "$marker"
fi

port=$(free_port)
cat > "$dir/kizuna.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
access_log = "off"
log_level = "warn"
[store]
path = "kizuna.db"
[taxii]
default_api_root = "api1"
max_page = 1000
response_cache_mib = ${CACHE_MIB:-64}
EOF

t0=$(date +%s.%N)
"$BIN" serve --config "$dir/kizuna.toml" > "$dir/serve.out" 2>&1 &
kpid=$!
pids+=($kpid)
until grep -q "listening on" "$dir/serve.out" 2>/dev/null; do
  kill -0 $kpid 2>/dev/null || { cat "$dir/serve.out" >&2; exit 1; }
  sleep 0.005
done
t1=$(date +%s.%N)
startup_ms=$(python3 -c "print(round(($t1-$t0)*1000))")
base="http://127.0.0.1:$port"
export AUTH="Basic $(printf 'bench:%s' "$PASSWORD" | base64 -w0)"
objects="$base/api1/collections/$COL/objects/"
curl -fsS -H "Authorization: $AUTH" -H 'Accept: application/taxii+json;version=2.1' "$base/taxii2/" >/dev/null

rss_kib() { awk '/VmRSS/ {print $2}' /proc/$kpid/status; }
hwm_kib() { awk '/VmHWM/ {print $2}' /proc/$kpid/status; }

# rps and p50/p99 of one wrk run; saves the raw output as $OUT/<name>.txt.
run_wrk() {
  local name=$1; shift
  wrk --latency "$@" > "$OUT/$name.txt" 2>&1
  if grep -q "Non-2xx\|Socket errors" "$OUT/$name.txt"; then
    echo "taxii-load: errors in $name:" >&2
    grep "Non-2xx\|Socket errors" "$OUT/$name.txt" >&2
  fi
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$OUT/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.txt")
  echo "$rps $p50 $p99"
}

# Ids to fetch one by one: a sample from the store.
curl -fsS -H "Authorization: $AUTH" -H 'Accept: application/taxii+json;version=2.1' \
  "$base/api1/collections/$COL/manifest/?limit=1000" |
  python3 -c 'import json,sys; [print(o["id"]) for o in json.load(sys.stdin)["objects"]]' > "$dir/ids.txt"

# The `next` token that starts page 10,000 (limit 100): the cursor after the
# 999,900th object, made by walking manifests of 1000.
page_token() {
  local skip=$1 next="" url
  local pages=$((skip / 1000))
  for ((i = 0; i < pages; i++)); do
    url="$base/api1/collections/$COL/manifest/?limit=1000"
    [[ -n "$next" ]] && url="$url&next=$next"
    next=$(curl -fsS -H "Authorization: $AUTH" -H 'Accept: application/taxii+json;version=2.1' "$url" |
      python3 -c 'import json,sys; print(json.load(sys.stdin).get("next",""))')
  done
  echo "$next"
}

echo "measuring (wrk -d $DURATION) ..." >&2
# Warm-up.
wrk -t2 -c32 -d3s -s "$HERE/wrk/get.lua" "$objects?limit=100" >/dev/null 2>&1

read -r page_rps page_p50 page_p99 < <(run_wrk page1 -t2 -c32 -d"$DURATION" -s "$HERE/wrk/get.lua" "$objects?limit=100")
rss_page=$(rss_kib)
export IDS="$dir/ids.txt" PREFIX="/api1/collections/$COL/objects/"
read -r one_rps one_p50 one_p99 < <(run_wrk getone -t2 -c32 -d"$DURATION" -s "$HERE/wrk/get_ids.lua" "$base")

deep_rps=n/a deep_p50=n/a deep_p99=n/a
if (( PRELOAD >= 1000000 )); then
  # Page 10,000 of 100 starts after the 999,900th object: walk manifests to
  # its date_added and page from there with added_after (the same range scan
  # a `next` token makes).
  token=$(page_token 999000)
  last=$(curl -fsS -H "Authorization: $AUTH" -H 'Accept: application/taxii+json;version=2.1' \
    "$base/api1/collections/$COL/manifest/?limit=900&next=$token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["objects"][-1]["date_added"])')
  read -r deep_rps deep_p50 deep_p99 < <(run_wrk page10000 -t2 -c32 -d"$DURATION" -s "$HERE/wrk/get.lua" "$objects?limit=100&added_after=$last")
  read -r first_rps first_p50 first_p99 < <(run_wrk page1b -t2 -c32 -d"$DURATION" -s "$HERE/wrk/get.lua" "$objects?limit=100&added_after=1970-01-01T00:00:00Z")
fi

read -r post_rps post_p50 post_p99 < <(run_wrk ingest -t2 -c4 -d"$DURATION" -s "$HERE/wrk/post_envelope.lua" "$objects")
post_ops=$((post_rps * 100))
hwm=$(hwm_kib)

# nginx serving the same page bytes.
mkdir -p "$dir/www" "$dir/nginx"
curl -fsS -H "Authorization: $AUTH" -H 'Accept: application/taxii+json;version=2.1' "$objects?limit=100" > "$dir/www/page.json"
page_bytes=$(stat -c %s "$dir/www/page.json")
kill $kpid; wait $kpid 2>/dev/null || true
pids=()
nport=$(free_port)
chmod 755 "$dir" "$dir/www"; chmod 644 "$dir/www/page.json"
cat > "$dir/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    root $dir/www;
    default_type application/taxii+json;
  }
}
EOF
nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -g 'daemon off;' &
pids+=($!)
sleep 0.5
read -r nginx_rps nginx_p50 nginx_p99 < <(run_wrk nginx -t2 -c32 -d"$DURATION" "http://127.0.0.1:$nport/page.json")

ratio=$(python3 -c "print(f'{$nginx_rps/$page_rps:.2f}')")
cat <<EOF
| measurement ($PRELOAD objects stored, POLICY=$POLICY, CACHE_MIB=${CACHE_MIB:-64}, 2 cores, wrk on the same machine) | result |
|---|---|
| start-up to listening | ${startup_ms} ms |
| GET 100-object page, 32 connections ($page_bytes bytes) | $page_rps req/s (p50 $page_p50, p99 $page_p99) |
| nginx, same bytes as a static file, 32 connections | $nginx_rps req/s (p50 $nginx_p50, p99 $nginx_p99); nginx/kizuna = $ratio |
| GET one object by id, 32 connections | $one_rps req/s (p50 $one_p50, p99 $one_p99) |
| page 10,000 vs page 1 (added_after cursor), 32 connections | page 10,000: $deep_rps req/s, p99 $deep_p99; page 1: ${first_rps:-n/a} req/s, p99 ${first_p99:-n/a} |
| durable ingest, envelopes of 100 new indicators, 4 connections | $post_ops objects/s ($post_rps req/s, p99 $post_p99) |
| resident memory: after the page load / peak | $((rss_page / 1024)) MiB / $((hwm / 1024)) MiB |
EOF
