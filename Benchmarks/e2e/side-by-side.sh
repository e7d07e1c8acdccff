#!/usr/bin/env bash
# Side-by-side throughput and latency: ping-auth-proxy against Debian's nginx, on the same machine, in front
# of the same upstream and the same policy provider, measured interleaved.
#
#   (a) nginx `proxy_pass`, no authorisation: the practical ceiling
#   (b) nginx `auth_request` to the mock PDP (one `/sideband/request` call per request)
#   (c) ping-auth-proxy, ping-auth on both phases (`/sideband/request` and `/sideband/response`)
#   (d) ping-auth-proxy, ping-auth with `skip_response_phase: true`
#   (e) ping-auth-proxy, a route without the plugin
#   (0) with --direct: wrk straight at the upstream (a reference for how much the upstream can take)
#
# For each: requests/s at saturation (wrk -t1 -c64, the median of ROUNDS interleaved rounds a b c d e a b ...),
# and p50/p99 latency at a fixed rate R = half of (c)'s saturation (`ping-auth-proxy bench http --rate R`
# after 2 s of unrecorded warm-up, latency from each request's intended send time; the median over ROUNDS
# interleaved rounds). Then the
# gateway's RSS with 1000 idle keep-alive client connections open, and its peak RSS over the whole run
# (VmHWM, or the largest VmRSS sampled every 0.5 s when that is larger). Prints a markdown table and the
# pass/fail of the targets, and writes the same to a results file.
#
# Targets: (c) >= 0.5 x (a) req/s; (c) >= 1.0 x (b) req/s; p99 of (c) <= p99 of (b) at R req/s;
# gateway RSS <= 64 MiB with 1000 open client connections.
#
# Backends: `ping-auth-proxy demo-upstream` (1 event loop) and `ping-auth-proxy mock-pdp` with
# Benchmarks/e2e/allow-all.yml (a fixed allow answer with `state`, upstream responses passed through; decision
# logging off). nginx gets `worker_processes WORKERS` and the gateway `worker_threads WORKERS` (default: the
# number of CPUs, 2 on the reference VM), both with keep-alive pools to the upstream and the provider and no
# access log.
#
# nginx's answer from the provider (--nginx-pdp-answer, default empty). nginx's auth_request never reads the
# body of the auth answer, so it closes its provider connection after every answer that has one (checked with
# nginx 1.22: 50 requests, 50 provider connections; with an empty answer, 1). A Sideband allow always has a
# body (the request echoed), so with `echo` nginx opens a connection per request. By default the mock gives
# nginx's calls (url path /auth/...) an empty 200 instead (a rule appended to allow-all.yml for the run):
# nginx keeps its provider connections alive and the provider does less work for it than for the gateway,
# so (b) is nginx's best case and the (c)-vs-(b) targets are judged conservatively.
#
# CPU placement (--pin, default auto). With fewer than 4 CPUs nothing is pinned: confining wrk, the upstream
# and the mock PDP to one of two cores makes that core the bottleneck of the fastest targets (nginx's
# ceiling needs more than one core for wrk plus the upstream), which would understate (a) and flatter our
# ratios; unpinned, every target runs with the same placement freedom and the same competitors. With 4 or
# more CPUs (auto = split), the proxy under test (nginx or the gateway) gets the lower half of the CPUs and
# the load generator, the upstream and the mock PDP the upper half, so the helpers never take CPU from the
# proxy. On a shared 2-core VM only the ratios are meaningful, never the absolute figures.
#
# Usage: Benchmarks/e2e/side-by-side.sh [options] [DURATION [ROUNDS]]
#   --duration S      seconds per measured run (env DURATION, default 10)
#   --rounds N        interleaved rounds (env ROUNDS, default 2)
#   --connections N   wrk connections, and the bench tool's connection cap (env CONNECTIONS, default 64)
#   --workers N       nginx worker_processes = gateway worker_threads (env WORKERS, default: CPUs)
#   --pin MODE        auto | none | split (env PIN, default auto; see above)
#   --nginx-pdp-answer MODE  empty | echo: what the mock answers nginx's auth_request (env NGINX_PDP_ANSWER,
#                     default empty; see above)
#   --direct          also measure the upstream directly, as row (0)
#   --out FILE        results file (env OUT, default /tmp/side-by-side-<UTC time>.md)
#   --strict          exit 3 when a target fails (default: exit 0 once the run completes)
#   -h, --help        this text
# Env BIN=/path/to/ping-auth-proxy uses that binary instead of building one; KEEP_WORK=1 keeps the temporary
# directory (configurations, logs, raw results) for a look afterwards.
#
# On a fresh Debian machine: installs nginx-light, wrk, curl and python3 with apt-get when missing (sudo
# when not root), and builds `swift build -c release --product ping-auth-proxy` when the binary is missing
# or older than Sources/ (about 8 minutes cold on 2 cores). The measuring itself takes about
# 5 targets x ROUNDS x DURATION x 2 (saturation and fixed rate) + 30 s: under 4 minutes with the defaults.
# Loopback only; every process it starts is stopped on exit.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "side-by-side: $*" >&2; exit 1; }

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WORKERS=${WORKERS:-$(nproc)}
PIN=${PIN:-auto}
OUT=${OUT:-}
STRICT=${STRICT:-0}
DIRECT=${DIRECT:-0}
NGINX_PDP_ANSWER=${NGINX_PDP_ANSWER:-empty}
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --pin) PIN=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --nginx-pdp-answer) NGINX_PDP_ANSWER=$2; shift 2 ;;
    --direct) DIRECT=1; shift ;;
    --strict) STRICT=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && DURATION=${positional[0]}
