#!/usr/bin/env bash
# Memory under load (make bench-memory): the release server on a seeded Postgres
# (BENCH_USERS × BENCH_ANSWERS, default 200 × 1000), then per endpoint wrk -t2 -c32 in
# 5-second rounds until BENCH_REQUESTS (default 100,000) requests were answered, printing the
# server's RSS after the first 10,000 and at the end. Endpoints run one after another in
# one process, so the last figures include everything before them.
# Usage: scripts/bench-memory.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
PORT="${BENCH_PORT:-3013}"
TARGET="${BENCH_REQUESTS:-100000}"
out=target/bench-memory
mkdir -p "$out"
bench_build "${1:-}"
bench_database "pc_memory_$$"
bench_seed --users "${BENCH_USERS:-200}" --answers "${BENCH_ANSWERS:-1000}" --open 2000 \
  --out "$out/sessions.csv"
bench_start "$PORT" "0-$(( $(nproc) - 1 ))" "$out/server.log"
rss() { awk '/VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$app_pid/status"; }

echo "server RSS at start: $(rss) MB"
echo "| endpoint | RSS after 10k requests | RSS after ${TARGET} | change |"
echo "|---|---|---|---|"
offset=0
for spec in "GET:/:" "GET:/history:" "POST:/api/history:page=1" "POST:/api/challenge/answer:answer"; do
  IFS=: read -r method path body <<<"$spec"
  done_requests=0 at_10k=""
  while [ "$done_requests" -lt "$TARGET" ]; do
    result=$(bench_wrk "$out/sessions.csv" "$method" "$path" "$body" "$offset" \
      "0-$(( $(nproc) - 1 ))" -d5s)
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
