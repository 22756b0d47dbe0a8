#!/usr/bin/env bash
# A CPU flamegraph of the release server under load (make flamegraph): seeds Postgres as
# bench-server does (BENCH_USERS × BENCH_ANSWERS, default 200 × 1000), runs wrk at one
# request kind while `perf record` samples the server, and writes
# target/flamegraph/<name>.svg (open it in a browser) plus the folded stacks.
# Usage: scripts/flamegraph.sh [--no-build] [NAME METHOD PATH BODY]...
#   default: dashboard GET / ; history GET /history ; history-fn POST /api/history page=1
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${BENCH_PORT:-3011}"
# perf would otherwise try to fetch debug info over the network for every library.
export DEBUGINFOD_URLS=""
if [ "${1:-}" = "--no-build" ]; then shift; else
  scripts/ensure-tools.sh
  cargo leptos build --release --precompress --split
fi
for tool in perf wrk; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "$([ "$tool" = perf ] && echo linux-perf || echo wrk)" >/dev/null
done
command -v inferno-flamegraph >/dev/null || cargo install inferno --locked
[ $# -gt 0 ] || set -- dashboard GET / "" history GET /history "" history-fn POST /api/history page=1

out=target/flamegraph
mkdir -p "$out"
db="pc_flame_$$"
url="${PG_ADMIN_URL%/*}/$db"
app_pid=""
cleanup() {
  [ -z "$app_pid" ] || { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
DATABASE_URL="$url" RUST_LOG=warn target/release/promptedcode seed \
  --users "${BENCH_USERS:-200}" --answers "${BENCH_ANSWERS:-1000}" --out "$out/sessions.csv" >/dev/null
DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_URL="http://127.0.0.1:$PORT" \
LEPTOS_OUTPUT_NAME=promptedcode LEPTOS_SITE_ROOT=target/site RUST_LOG=warn POOL_TARGET=0 \
  taskset -c 0 target/release/promptedcode > "$out/server.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done

while [ $# -ge 4 ]; do
  name=$1 method=$2 path=$3 body=$4; shift 4
  load() {
    BENCH_SESSIONS="$out/sessions.csv" BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_BODY="$body" \
    BENCH_ORIGIN="http://127.0.0.1:$PORT" BENCH_THREADS=2 \
      taskset -c 1 wrk -t2 -c32 -d"$1" -s bench/wrk/learners.lua "http://127.0.0.1:$PORT" >/dev/null
  }
  load 2s
  load 12s &
  load_pid=$!
  sleep 1
  perf record -F 499 -g --call-graph dwarf,16384 -p "$app_pid" -o "$out/$name.data" -- sleep 8 2>/dev/null >/dev/null
  wait "$load_pid"
  perf script --no-inline -i "$out/$name.data" 2>/dev/null | inferno-collapse-perf > "$out/$name.folded"
  inferno-flamegraph --title "promptedcode: $method $path" < "$out/$name.folded" > "$out/$name.svg"
  rm -f "$out/$name.data"
  echo "[flamegraph] $out/$name.svg"
done
