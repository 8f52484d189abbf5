#!/usr/bin/env bash
# Kizuna and medallion (the OASIS TAXII 2.1 reference server, memory backend)
# side by side, with the same load generator (bench/taxii_loadgen) and the
# same objects: durable ingest in envelopes of 100 from 4 clients, then GET
# of a 100-object page from 32 connections (medallion: one request timed, see
# below), with 1,000 and 10,000 objects in the collection.
#
#   bench/medallion-compare.sh [BUILD_DIR]     (default build/release, with -DKIZUNA_BUILD_BENCH=ON)
#
# Needs the reference tools set up as ../shared/tools/peers/README.md says
# (PEERS, default /tmp/peers). Prints a Markdown table.
set -euo pipefail
BUILD=${1:-build/release}
BIN="$BUILD/kizuna"
GEN="$BUILD/bench/taxii_loadgen"
PEERS=${PEERS:-/tmp/peers}
SECONDS_READ=${SECONDS_READ:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$HERE/../../shared" && pwd)
[[ -x "$GEN" ]] || { echo "medallion-compare: $GEN missing (make bench)" >&2; exit 1; }
[[ -f "$PEERS/env.sh" ]] || { echo "medallion-compare: run ../shared/tools/peers/setup-peers.sh first" >&2; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
field() { python3 -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }

kizuna_hub() {  # fresh hub; prints "port"
  local d=$1 port
  port=$(free_port)
  "$BIN" admin --db "$d/k.db" api-root add api1 >/dev/null
  "$BIN" admin --db "$d/k.db" collection add --api-root api1 --title bench --id 91a7b528-80eb-42ed-a74d-c6fbd5a26116 >/dev/null
  "$BIN" admin --db "$d/k.db" org add --id identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01 --name Bench --nation JP --kind operator >/dev/null  # the generated objects' created_by_ref
  echo "bench-password-123" | "$BIN" admin --db "$d/k.db" account add bench --org Bench --role contributor --password-stdin >/dev/null
  "$BIN" admin --db "$d/k.db" grant bench 91a7b528-80eb-42ed-a74d-c6fbd5a26116 --read --write >/dev/null
  printf '[server]\nlisten = "127.0.0.1:%s"\naccess_log = "off"\nlog_level = "warn"\n[store]\npath = "k.db"\n' "$port" > "$d/k.toml"
  "$BIN" serve --config "$d/k.toml" > "$d/serve.out" 2>&1 &
  echo $! > "$d/pid"  # called in $(...): the caller reads the pid from here
  until grep -q "listening on" "$d/serve.out" 2>/dev/null; do sleep 0.01; done
  echo "$port"
}

echo "| objects in the collection | server | ingest (objects/s, 4 clients, envelopes of 100) | GET 100-object page (req/s, 32 connections) | page p99 (ms) |"
echo "|---|---|---|---|---|"
for n in 1000 10000; do
  declare -A ing rd p99
  # Kizuna
  mkdir -p "$dir/k$n"
  kport=$(kizuna_hub "$dir/k$n")
  pids+=("$(cat "$dir/k$n/pid")")
  kurl="http://127.0.0.1:$kport/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/"
  ing[kizuna]=$("$GEN" ingest --objects "$kurl" --user bench --password bench-password-123 --count $n --seed $n | field objects_per_second)
  out=$("$GEN" read --objects "$kurl" --user bench --password bench-password-123 --seconds "$SECONDS_READ")
  rd[kizuna]=$(echo "$out" | field requests_per_second); p99[kizuna]=$(echo "$out" | field p99_ms)
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
  # medallion
  mport=$(free_port)
  mpid=$(PEERS=$PEERS bash "$SHARED/tools/peers/run-medallion.sh" "$mport" 2>/dev/null | head -1)
  pids+=($mpid)
  murl="http://127.0.0.1:$mport/trustgroup1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/objects/"
  ing[medallion]=$("$GEN" ingest --objects "$murl" --user admin --password Password0 --count $n --seed $n | field objects_per_second)
  # One request, timed with curl: a medallion page takes seconds (tens of
  # seconds at 10,000 objects), so 32 connections finish nothing in a window
  # and its throughput does not grow with concurrency anyway.
  t=$(curl -fsS -o /dev/null -w '%{time_total}' --max-time 900 -u admin:Password0 \
        -H 'Accept: application/taxii+json;version=2.1' "$murl?limit=100")
  rd[medallion]=$(python3 -c "print(round(1/$t, 4))"); p99[medallion]=$(python3 -c "print(round($t*1000))")
  kill "$mpid"; wait "$mpid" 2>/dev/null || true; unset 'pids[-1]'
  for s in kizuna medallion; do
    echo "| $n | $s | ${ing[$s]} | ${rd[$s]} | ${p99[$s]} |"
  done
  echo "| $n | ratio kizuna/medallion | $(python3 -c "print(f'{${ing[kizuna]}/max(${ing[medallion]},1e-9):.0f}x')") | $(python3 -c "print(f'{${rd[kizuna]}/max(${rd[medallion]},1e-9):,.0f}x')") | |"
done
