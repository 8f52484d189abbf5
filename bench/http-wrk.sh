#!/usr/bin/env bash
# HTTP server throughput: Kizuna's http::Server (bench/http_echo_server) and
# nginx serving the same bytes as static files, side by side, with wrk.
#
#   bench/http-wrk.sh [BUILD_DIR]        (default build/release)
#
# Environment: DURATION (10s), CONNECTIONS (32), WRK_THREADS (2),
# SERVER_THREADS (0 = one per core), ACCESS_LOG (off; a path logs to a file).
# Needs wrk and nginx (scripts/bootstrap --bench installs both).
set -euo pipefail

BUILD=${1:-build/release}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
SERVER_THREADS=${SERVER_THREADS:-0}
ACCESS_LOG=${ACCESS_LOG:-off}
SERVER="$BUILD/bench/http_echo_server"

for tool in wrk nginx; do
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

# Prints requests/s of one wrk run.
run_wrk() {
  local url=$1
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$tmp/wrk.out" 2>&1
  if grep -q "Non-2xx\|Socket errors" "$tmp/wrk.out"; then
    echo "http-wrk: errors while loading $url:" >&2
    cat "$tmp/wrk.out" >&2
  fi
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$tmp/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
  echo "$rps $p99"
}

# --- Kizuna ---
mkdir -p "$tmp/www"
"$SERVER" --threads "$SERVER_THREADS" --access-log "$ACCESS_LOG" --write-files "$tmp/www" \
  --port-file "$tmp/kizuna.port" >"$tmp/kizuna.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$tmp/kizuna.port" ]] && break; sleep 0.05; done
kport=$(cat "$tmp/kizuna.port")
declare -A k_rps k_p99 n_rps n_p99
for path in object page; do
  wrk -t1 -c4 -d1s "http://127.0.0.1:$kport/$path" >/dev/null 2>&1  # warm-up
  read -r k_rps[$path] k_p99[$path] < <(run_wrk "http://127.0.0.1:$kport/$path")
done
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
pids=()

# --- nginx on the same files ---
nport=$(free_port)
chmod 755 "$tmp" "$tmp/www"; chmod 644 "$tmp/www/"*
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/taxii+json;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
  }
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nport/object" >/dev/null 2>&1 && break; sleep 0.05; done
for path in object page; do
  cmp -s <(curl -fs "http://127.0.0.1:$nport/$path") "$tmp/www/$path" || { echo "nginx serves different bytes" >&2; exit 1; }
  wrk -t1 -c4 -d1s "http://127.0.0.1:$nport/$path" >/dev/null 2>&1
  read -r n_rps[$path] n_p99[$path] < <(run_wrk "http://127.0.0.1:$nport/$path")
done

size_object=$(stat -c %s "$tmp/www/object")
size_page=$(stat -c %s "$tmp/www/page")
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, server threads: ${SERVER_THREADS/#0/cores}, access log: $ACCESS_LOG, $(nproc) cores"
printf "%-22s %12s %10s %12s %10s %14s\n" "response" "kizuna req/s" "p99" "nginx req/s" "p99" "nginx/kizuna"
for path in object page; do
  size_var="size_$path"
  ratio=$(awk -v n="${n_rps[$path]}" -v k="${k_rps[$path]}" 'BEGIN {printf "%.2f", n / k}')
  printf "%-22s %12s %10s %12s %10s %14s\n" "/$path (${!size_var} B)" "${k_rps[$path]}" "${k_p99[$path]}" \
    "${n_rps[$path]}" "${n_p99[$path]}" "$ratio"
done
