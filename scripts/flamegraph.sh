#!/usr/bin/env bash
# A CPU flamegraph of the release server under load (make flamegraph): seeds Postgres as
# bench-server does (BENCH_USERS × BENCH_ANSWERS, default 200 × 1000), runs wrk at one
# request kind while `perf record` samples the server, and writes
# target/flamegraph/<name>.svg (open it in a browser) plus the folded stacks.
# Usage: scripts/flamegraph.sh [--no-build] [NAME METHOD PATH BODY]...
#   default: dashboard GET / ; history GET /history ; history-fn POST /api/history page=1
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
PORT="${BENCH_PORT:-3011}"
# perf would otherwise try to fetch debug info over the network for every library.
export DEBUGINFOD_URLS=""
bench_build "${1:-}"
[ "${1:-}" != "--no-build" ] || shift
command -v perf >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-perf >/dev/null
command -v inferno-flamegraph >/dev/null || cargo install inferno --locked
[ $# -gt 0 ] || set -- dashboard GET / "" history GET /history "" history-fn POST /api/history page=1

out=target/flamegraph
mkdir -p "$out"
bench_database "pc_flame_$$"
bench_seed --users "${BENCH_USERS:-200}" --answers "${BENCH_ANSWERS:-1000}" --out "$out/sessions.csv"
bench_start "$PORT" 0 "$out/server.log"

while [ $# -ge 4 ]; do
  name=$1 method=$2 path=$3 body=$4; shift 4
  load() { bench_wrk "$out/sessions.csv" "$method" "$path" "$body" 0 1 -d"$1" >/dev/null; }
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
