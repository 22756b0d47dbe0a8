#!/usr/bin/env bash
# What the browser downloads (make bench-size): builds the release site, serves it on a
# scratch SQLite database, and prints per entry route the bytes Chromium fetches before the
# page is interactive, then every file and the total of all chunks (raw / gzip / brotli).
# Usage: scripts/bench-size.sh [--no-build] [--budget-kib N] [--wasm-budget-kb W]
#   (fail when a route fetches above N KiB brotli in all, or above W KB of wasm brotli)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
build=1
budget=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --budget-kib) budget+=(--budget-kib "$2"); shift ;;
    --wasm-budget-kb) budget+=(--wasm-budget-kb "$2"); shift ;;
    *) echo "usage: scripts/bench-size.sh [--no-build] [--budget-kib N] [--wasm-budget-kb W]" >&2; exit 2 ;;
  esac
  shift
done
# Chromium measures what each route loads.
scripts/ensure-tools.sh --browser
if [ "$build" = 1 ]; then
  # The same flags as the end-to-end build, so one build serves both.
  cargo leptos build --release --precompress --split
fi
port="${SIZE_PORT:-3012}"
db="$PWD/target/size-$$.db"
DATABASE_URL="sqlite://$db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
LEPTOS_OUTPUT_NAME=promptedcode LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
  target/release/promptedcode > target/size-server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$db"*' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat target/size-server.log >&2; exit 1; }
  sleep 0.5
done
node bench/size.mjs target/site/pkg --app "http://127.0.0.1:$port" "${budget[@]}"