[ ${#positional[@]} -ge 2 ] && ROUNDS=${positional[1]}
for value in "$DURATION" "$ROUNDS" "$CONNECTIONS" "$WORKERS"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "DURATION, ROUNDS, CONNECTIONS and WORKERS are positive integers, got '$value'"
done
case "$NGINX_PDP_ANSWER" in empty | echo) ;; *) die "--nginx-pdp-answer is empty or echo, got '$NGINX_PDP_ANSWER'" ;; esac
OUT=${OUT:-/tmp/side-by-side-$(date -u +%Y%m%dT%H%M%SZ).md}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
case "${BIN:-/}" in /*) ;; *) BIN=$PWD/$BIN ;; esac

cd "$(dirname "$0")/../.."
ROOT=$PWD
ALLOW_ALL=$ROOT/Benchmarks/e2e/allow-all.yml

# --- Tools -------------------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "installing ${missing[*]} with apt-get..." >&2
  $SUDO apt-get update -qq
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; then
    # Releases without the nginx-light flavour: plain nginx has the same proxy and auth_request modules.
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]/nginx-light/nginx}" >/dev/null
  fi
fi

if [ -z "${BIN:-}" ]; then
  command -v swift >/dev/null || die "swift is not on PATH; set BIN=/path/to/ping-auth-proxy to use a built binary"
  BIN="$(swift build -c release --show-bin-path)/ping-auth-proxy"
  if [ ! -x "$BIN" ] || [ -n "$(find Sources Package.swift -newer "$BIN" -print -quit)" ]; then
    echo "building ping-auth-proxy (release; about 8 minutes cold on 2 cores)..." >&2
    swift build -c release --product ping-auth-proxy >&2
  fi
fi
[ -x "$BIN" ] || die "no executable at $BIN"
HAVE_BENCH=0
"$BIN" bench http --help >/dev/null 2>&1 && HAVE_BENCH=1
[ "$HAVE_BENCH" = 1 ] || echo "note: this ping-auth-proxy has no 'bench' command; the fixed-rate latency is skipped" >&2

# --- CPU placement -----------------------------------------------------------------------------------------
CPUS=$(nproc)
[ "$PIN" = auto ] && { [ "$CPUS" -ge 4 ] && PIN=split || PIN=none; }
PROXY_PIN=()
HELPER_PIN=()
[ "$PIN" = none ] || command -v taskset >/dev/null || die "--pin $PIN needs taskset (util-linux)"
case "$PIN" in
  none) PLACEMENT="not pinned: every process may run on all $CPUS CPUs" ;;
  split)
    [ "$CPUS" -ge 2 ] || die "--pin split needs at least 2 CPUs"
    half=$((CPUS / 2))
    PROXY_CPUS="0-$((half - 1))"
    HELPER_CPUS="$half-$((CPUS - 1))"
    [ "$half" = 1 ] && PROXY_CPUS=0
    [ $((CPUS - half)) = 1 ] && HELPER_CPUS=$half
    PROXY_PIN=(taskset -c "$PROXY_CPUS")
    HELPER_PIN=(taskset -c "$HELPER_CPUS")
    PLACEMENT="split: nginx and the gateway on CPUs $PROXY_CPUS; wrk, bench, upstream and mock PDP on CPUs $HELPER_CPUS"
    ;;
  *) die "--pin is auto, none or split, got '$PIN'" ;;
esac

# --- Processes ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d)
chmod 711 "$WORK" # nginx workers (nobody when started as root) may traverse to their temp directories
SERVICE_PIDS=()

# alive PID: the process exists and is not a zombie (an exited child stays one until reaped).
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# Stops what `start` started: SIGTERM (the gateway drains, nginx's master stops its workers), up to 5 s,
# then SIGKILL for whatever is left and its children.
stop_all() {
  local pid still
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    still=0
    for pid in "${SERVICE_PIDS[@]}"; do alive "$pid" && still=1; done
    [ "$still" = 0 ] && break
    sleep 0.1
  done
  for pid in "${SERVICE_PIDS[@]}"; do
    if alive "$pid"; then
      # shellcheck disable=SC2046
      kill -KILL "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null) 2>/dev/null || true
    fi
  done
  SERVICE_PIDS=()
}
cleanup() {
  stop_all
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME LOGFILE COMMAND...: runs COMMAND in the background; its pid goes to PID_<NAME>. taskset execs
# the command, so the pid is the service's own (its /proc/PID/status is what the memory figures read).
start() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  SERVICE_PIDS+=("$!")
  printf -v "PID_$name" '%s' "$!"
}

# wait_http NAME PID URL: until URL answers 200, failing early (with the log) if the process died.
wait_http() {
  local name=$1 pid=$2 url=$3 code=none
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    [ "$code" = 200 ] && return 0
    if ! alive "$pid"; then
      cat "$WORK/$name.log" >&2 || true
      die "$name exited before answering $url"
    fi
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2 || true
  die "$name did not answer 200 on $url within 30 s (last status $code)"
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
read -r UP_PORT PDP_PORT GW_PORT NGINX_PORT < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in sockets))
')
PAZ_SHARED_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(24))')
export PAZ_SHARED_SECRET

# Upstream and policy provider.
start upstream "$WORK/upstream.log" "${HELPER_PIN[@]}" "$BIN" demo-upstream --host 127.0.0.1 --port "$UP_PORT" --threads 1
RULES=$WORK/rules.yml
cp "$ALLOW_ALL" "$RULES"
if [ "$NGINX_PDP_ANSWER" = empty ]; then
  cat >>"$RULES" <<'YAML'

request_rules:
  # Added by side-by-side.sh: nginx's auth_request calls (the /auth route) get an empty 200, which nginx can
  # read without closing its provider connection. The gateway's calls (/full, /skip) get the default allow.
  - name: nginx-auth-request
    match:
      path: /auth/**
    fault: {status: 200, body: ""}
YAML
fi
"$BIN" mock-pdp --check "$RULES" >"$WORK/rules-check.log" 2>&1 || { cat "$WORK/rules-check.log" >&2; die "$RULES does not load"; }
start pdp "$WORK/pdp.log" "${HELPER_PIN[@]}" "$BIN" mock-pdp --rules "$RULES" --listen "127.0.0.1:$PDP_PORT" --log-level error

# The gateway: one service, three routes.
write_gateway_config() { # WITH_WORKER_THREADS
  local threads=""
  [ "$1" = 1 ] && threads="  worker_threads: $WORKERS"
  cat >"$WORK/kong.yml" <<YAML
_format_version: "3.0"
proxy:
  listen: ["127.0.0.1:$GW_PORT"]
$threads
  log_level: error
  access_log: "off"
  latency_headers: true
  drain_timeout_ms: 2000
services:
  - name: echo
    url: http://127.0.0.1:$UP_PORT
    routes:
      - name: full
        paths: ["/full"]
        plugins:
          - name: ping-auth
            instance_name: full
            config:
              service_url: http://127.0.0.1:$PDP_PORT
              shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
              secret_header_name: CLIENT-TOKEN
      - name: skip
        paths: ["/skip"]
        plugins:
          - name: ping-auth
            instance_name: skip
            config:
              service_url: http://127.0.0.1:$PDP_PORT
              shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
              secret_header_name: CLIENT-TOKEN
              skip_response_phase: true
      - name: plain
        paths: ["/plain"]
YAML
}
GATEWAY_LOOPS=$WORKERS
write_gateway_config 1
if ! "$BIN" check-config "$WORK/kong.yml" >"$WORK/check.log" 2>&1; then
  if grep -q worker_threads "$WORK/check.log"; then
    # A build without `worker_threads`: it runs one event loop per CPU, which is WORKERS by default.
    write_gateway_config 0
    GATEWAY_LOOPS=$CPUS
    [ "$WORKERS" = "$CPUS" ] || echo "note: this gateway has no worker_threads; it runs $CPUS event loops" >&2
    "$BIN" check-config "$WORK/kong.yml" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log" >&2; die "gateway config refused"; }
  else
    cat "$WORK/check.log" >&2
    die "gateway config refused"
  fi
fi
start gateway "$WORK/gateway.log" "${PROXY_PIN[@]}" "$BIN" serve --config "$WORK/kong.yml"

# nginx: the same upstream and provider, keep-alive pools to both, no access log.
mkdir -p "$WORK/nginx-temp"
cat >"$WORK/nginx.conf" <<NGINX
daemon off;
worker_processes $WORKERS;
worker_rlimit_nofile 16384;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log error;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-temp/body;
  proxy_temp_path $WORK/nginx-temp/proxy;
  fastcgi_temp_path $WORK/nginx-temp/fastcgi;
  uwsgi_temp_path $WORK/nginx-temp/uwsgi;
  scgi_temp_path $WORK/nginx-temp/scgi;
  upstream echo { server 127.0.0.1:$UP_PORT; keepalive 128; }
  upstream pdp { server 127.0.0.1:$PDP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    proxy_set_header X-Real-IP \$remote_addr;
    location /plain { proxy_pass http://echo; }
    location /auth {
      auth_request /_pdp;
      proxy_pass http://echo;
    }
    # The request described to the provider, as the plugin would: a minimal /sideband/request payload
    # (nginx cannot send headers as a JSON list, nor apply the answer: it only sees allow = 2xx).
    location = /_pdp {
      internal;
      proxy_pass http://pdp/sideband/request;
      proxy_method POST;
      proxy_pass_request_headers off;
      proxy_pass_request_body off;
      # proxy_set_header here replaces the server's list, so keep-alive (Connection "") is repeated.
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:$PDP_PORT;
      proxy_set_header Content-Type application/json;
      proxy_set_header CLIENT-TOKEN "$PAZ_SHARED_SECRET";
      proxy_set_body '{"source_ip":"\$remote_addr","source_port":\$remote_port,"method":"\$request_method","url":"http://\$host:\$server_port\$request_uri","http_version":"1.1","headers":[]}';
    }
  }
}
NGINX
chmod 600 "$WORK/nginx.conf"
NGINX_ARGS=(-p "$WORK" -c "$WORK/nginx.conf")
nginx -h 2>&1 | grep -q -- '-e filename' && NGINX_ARGS+=(-e "$WORK/nginx-error.log")
nginx -t "${NGINX_ARGS[@]}" >"$WORK/nginx-t.log" 2>&1 || { cat "$WORK/nginx-t.log" >&2; die "nginx refused its configuration"; }
start nginx "$WORK/nginx.log" "${PROXY_PIN[@]}" nginx "${NGINX_ARGS[@]}"

# The gateway's largest VmRSS, sampled every 0.5 s without forking anything but sleep. VmHWM alone can
# under-report: RSS given back with madvise (glibc trimming its arenas) lowers the figure it is computed from.
sample_rss() {
  local pid=$1 file=$2 max=0 key value _
  while [ -r "/proc/$pid/status" ]; do
    while read -r key value _; do
      if [ "$key" = VmRSS: ] && [ "$value" -gt "$max" ]; then
        max=$value
        echo "$max" >"$file"
      fi
    done 2>/dev/null <"/proc/$pid/status" || true
    sleep 0.5
  done
}
sample_rss "$PID_gateway" "$WORK/rss-max" &
SERVICE_PIDS+=("$!")

wait_http upstream "$PID_upstream" "http://127.0.0.1:$UP_PORT/ready"
wait_http pdp "$PID_pdp" "http://127.0.0.1:$PDP_PORT/_mock/health"
wait_http gateway "$PID_gateway" "http://127.0.0.1:$GW_PORT/plain/ready"
wait_http nginx "$PID_nginx" "http://127.0.0.1:$NGINX_PORT/plain/ready"

# --- Targets ------------------------------------------------------------------------------------------------
TARGETS=(a b c d e)
[ "$DIRECT" = 1 ] && TARGETS=(0 a b c d e)
declare -A URL=(
  [0]="http://127.0.0.1:$UP_PORT/bench"
  [a]="http://127.0.0.1:$NGINX_PORT/plain/bench"
  [b]="http://127.0.0.1:$NGINX_PORT/auth/bench"
  [c]="http://127.0.0.1:$GW_PORT/full/bench"
  [d]="http://127.0.0.1:$GW_PORT/skip/bench"
  [e]="http://127.0.0.1:$GW_PORT/plain/bench"
)

# Each target must answer 200, and the gateway's routes must show the sideband calls they are meant to make
# (its latency headers): both phases on /full, the request phase only on /skip, none on /plain.
for target in "${TARGETS[@]}"; do
  headers=$(curl -s -D - -o /dev/null "${URL[$target]}" | tr -d '\r' | tr 'A-Z' 'a-z' || true)
  head -n1 <<<"$headers" | grep -q ' 200' || { echo "$headers" >&2; die "(${target}) ${URL[$target]} does not answer 200"; }
  has_request=0
  has_response=0
  grep -q '^x-ping-auth-request-latency:' <<<"$headers" && has_request=1
  grep -q '^x-ping-auth-response-latency:' <<<"$headers" && has_response=1
  case "$target" in
    c) [ "$has_request$has_response" = 11 ] || die "/full did not call both sideband phases" ;;
    d) [ "$has_request$has_response" = 10 ] || die "/skip did not call exactly the request phase" ;;
    e) [ "$has_request$has_response" = 00 ] || die "/plain called the policy provider" ;;
  esac
done

RESULTS=$WORK/results.tsv
: >"$RESULTS"

# wrk_run URL SECONDS -> "requests/s non-2xx socket-errors"
wrk_run() {
  local output
  output=$("${HELPER_PIN[@]}" wrk -t1 -c"$CONNECTIONS" -d"$2s" "$1" 2>&1) || { echo "$output" >&2; die "wrk failed on $1"; }
  awk '/Requests\/sec/ { rps = $2 }
       /Non-2xx or 3xx responses/ { non2xx = $NF }
       /Socket errors/ { gsub(",", ""); errors = $4 + $6 + $8 + $10 }
       END { printf "%s %d %d\n", rps, non2xx, errors }' <<<"$output"
}

echo "warming up (2 s per target)..." >&2
for target in "${TARGETS[@]}"; do wrk_run "${URL[$target]}" 2 >/dev/null; done

for round in $(seq 1 "$ROUNDS"); do
  for target in "${TARGETS[@]}"; do
    measured=$(wrk_run "${URL[$target]}" "$DURATION")
    read -r rps non2xx errors <<<"$measured"
    printf 'saturation  round %s  (%s)  %10s req/s  non-2xx %s  socket errors %s\n' \
      "$round" "$target" "$rps" "$non2xx" "$errors" >&2
    printf 'sat\t%s\t%s\t%s\t%s\t%s\n' "$target" "$round" "$rps" "$non2xx" "$errors" >>"$RESULTS"
  done
done

RATE=$(python3 - "$RESULTS" <<'PY'
import statistics, sys
values = [float(line.split("\t")[3]) for line in open(sys.argv[1]) if line.startswith("sat\tc\t")]
print(max(1, int(statistics.median(values) / 2)))
PY
)

if [ "$HAVE_BENCH" = 1 ]; then
  for round in $(seq 1 "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
      json=$WORK/bench-$target-$round.json
      # 2 s of warm-up at the same rate, not recorded: connections are opened and pools filled before
      # measuring, for every target alike.
      if ! "${HELPER_PIN[@]}" "$BIN" bench http "${URL[$target]}" --rate "$RATE" --connections "$CONNECTIONS" \
        --warmup 2 --duration "$DURATION" --json >"$json" 2>"$json.err"; then
        cat "$json.err" >&2
        die "bench failed on ${URL[$target]}"
      fi
      line=$(python3 - "$json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    result = json.loads(text)
except ValueError:  # tolerate lines printed before the object
    result = json.loads(text[text.index("{"):])
errors = result.get("errors", 0)
errors = sum(errors.values()) if isinstance(errors, dict) else int(errors)
latency = result["latency_ms"]
print(f'{latency["p50"]:.3f}\t{latency["p99"]:.3f}\t{result["throughput_rps"]:.0f}\t{errors}')
PY
)
      IFS=$'\t' read -r p50 p99 throughput errors <<<"$line"
      printf 'fixed rate  round %s  (%s)  %s req/s offered  p50 %s ms  p99 %s ms  %s req/s done  errors %s\n' \
        "$round" "$target" "$RATE" "$p50" "$p99" "$throughput" "$errors" >&2
      printf 'fixed\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$round" "$p50" "$p99" "$throughput" "$errors" >>"$RESULTS"
    done
  done
fi

# --- Gateway memory with 1000 idle keep-alive client connections ----------------------------------------------
echo "opening 1000 idle keep-alive connections to the gateway..." >&2
python3 - "$GW_PORT" "$PID_gateway" 1000 >>"$RESULTS" <<'PY'
import resource, select, socket, sys, time

port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = count + 64
if soft != resource.RLIM_INFINITY and soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else min(hard, want), hard))
request = f"GET /plain/idle HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: side-by-side\r\n\r\n".encode()

def read_response(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the gateway closed a connection before answering")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if " 200 " not in lines[0] + " ":
        raise SystemExit(f"unexpected answer: {lines[0]}")
    fields = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
    if fields.get("connection", "").lower() == "close":
        raise SystemExit("the gateway asked to close an idle keep-alive connection")
    if "content-length" in fields:
        length = int(fields["content-length"])
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed mid-body")
            rest += chunk
    else:  # chunked
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed mid-body")
            rest += chunk

connections = []
for _ in range(count):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request)
    read_response(sock)
    connections.append(sock)
time.sleep(2)
poller = select.poll()
for sock in connections:
    poller.register(sock, select.POLLIN)
closed = {fd for fd, _ in poller.poll(0)}  # an idle connection is only readable once the peer closed it
status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)
kib = lambda key: int(status[key].split()[0])
print(f"idle\t{count - len(closed)}\t{kib('VmRSS')}\t{kib('VmHWM')}")
for sock in connections:
    sock.close()
PY
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$PID_gateway/status")
sampled=$(cat "$WORK/rss-max" 2>/dev/null || echo 0)
printf 'peak\t%s\n' "$(( hwm > sampled ? hwm : sampled ))" >>"$RESULTS"

# --- Report -------------------------------------------------------------------------------------------------
export RESULTS OUT RATE DURATION ROUNDS CONNECTIONS WORKERS GATEWAY_LOOPS PLACEMENT HAVE_BENCH CPUS NGINX_PDP_ANSWER
export TARGET_LIST="${TARGETS[*]}"
export NGINX_VERSION=$(nginx -v 2>&1 | sed 's/.*nginx\///')
export WRK_VERSION=$(wrk -v 2>&1 | head -n1 | awk '{print $2}')
export GATEWAY_VERSION=$("$BIN" --version 2>/dev/null || echo unknown)
export COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
export CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
status=0
python3 - <<'PY' || status=$?
import os, statistics, time

env = os.environ
rows = [line.rstrip("\n").split("\t") for line in open(env["RESULTS"])]
targets = env["TARGET_LIST"].split()
rate = int(env["RATE"])
labels = {
    "0": "(0) upstream directly (reference)",
    "a": "(a) nginx `proxy_pass`, no auth",
    "b": "(b) nginx `auth_request` → mock PDP",
    "c": "(c) ping-auth-proxy, ping-auth both phases",
    "d": "(d) ping-auth-proxy, `skip_response_phase: true`",
    "e": "(e) ping-auth-proxy, route without plugin",
}
sat = {t: statistics.median(float(r[3]) for r in rows if r[0] == "sat" and r[1] == t) for t in targets}
sat_problems = {t: sum(int(r[4]) + int(r[5]) for r in rows if r[0] == "sat" and r[1] == t) for t in targets}
fixed = {}
for t in targets:
    runs = [r for r in rows if r[0] == "fixed" and r[1] == t]
    if runs:
        fixed[t] = {
            "p50": statistics.median(float(r[3]) for r in runs),
            "p99": statistics.median(float(r[4]) for r in runs),
            "done": statistics.median(float(r[5]) for r in runs),
            "errors": sum(int(r[6]) for r in runs),
        }
idle = next(r for r in rows if r[0] == "idle")
open_connections, idle_rss_kib, idle_hwm_kib = int(idle[1]), int(idle[2]), int(idle[3])
peak_kib = max(int(next(r for r in rows if r[0] == "peak")[1]), idle_hwm_kib, idle_rss_kib)

def num(value, digits=0):
    return f"{value:,.{digits}f}".replace(",", " ")

lines = []
lines.append(f"| target | req/s | ×(a) | ×(b) | p50 ms at {num(rate)}/s | p99 ms at {num(rate)}/s |")
lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
for t in targets:
    f = fixed.get(t)
    p50 = num(f["p50"], 2) if f else "n/a"
    p99 = num(f["p99"], 2) if f else "n/a"
    if f and (f["errors"] or f["done"] < 0.95 * rate):
        p99 += " ¹"
    mark = " ²" if sat_problems[t] else ""
    lines.append(
        f"| {labels[t]} | {num(sat[t])}{mark} | {sat[t] / sat['a']:.2f} | {sat[t] / sat['b']:.2f} | {p50} | {p99} |"
    )
lines.append("")
if any(f["errors"] or f["done"] < 0.95 * rate for f in fixed.values()):
    lines.append("¹ errors, or under 95 % of the offered rate completed: the target could not keep up with the rate.")
if any(sat_problems.values()):
    lines.append("² wrk counted non-2xx answers or socket errors in these runs.")
mib = lambda kib: kib / 1024
lines.append(f"Gateway RSS with {open_connections} of 1000 idle keep-alive client connections open: "
             f"{mib(idle_rss_kib):.1f} MiB (VmRSS).")
lines.append(f"Gateway peak RSS over the whole run (the larger of VmHWM and VmRSS sampled every 0.5 s; "
             f"saturation included): {mib(peak_kib):.1f} MiB.")
lines.append("")

checks = [
    ("(c) ≥ 0.5 × (a) req/s", sat["c"] >= 0.5 * sat["a"], f"{sat['c'] / sat['a']:.2f} ×"),
    ("(c) ≥ 1.0 × (b) req/s", sat["c"] >= 1.0 * sat["b"], f"{sat['c'] / sat['b']:.2f} ×"),
]
if "c" in fixed and "b" in fixed:
    checks.append((f"p99 of (c) ≤ p99 of (b) at {num(rate)} req/s", fixed["c"]["p99"] <= fixed["b"]["p99"],
                   f"{fixed['c']['p99']:.2f} ms vs {fixed['b']['p99']:.2f} ms"))
else:
    checks.append((f"p99 of (c) ≤ p99 of (b) at {num(rate)} req/s", None, "not measured (no `bench` command)"))
checks.append(("gateway RSS ≤ 64 MiB with 1000 open client connections",
               open_connections == 1000 and idle_rss_kib <= 64 * 1024,
               f"{mib(idle_rss_kib):.1f} MiB, {open_connections} connections open"))
failed = False
for name, ok, detail in checks:
    verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
    failed |= ok is False
    lines.append(f"- {verdict}: {name} ({detail})")
lines.append("")
lines.append(
    f"{time.strftime('%Y-%m-%d', time.gmtime())}, {env['CPUS']} × {env['CPU_MODEL']}; "
    f"saturation: wrk {env['WRK_VERSION']} -t1 -c{env['CONNECTIONS']}, {env['DURATION']} s × {env['ROUNDS']} "
    f"interleaved rounds, median; "
    + (f"fixed rate: `ping-auth-proxy bench http --rate {rate} --warmup 2` (half of (c)), "
       f"{env['DURATION']} s × {env['ROUNDS']} rounds, median; " if fixed else "fixed rate: not measured; ")
    + f"nginx {env['NGINX_VERSION']} with "
    f"{env['WORKERS']} workers, gateway {env['GATEWAY_VERSION']} ({env['COMMIT']}) with {env['GATEWAY_LOOPS']} event "
    f"loops; the mock PDP answers nginx's auth_request "
    + ("with an empty 200 (keep-alive; nginx's best case)" if env["NGINX_PDP_ANSWER"] == "empty"
       else "with the echoed request (nginx reconnects per request)")
    + f"; CPU placement {env['PLACEMENT']}."
)
report = "\n".join(lines) + "\n"
with open(env["OUT"], "w") as out:
    out.write(report)
print()
print(report, end="")
raise SystemExit(3 if failed else 0)
PY
echo "results written to $OUT"
if [ "$status" = 3 ] && [ "$STRICT" = 1 ]; then exit 3; fi
[ "$status" = 0 ] || [ "$status" = 3 ] || exit "$status"
exit 0
