#!/usr/bin/env bash
# Memory under load (make bench-memory): the release server on a seeded Postgres
# (BENCH_USERS × BENCH_ANSWERS, default 200 × 1000), then per endpoint wrk -t2 -c32 in
# 5-second rounds until BENCH_REQUESTS (default 100,000) requests were answered, printing the
# server's RSS after the first 10,000 and at the end. Endpoints run one after another in
# one process, so the last figures include everything before them.
# Usage: scripts/bench-memory.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${BENCH_PORT:-3013}"
TARGET="${BENCH_REQUESTS:-100000}"
if [ "${1:-}" = "--no-build" ]; then shift; else
  scripts/ensure-tools.sh
  cargo leptos build --release --precompress --split
fi
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
out=target/bench-memory
mkdir -p "$out"
db="pc_memory_$$"
url="${PG_ADMIN_URL%/*}/$db${BENCH_DB_OPTIONS:-}"
app_pid=""
cleanup() {
  [ -z "$app_pid" ] || { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
DATABASE_URL="$url" RUST_LOG=warn target/release/promptedcode seed \
  --users "${BENCH_USERS:-200}" --answers "${BENCH_ANSWERS:-1000}" --open 2000 \
  --out "$out/sessions.csv" >/dev/null
DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_URL="http://127.0.0.1:$PORT" \
LEPTOS_OUTPUT_NAME=promptedcode LEPTOS_SITE_ROOT=target/site RUST_LOG=warn POOL_TARGET=0 \
  target/release/promptedcode > "$out/server.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$app_pid/status"; }

echo "server RSS at start: $(rss) MB"
echo "| endpoint | RSS after 10k requests | RSS after ${TARGET} | change |"
echo "|---|---|---|---|"
offset=0
for spec in "GET:/:" "GET:/history:" "POST:/api/history:page=1" "POST:/api/challenge/answer:answer"; do
  IFS=: read -r method path body <<<"$spec"
  done_requests=0 at_10k=""
  while [ "$done_requests" -lt "$TARGET" ]; do
    result=$(BENCH_SESSIONS="$out/sessions.csv" BENCH_METHOD="$method" BENCH_PATH="$path" \
      BENCH_BODY="$body" BENCH_ORIGIN="http://127.0.0.1:$PORT" BENCH_THREADS=2 \
      BENCH_OPEN_OFFSET="$offset" \
      wrk -t2 -c32 -d5s -s bench/wrk/learners.lua "http://127.0.0.1:$PORT")
    n=$(awk '/requests in/{print $1}' <<<"$result")
    bad=$(awk '/Non-2xx/{print $NF}' <<<"$result")
    [ -z "$bad" ] || { echo "bench-memory: $bad responses were not 2xx on $path" >&2; exit 1; }
    done_requests=$((done_requests + n))
    # Each answer run takes the next open challenges of every learner.
    # (threads split the learners unevenly by a little: twice the mean is room enough).
    [ "$body" != answer ] || offset=$((offset + n * 2 / ${BENCH_USERS:-200} + 2))
    if [ -z "$at_10k" ] && [ "$done_requests" -ge 10000 ]; then at_10k=$(rss); fi
  done
  end=$(rss)
  echo "| $method $path | $at_10k MB | $end MB ($done_requests) | $(awk -v a="$at_10k" -v b="$end" 'BEGIN { printf "%+.1f %%", (b - a) * 100 / a }') |"
done
sleep 10
echo "server RSS after 10 s idle: $(rss) MB"
