#!/usr/bin/env bash
# Server throughput against the release build on Postgres (make bench-server).
#
# Seeds BENCH_USERS learners × BENCH_ANSWERS answered challenges (`promptedcode seed`), then
# runs `wrk -t2 -c32` for BENCH_DURATION per scenario and prints, per scenario: req/s, p50,
# p99, responses that were not 2xx, the server's CPU time per request (from /proc) and the
# statements it sent per request (db_queries_total from /metrics). Every scenario runs twice:
# with the server on both cores, and pinned to one core (`taskset -c 0`, wrk on the other).
# The answer write uses learners seeded afterwards with open challenges only, so the reads
# see BENCH_USERS × BENCH_ANSWERS rows.
#
# Usage: scripts/bench-server.sh [--no-build]
#   BENCH_USERS=1000 BENCH_ANSWERS=1000 (1M rows, the default); 50 × 20 for a 1k-row table.
#   BENCH_RUNS=1 repeats each scenario and reports the median by req/s.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
USERS="${BENCH_USERS:-1000}"
ANSWERS="${BENCH_ANSWERS:-1000}"
DURATION="${BENCH_DURATION:-10s}"
RUNS="${BENCH_RUNS:-1}"
PORT="${BENCH_PORT:-3010}"
TOKEN="bench-metrics-token-0123456789"
work="target/bench-server"
mkdir -p "$work"

bench_build "${1:-}"
# BENCH_DB_OPTIONS="?sslmode=disable": no TLS to a Postgres on the same host.
bench_database "pc_bench_$$"
echo "[bench] seeding $USERS learners × $ANSWERS answers"
bench_seed --users "$USERS" --answers "$ANSWERS" --out "$work/readers.csv"
psql "$bench_db_plain" -qc "VACUUM ANALYZE" >/dev/null
rows=$(psql "$bench_db_plain" -Atc "SELECT count(*) FROM challenges")

# start_app CPUS: the release server (default settings) on those cores.
start_app() { bench_start "$PORT" "$1" "$work/server.log" METRICS_TOKEN="$TOKEN"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$app_pid/stat"; }
statements() {
  curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" |
    awk '/^db_queries_total /{print $2}'
}
to_ms() { # wrk's "1.23ms" / "850.00us" / "1.02s" → milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# Each wrk run answers its own slice of every writer's open challenges (SLICE per learner).
SLICE=100
next_slice() {
  local n
  n=$(cat "$work/slice" 2>/dev/null || echo 0)
  echo $((n + 1)) > "$work/slice"
  echo $((n * SLICE))
}

# scenario NAME METHOD PATH BODY SESSIONS WRK_CPUS: one line of the table.
scenario() {
  local name=$1 method=$2 path=$3 body=$4 sessions=$5 wrk_cpus=$6
  local lines=() line
  for _ in $(seq 1 "$RUNS"); do
    # Warm-up (not counted): connections, statement caches, the allocator.
    bench_wrk "$sessions" "$method" "$path" "$body" "$(next_slice)" "$wrk_cpus" -d2s >/dev/null
    local ticks0 q0 ticks1 q1 out
    ticks0=$(cpu_ticks); q0=$(statements)
    out=$(bench_wrk "$sessions" "$method" "$path" "$body" "$(next_slice)" "$wrk_cpus" -d"$DURATION" --latency)
    ticks1=$(cpu_ticks); q1=$(statements)
    local total rps p50 p99 bad errors
    total=$(awk '/requests in/{print $1}' <<<"$out")
    rps=$(awk '/^Requests\/sec/{printf "%.0f", $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")
    bad=$(awk '/Non-2xx/{print $NF}' <<<"$out"); bad=${bad:-0}
    errors=$(awk '/Socket errors/{gsub(",", ""); print $4 + $6 + $8 + $10}' <<<"$out"); errors=${errors:-0}
    local hz cpu_ms per_req
    hz=$(getconf CLK_TCK)
    cpu_ms=$(awk -v t="$((ticks1 - ticks0))" -v n="$total" -v hz="$hz" 'BEGIN { printf "%.3f", t * 1000 / hz / n }')
    per_req=$(awk -v q="$((q1 - q0))" -v n="$total" 'BEGIN { printf "%.2f", q / n }')
    line=$(printf "| %-38s | %7s | %6s | %7s | %5s | %10s | %9s |" "$name" "$rps" "$p50" "$p99" "$((bad + errors))" "$cpu_ms" "$per_req")
    lines+=("$rps:$line")
  done
  # The median run by req/s.
  printf '%s\n' "${lines[@]}" | sort -t: -k1,1n | sed -n "$(( (RUNS + 1) / 2 ))p" | cut -d: -f2-
}

header() {
  echo
  echo "### $1 ($rows challenge rows; wrk -t2 -c32 -d$DURATION)"
  echo "| scenario                               |   req/s | p50 ms |  p99 ms | !2xx  | CPU ms/req | stmts/req |"
  echo "|----------------------------------------|---------|--------|---------|-------|------------|-----------|"
}

report="$work/report.md"
: > "$report"
placements=("both cores:0-1:0-1" "one core:0:1")
for placement in "${placements[@]}"; do
  IFS=: read -r label server_cpus wrk_cpus <<<"$placement"
  start_app "$server_cpus"
  {
    header "reads, server on $label"
    scenario "GET / (dashboard)" GET "/" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /history (page 1)" GET "/history" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /history?topic=stack&result=wrong" GET "/history?topic=stack&result=wrong" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /history?q=binary+search&kind=challenge" GET "/history?q=binary+search&kind=challenge" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /progress (30 days)" GET "/progress" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /progress?days=90" GET "/progress?days=90" "" "$work/readers.csv" "$wrk_cpus"
    scenario "GET /plan" GET "/plan" "" "$work/readers.csv" "$wrk_cpus"
    scenario "POST /api/history (server fn)" POST "/api/history" "page=1" "$work/readers.csv" "$wrk_cpus"
  } | tee -a "$report"
  bench_stop
done

# Open challenges for the write runs: enough for every answer wrk sends in all of them.
bench_seed --users 1000 --answers 0 \
  --open "$(( SLICE * RUNS * 2 * ${#placements[@]} ))" --out "$work/writers.csv"
echo 0 > "$work/slice"
for placement in "${placements[@]}"; do
  IFS=: read -r label server_cpus wrk_cpus <<<"$placement"
  start_app "$server_cpus"
  {
    header "write, server on $label"
    scenario "POST /api/challenge/answer" POST "/api/challenge/answer" "answer" "$work/writers.csv" "$wrk_cpus"
  } | tee -a "$report"
  bench_stop
done
echo
echo "[bench] tables in $report"
