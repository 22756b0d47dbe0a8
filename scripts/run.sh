#!/usr/bin/env bash
# Serves PromptedCode on http://127.0.0.1:3000 with no configuration: a SQLite file
# (promptedcode.db) and the curated question bank. Environment variables override
# the defaults (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
exec cargo leptos serve --release --precompress --split
