#!/usr/bin/env bash
# Whole-process benchmarks of federation and channels (issue 5), on loopback
# with the real `kizuna serve` processes:
#
#   latency      publish on us-hub at RATE objects/s, one object per POST;
#                the time until jp-hub's TAXII GET returns each object
#   subscribers  SUBSCRIBERS Server-Sent Events channels on one hub while it
#                takes RATE objects/s; the time until each subscriber has each
#                object
#   catchup      jp-hub offline while CATCHUP objects are stored on us-hub;
#                the time from jp-hub's start until it holds them all
#
#   bench/federation-bench.sh [BUILD_DIR]        (default build/release)
#
# Environment: MODE (all|latency|subscribers|catchup; default all), RATE (1000),
# SECONDS_RUN (20), SUBSCRIBERS (1000), CATCHUP (1000000), WORK_DIR (keep the
# hubs' directories there, for inspection).
# Prints one JSON line per measurement (federation_loadgen) and a summary.
set -euo pipefail

BUILD=${1:-build/release}
BIN="$BUILD/kizuna"
GEN="$BUILD/bench/federation_loadgen"
MODE=${MODE:-all}
RATE=${RATE:-1000}
SECONDS_RUN=${SECONDS_RUN:-20}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
CATCHUP=${CATCHUP:-1000000}
COL=fed0be00-0000-4000-8000-000000000001
US_ORG=identity--fed0be00-0000-4000-8000-0000000000a1
JP_ORG=identity--fed0be00-0000-4000-8000-0000000000b1

