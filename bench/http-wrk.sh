#!/usr/bin/env bash
# HTTP server throughput: Kizuna's http::Server (bench/http_echo_server) and
# nginx serving the same bytes as static files, side by side, with wrk.
#
#   bench/http-wrk.sh [BUILD_DIR]        (default build/release)
#
# Environment: DURATION (10s), CONNECTIONS (32), WRK_THREADS (2), ROUNDS (3),
# SERVER_THREADS (0 = one per core), ACCESS_LOG (off; a path logs to a file),
# SERVER_ARGS (more http_echo_server flags, e.g. --no-malloc-tuning).
# Needs wrk and nginx (scripts/bootstrap --bench installs both).
set -euo pipefail

BUILD=${1:-build/release}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
ROUNDS=${ROUNDS:-3}
SERVER_THREADS=${SERVER_THREADS:-0}
ACCESS_LOG=${ACCESS_LOG:-off}
SERVER_ARGS=${SERVER_ARGS:-}
SERVER="$BUILD/bench/http_echo_server"

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "http-wrk: $tool missing (scripts/bootstrap --bench)" >&2; exit 1; }
done
[[ -x "$SERVER" ]] || { echo "http-wrk: $SERVER missing (cmake --build $BUILD --target http_echo_server)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# CPU time (user + system, clock ticks) used so far by the given processes.
cpu_ticks() {
  local total=0 p
  for p in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# Prints "requests/s p99 server-CPU-microseconds-per-request" of one wrk run
# against $1, charging the CPU time of the processes $2... to the server.
run_wrk() {
  local url=$1
  shift
  local t0 t1
  t0=$(cpu_ticks "$@")
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$tmp/wrk.out" 2>&1
  t1=$(cpu_ticks "$@")
  if grep -q "Non-2xx\|Socket errors" "$tmp/wrk.out"; then
    echo "http-wrk: errors while loading $url:" >&2
    cat "$tmp/wrk.out" >&2
  fi
  local rps p99 requests
  rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$tmp/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
  requests=$(awk '/requests in/ {print $1}' "$tmp/wrk.out")
  echo "$rps $p99 $(awk -v t=$((t1 - t0)) -v n="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load0=$(cut -d' ' -f1 /proc/loadavg)

# Kizuna, which also writes the bodies nginx will serve.
mkdir -p "$tmp/www"
# shellcheck disable=SC2086
"$SERVER" --threads "$SERVER_THREADS" --access-log "$ACCESS_LOG" --write-files "$tmp/www" \
  --port-file "$tmp/kizuna.port" $SERVER_ARGS >"$tmp/kizuna.log" 2>&1 &
kpid=$!
pids+=("$kpid")
for _ in $(seq 100); do [[ -s "$tmp/kizuna.port" ]] && break; sleep 0.05; done
kport=$(cat "$tmp/kizuna.port")

# nginx on the same files.
nport=$(free_port)
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/"*
mkdir -p "$tmp/nginx"
{
  echo "worker_processes auto;"
  echo "pid $tmp/nginx/nginx.pid;"
  echo "error_log $tmp/nginx/error.log warn;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;"
  echo "  keepalive_timeout 65; keepalive_requests 1000000;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $tmp/nginx/$t;"; done
  echo "  default_type application/taxii+json;"
  echo "  server { listen 127.0.0.1:$nport; root $tmp/www; }"
  echo "}"
} >"$tmp/nginx/nginx.conf"
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
npid=$!
pids+=("$npid")
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nport/object" >/dev/null 2>&1 && break; sleep 0.05; done

for path in object page; do
  for port in "$kport" "$nport"; do
    cmp -s <(curl -fs "http://127.0.0.1:$port/$path") "$tmp/www/$path" ||
      { echo "http-wrk: port $port serves different bytes for /$path" >&2; exit 1; }
    wrk -t1 -c4 -d1s "http://127.0.0.1:$port/$path" >/dev/null 2>&1  # warm-up
  done
done

# Alternate the two servers, ROUNDS times per response, and keep the median:
# the machine is shared, so its load drifts during a run.
declare -A k_rps k_p99 k_cpu n_rps n_p99 n_cpu
for path in object page; do
  : >"$tmp/k.$path"
  : >"$tmp/n.$path"
  for _ in $(seq "$ROUNDS"); do
    run_wrk "http://127.0.0.1:$kport/$path" "$kpid" >>"$tmp/k.$path"
    # shellcheck disable=SC2046
    run_wrk "http://127.0.0.1:$nport/$path" $(pgrep -P "$npid") >>"$tmp/n.$path"
  done
  k_rps[$path]=$(cut -d' ' -f1 "$tmp/k.$path" | median)
  n_rps[$path]=$(cut -d' ' -f1 "$tmp/n.$path" | median)
  k_cpu[$path]=$(cut -d' ' -f3 "$tmp/k.$path" | median)
  n_cpu[$path]=$(cut -d' ' -f3 "$tmp/n.$path" | median)
  k_p99[$path]=$(awk -v r="${k_rps[$path]}" '$1 == r {print $2; exit}' "$tmp/k.$path")
  n_p99[$path]=$(awk -v r="${n_rps[$path]}" '$1 == r {print $2; exit}' "$tmp/n.$path")
  echo "/$path runs (req/s, p99, server CPU us/req): kizuna $(tr '\n' ';' <"$tmp/k.$path") nginx $(tr '\n' ';' <"$tmp/n.$path")" >&2
done

size_object=$(stat -c %s "$tmp/www/object")
size_page=$(stat -c %s "$tmp/www/page")
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, median of $ROUNDS alternating runs;" \
  "server threads: ${SERVER_THREADS/#0/one per core}; access log: $ACCESS_LOG ${SERVER_ARGS};" \
  "$(nproc) cores, load average before: $load0"
printf "%-18s %12s %9s %8s %12s %9s %8s %13s\n" "response" "kizuna req/s" "p99" "CPU/req" \
  "nginx req/s" "p99" "CPU/req" "nginx/kizuna"
for path in object page; do
  size_var="size_$path"
  ratio=$(awk -v n="${n_rps[$path]}" -v k="${k_rps[$path]}" 'BEGIN {printf "%.2f", n / k}')
  printf "%-18s %12s %9s %8s %12s %9s %8s %13s\n" "/$path (${!size_var} B)" "${k_rps[$path]}" \
    "${k_p99[$path]}" "${k_cpu[$path]}us" "${n_rps[$path]}" "${n_p99[$path]}" "${n_cpu[$path]}us" "$ratio"
done
