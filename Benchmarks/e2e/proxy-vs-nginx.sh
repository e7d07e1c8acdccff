#!/usr/bin/env bash
# Plain-proxy throughput: the gateway on a route without plugins versus Debian's nginx `proxy_pass`,
# both in front of the same demo upstream, measured with wrk in the same run and reported as ratios
# against going straight to the upstream.
#
# Usage: Benchmarks/e2e/proxy-vs-nginx.sh [duration-seconds] [connections] [rounds]
# Installs nginx and wrk from Debian when missing (needs root). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
CONNECTIONS=${2:-64}
ROUNDS=${3:-2}
UPSTREAM_PORT=19000
GATEWAY_PORT=18000
NGINX_PORT=18080
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null
fi
swift build -c release --product ping-auth-proxy >/dev/null
BIN=$(swift build -c release --show-bin-path)/ping-auth-proxy

"$BIN" demo-upstream --port $UPSTREAM_PORT --threads 1 >"$WORK/upstream.log" 2>&1 &
cat >"$WORK/kong.yml" <<YAML
_format_version: "3.0"
proxy:
  listen: ["127.0.0.1:$GATEWAY_PORT"]
  latency_headers: true
  log_level: error
services:
  - name: echo
    url: http://127.0.0.1:$UPSTREAM_PORT
    routes: [{name: all, paths: ["/"]}]
YAML
"$BIN" serve --config "$WORK/kong.yml" >"$WORK/gateway.log" 2>&1 &

cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log error;
events { worker_connections 4096; }
http {
  access_log off;
  upstream echo { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://echo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Real-IP \$remote_addr;
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf"

for port in $UPSTREAM_PORT $GATEWAY_PORT $NGINX_PORT; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/warm" && break; sleep 0.1; done
done

run() { # name port -> requests/s
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$2/bench" | awk '/Requests\/sec/ {print $2}'
}
declare -A total=([direct]=0 [nginx]=0 [gateway]=0)
for round in $(seq 1 "$ROUNDS"); do
  for target in direct:$UPSTREAM_PORT nginx:$NGINX_PORT gateway:$GATEWAY_PORT; do
    name=${target%%:*}; port=${target##*:}
    rps=$(run "$name" "$port")
    echo "round $round  $name  $rps req/s"
    total[$name]=$(awk -v a="${total[$name]}" -v b="$rps" 'BEGIN {print a + b}')
  done
done
echo
printf '%-10s %12s %12s %12s\n' target "req/s" "vs direct" "vs nginx"
for name in direct nginx gateway; do
  avg=$(awk -v t="${total[$name]}" -v n="$ROUNDS" 'BEGIN {printf "%.0f", t / n}')
  printf '%-10s %12s %12s %12s\n' "$name" "$avg" \
    "$(awk -v a="${total[$name]}" -v b="${total[direct]}" 'BEGIN {printf "%.2f", a / b}')" \
    "$(awk -v a="${total[$name]}" -v b="${total[nginx]}" 'BEGIN {printf "%.2f", a / b}')"
done
echo "($DURATION s per run, $CONNECTIONS connections, $ROUNDS interleaved rounds, $(nproc) cores, $(date -u +%Y-%m-%d))"
