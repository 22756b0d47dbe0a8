#!/usr/bin/env bash
# Soak: many concurrent server-rendered requests at every page of the release build (plain
# GETs with a session cookie, as a browser without JavaScript sends them, with and without
# ?id= / ?topic= variants, mixed with server-function calls), on 2 worker threads, on
# SQLite and on Postgres. bench/soak.mjs counts hung responses (not complete within 5 s);
# a second pass drops requests mid-flight, after which the server log must hold no panic.
# Usage: scripts/soak.sh [--no-build] [--requests N] [--duration S] [--drop-requests N]
#   make bench-soak   long run (10 minutes per backend), figures in target/soak-*.json
#   CI (scripts/test.sh) runs --no-build --requests 20000 after the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

build=1
requests=20000
duration=0
drop_requests=4000
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --requests) requests="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --drop-requests) drop_requests="$2"; shift ;;
    *) echo "usage: scripts/soak.sh [--no-build] [--requests N] [--duration S] [--drop-requests N]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ]; then
  scripts/ensure-tools.sh
  cargo leptos build --release --precompress --split
fi
bin="${SOAK_BIN:-target/release/promptedcode}"
[ -x "$bin" ] || { echo "soak: no release server at $bin (run without --no-build)" >&2; exit 2; }

pg_db="pc_soak_$$"
sqlite_file="$PWD/target/soak-$$.db"
app_pid=""
stop_app() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$app_pid" 2>/dev/null; then
      echo "soak: the server ignored SIGTERM for 30 s; killing it" >&2
      kill -9 "$app_pid" 2>/dev/null || true
    fi
    wait "$app_pid" 2>/dev/null || true
  fi
  app_pid=""
}
# dump_threads BACKEND PORT: when the server stopped answering, keep its threads' stacks.
dump_threads() {
  if ! curl -fsS -m 3 "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && command -v gdb >/dev/null; then
    gdb -p "$app_pid" -batch -ex "thread apply all bt 30" > "target/soak-$1-threads.txt" 2>&1 || true
    echo "soak: the $1 server stopped answering; thread stacks in target/soak-$1-threads.txt" >&2
  fi
}
cleanup() {
  stop_app
  rm -f "$sqlite_file" "$sqlite_file-wal" "$sqlite_file-shm"
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# start_app BACKEND PORT: the release server on a fresh database, two worker threads.
start_app() {
  local url
  case "$1" in
    sqlite) rm -f "$sqlite_file"*; url="sqlite://$sqlite_file?mode=rwc" ;;
    postgres)
      psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
      psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $pg_db" >/dev/null
      url="${PG_ADMIN_URL%/*}/$pg_db" ;;
  esac
  # The driver signs up its users from one address: the per-address limit is raised.
  REGISTER_RATE_PER_IP=1000/3600 \
  TOKIO_WORKER_THREADS=2 DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$2" PUBLIC_URL="http://127.0.0.1:$2" \
  LEPTOS_OUTPUT_NAME=promptedcode LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
    "$bin" > "target/soak-$1.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "soak: the $1 server did not become ready; see target/soak-$1.log" >&2
  cat "target/soak-$1.log" >&2
  exit 1
}

failed=0
port=3005
for backend in ${SOAK_BACKENDS:-sqlite postgres}; do
  start_app "$backend" "$port"
  if ! node bench/soak.mjs --app "http://127.0.0.1:$port" --label "$backend" \
      --requests "$requests" --duration "$duration" --concurrency 32 --timeout-ms 5000 \
      --json "target/soak-$backend.json"; then
    failed=1
    dump_threads "$backend" "$port"
  fi
  if [ "$drop_requests" -gt 0 ]; then
    if ! node bench/soak.mjs --app "http://127.0.0.1:$port" --label "$backend-drop" \
        --requests "$drop_requests" --concurrency 32 --drop 0.3 --users 5 --setup-answers 5 \
        --json "target/soak-$backend-drop.json"; then
      failed=1
    fi
  fi
  if grep -n "panicked" "target/soak-$backend.log"; then
    echo "soak: the $backend server panicked (above; log in target/soak-$backend.log)" >&2
    failed=1
  fi
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "soak: the $backend server died; see target/soak-$backend.log" >&2
    failed=1
  fi
  stop_app
  port=$((port + 1))
done
if [ "$failed" = 1 ]; then
  echo "soak: FAILED" >&2
  exit 1
fi
echo "soak: passed (figures in target/soak-*.json)"
