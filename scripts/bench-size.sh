#!/usr/bin/env bash
# Builds the release site and reports the browser bundle size (raw / gzip / brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress
node bench/size.mjs target/site/pkg
