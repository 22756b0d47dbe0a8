#!/usr/bin/env bash
# The duplicate check at 1k, 10k and 100k questions in a topic, on Postgres (bench/dedup.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo bench --features ssr --bench dedup
