#!/usr/bin/env bash
# Proxy overhead, memory and warm-pool benchmark (not a test; prints figures). Builds the
# release server, starts the local OpenAI-compatible mock with fixed latency, runs the app
# on a fresh Postgres database and drives both with bench/proxy.mjs.
# Usage: scripts/bench-proxy.sh [relay] [rss] [pool]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo leptos build --release --precompress --split
# The upstream is built optimised too: it shares the two cores with the app and the client.
cargo build --quiet --release --features ssr --example mock_llm
phases="${*:-relay rss pool}"

db="pc_bench_$$"
mock_addr=127.0.0.1:3901
app_addr=127.0.0.1:3002
db_url="${PG_ADMIN_URL%/*}/$db"
target/release/examples/mock_llm "$mock_addr" > target/bench-mock.log 2>&1 &
mock_pid=$!
app_pid=""
stop_app() {
  if [ -n "$app_pid" ]; then kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; fi
  app_pid=""
}
cleanup() {
  stop_app
  kill "$mock_pid" 2>/dev/null || true
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# start_app MODEL POOL_TARGET: the release server on a fresh database.
start_app() {
  stop_app
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
  DATABASE_URL="$db_url" LEPTOS_SITE_ADDR="$app_addr" PUBLIC_URL="http://$app_addr" \
  LEPTOS_OUTPUT_NAME=promptedcode LEPTOS_SITE_ROOT=target/site \
  LLM_BASE_URL="http://$mock_addr/v1" LLM_MODEL="$1" POOL_TARGET="$2" \
  LLM_MAX_CONCURRENCY=2000 DAILY_QUOTA=1000000 RUST_LOG=warn \
  REGISTER_RATE_PER_IP=100000/3600 GENERATE_RATE_PER_USER=100000/60 \
    target/release/promptedcode > "target/bench-app-$1.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "http://$app_addr/readyz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "app did not become ready; see target/bench-app-$1.log" >&2
  exit 1
}

echo "machine: $(nproc) cores; app, upstream, client and Postgres all run here"
for phase in $phases; do
  case "$phase" in
    relay)
      echo "== relay: upstream sends a piece every 10 ms after 50 ms; delays per piece, straight vs through the app"
      start_app bench 0
      node bench/proxy.mjs --phase relay --app "http://$app_addr" --mock "http://$mock_addr" ;;
    rss)
      echo "== memory: 1000 concurrent streams through the app (upstream holds each for 20 s)"
      start_app bench-hold 0
      node bench/proxy.mjs --phase rss --app "http://$app_addr" --pid "$app_pid" --streams 1000 ;;
    pool)
      echo "== warm pool: time to show a challenge when the pool has questions ready"
      start_app bench 60
      node bench/proxy.mjs --phase pool --app "http://$app_addr" --db "$db_url" --target 60 --samples 50 ;;
    *) echo "unknown phase $phase (relay, rss, pool)" >&2; exit 2 ;;
  esac
done