for f in "$BIN" "$GEN"; do
  [[ -x "$f" ]] || { echo "federation-bench: $f missing (cmake --preset release -DKIZUNA_BUILD_BENCH=ON && cmake --build build/release)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "federation-bench: python3 missing" >&2; exit 1; }

work=${WORK_DIR:-$(mktemp -d)}
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [[ -z "${WORK_DIR:-}" ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# setup_hub DIR NAME PORT: a hub with both organizations, one collection in a
# trust group of both, and the account "bench".
setup_hub() {
  local dir=$1 name=$2 port=$3
  mkdir -p "$dir"
  cat > "$dir/kizuna.toml" <<EOF
[server]
listen = "127.0.0.1:$port"
access_log = "off"
log_level = "warn"
max_connections = 8192
[store]
path = "kizuna.db"
[taxii]
default_api_root = "api1"
max_page = 1000
[metrics]
public = true
[federation]
hub_name = "$name"
retry_max_ms = 2000
[channels]
max_subscribers = 20000
EOF
  local a=("$BIN" admin --config "$dir/kizuna.toml")
  local us_home="" jp_home=""
  [[ $name == jp-hub ]] && us_home="--home-hub us-hub"
  [[ $name == us-hub ]] && jp_home="--home-hub jp-hub"
  "${a[@]}" org add --id $US_ORG --name "US Centre" --nation US --kind government $us_home >/dev/null
  "${a[@]}" org add --id $JP_ORG --name "JP Centre" --nation JP --kind government $jp_home >/dev/null
  "${a[@]}" trust-group add g1 --name "US-JP" --member $US_ORG --member $JP_ORG >/dev/null
  "${a[@]}" api-root add api1 --max-content-length 104857600 >/dev/null
  "${a[@]}" collection add --api-root api1 --title bench --id $COL --alias bench --trust-group g1 >/dev/null
  local org="US Centre"; [[ $name == jp-hub ]] && org="JP Centre"
  echo "bench-password-0123" | "${a[@]}" account add bench --org "$org" --role contributor --password-stdin >/dev/null
  "${a[@]}" grant bench bench --read --write >/dev/null
}

# peer DIR OTHER_NAME OTHER_PORT OTHER_ORG
peer() {
  local dir=$1 other=$2 port=$3 org=$4 self
  self=$(basename "$dir")
  printf 'peer-%s-on-%s-pw\npeer-%s-on-%s-pw\n' "$self" "$other" "$other" "$self" |
    "$BIN" admin --config "$dir/kizuna.toml" peer add "$other" --url "http://127.0.0.1:$port/taxii2/" \
      --flow bench:both --remote-password-stdin --account-password-stdin --account-org "$org" >/dev/null
}

start_hub() {
  local dir=$1
  "$BIN" serve --config "$dir/kizuna.toml" > "$dir/serve.out" 2>&1 &
  pids+=($!)
  echo $! > "$dir/pid"
  for _ in $(seq 200); do grep -q "listening on" "$dir/serve.out" && return 0; sleep 0.05; done
  echo "federation-bench: hub in $dir did not start" >&2; cat "$dir/serve.out" >&2; exit 1
}

stop_hub() {
  local dir=$1 pid
  pid=$(cat "$dir/pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

pair() {
  us_port=$(free_port); jp_port=$(free_port)
  setup_hub "$work/us-hub" us-hub "$us_port"
  setup_hub "$work/jp-hub" jp-hub "$jp_port"
  peer "$work/us-hub" jp-hub "$jp_port" "JP Centre"
  peer "$work/jp-hub" us-hub "$us_port" "US Centre"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

if [[ $MODE == all || $MODE == latency ]]; then
  pair
  start_hub "$work/us-hub"; start_hub "$work/jp-hub"
  "$GEN" wait --metrics "http://127.0.0.1:$jp_port/metrics" --metric kizuna_federation_channels_open --target 1 --timeout 30 >/dev/null
  "$GEN" latency --publish "http://127.0.0.1:$us_port/api1/collections/$COL/objects/" \
    --user bench --password bench-password-0123 \
    --watch "http://127.0.0.1:$jp_port/api1/collections/$COL/objects/" \
    --watch-user bench --watch-password bench-password-0123 \
    --rate "$RATE" --seconds "$SECONDS_RUN" --publishers 4
  stop_hub "$work/us-hub"; stop_hub "$work/jp-hub"
  rm -rf "$work/us-hub" "$work/jp-hub"
fi

if [[ $MODE == all || $MODE == subscribers ]]; then
  port=$(free_port)
  setup_hub "$work/solo" us-hub "$port"
  ulimit -n 65536 2>/dev/null || true
  start_hub "$work/solo"
  "$GEN" subscribers --hub "http://127.0.0.1:$port" --collection "$COL" --user bench \
    --password bench-password-0123 --subscribers "$SUBSCRIBERS" --rate "$RATE" --seconds "$SECONDS_RUN"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^kizuna_channel_(events|objects|demoted|dropped)' >&2 || true
  stop_hub "$work/solo"
  rm -rf "$work/solo"
fi

if [[ $MODE == all || $MODE == catchup ]]; then
  pair
  # Peered and in sync first; then jp-hub goes offline.
  start_hub "$work/us-hub"; start_hub "$work/jp-hub"
  "$GEN" wait --metrics "http://127.0.0.1:$jp_port/metrics" --metric kizuna_federation_channels_open --target 1 --timeout 30 >/dev/null
  base=$(curl -s "http://127.0.0.1:$jp_port/metrics" | awk '/^kizuna_store_objects /{print $2}')
  stop_hub "$work/jp-hub"
  stop_hub "$work/us-hub"
  echo "storing $CATCHUP objects on us-hub while jp-hub is offline ..." >&2
  "$BIN" generate indicators --count "$CATCHUP" --seed 11 > "$work/objects.jsonl"
  "$BIN" import --config "$work/us-hub/kizuna.toml" --collection bench --producer "US Centre" --quiet \
    "$work/objects.jsonl" >&2
  rm -f "$work/objects.jsonl"
  start_hub "$work/us-hub"
  t0=$(date +%s.%N)
  start_hub "$work/jp-hub"
  "$GEN" wait --metrics "http://127.0.0.1:$jp_port/metrics" --metric kizuna_store_objects \
    --target $((base + CATCHUP)) --timeout 1200 > "$work/wait.json"
  t1=$(date +%s.%N)
  cat "$work/wait.json"
  python3 -c "print('{\"mode\":\"catchup\",\"objects\":$CATCHUP,\"seconds\":%.2f,\"objects_per_s\":%d}' % ($t1-$t0, $CATCHUP/($t1-$t0)))"
fi
