#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, integration tests on SQLite and on
# a real Postgres, the bank checks (executing snippets), and end-to-end tests in Chromium
# against the release build. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
log() { printf '\033[1;32m[test]\033[0m %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

scripts/ensure-tools.sh --browser
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# A one-off build gains nothing from incremental state, which costs gigabytes of disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_DATABASE_URL="$PG_ADMIN_URL"
if ! psql "$PG_ADMIN_URL" -Atqc 'select 1' >/dev/null 2>&1; then
  echo "error: Postgres is not reachable at $PG_ADMIN_URL." >&2
  echo "The tests need a real Postgres (trust auth as user postgres); start it or set TEST_DATABASE_URL." >&2
  exit 1
fi

log "formatting"
cargo fmt --all -- --check

log "clippy (server and browser builds)"
cargo clippy --features ssr --all-targets -- -D warnings
cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

log "unit + integration tests (SQLite and Postgres)"
cargo test --workspace --features ssr -- --nocapture 2>&1 | tee target/cargo-test.log
grep -E '^test result:' target/cargo-test.log | awk '{p+=$4; f+=$6} END {printf "rust tests: %d passed, %d failed\n", p, f}'

log "end-to-end (release build, Chromium, local OpenAI-compatible mock)"
# Ports the kernel says are free right now, so a stray server cannot break the run.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
e2e_db="pc_e2e_$$"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $e2e_db" >/dev/null
cargo build --quiet --features ssr --example mock_llm
mock_addr="127.0.0.1:$(free_port)"
app_addr="127.0.0.1:$(free_port)"
idp_port="$(free_port)"
target/debug/examples/mock_llm "$mock_addr" > target/mock_llm.log 2>&1 &
mock_pid=$!
# A real OpenID provider for the sign-in specs: one client, the app's exact callback.
idp_secret="e2e-client-secret-$$"
OIDC_PORT="$idp_port" OIDC_CLIENTS="[{\"client_id\":\"promptedcode\",\"client_secret\":\"$idp_secret\",\"redirect_uris\":[\"http://$app_addr/auth/callback/testidp\"],\"post_logout_redirect_uris\":[\"http://$app_addr/login\"]}]" \
  node end2end/oidc-provider.mjs > target/oidc-provider.log 2>&1 &
idp_pid=$!
cleanup() {
  kill "$mock_pid" "$idp_pid" 2>/dev/null || true
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $e2e_db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://$mock_addr/stats" >/dev/null 2>&1 && break
  if ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "error: the mock LLM server exited; see target/mock_llm.log" >&2
    exit 1
  fi
  sleep 0.1
done
curl -fsS "http://$mock_addr/stats" >/dev/null || { echo "error: the mock LLM server did not come up at $mock_addr" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$idp_port/__test/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$idp_port/__test/health" >/dev/null || { echo "error: the OIDC provider did not come up; see target/oidc-provider.log" >&2; exit 1; }
base="${PG_ADMIN_URL%/*}"
# `cargo leptos end-to-end` exits 0 even when the build or a spec fails: build first (that
# exit status is honest), then read Playwright's own verdict.
cargo leptos build --release --precompress --split
rm -f end2end/test-results/.last-run.json
# The specs sign up dozens of accounts from one address: the per-address limits are raised
# here (the Rust tests check the default ones).
DATABASE_URL="$base/$e2e_db" \
LEPTOS_SITE_ADDR="$app_addr" \
LEPTOS_RELOAD_PORT="$(free_port)" \
PUBLIC_URL="http://$app_addr" \
E2E_BASE_URL="http://$app_addr" \
LLM_BASE_URL="http://$mock_addr/v1" \
LLM_MODEL=fresh-slow \
POOL_TARGET=0 \
REGISTER_RATE_PER_IP=1000/3600 \
LOGIN_RATE_PER_IP=1000/300 \
MOCK_LLM_URL="http://$mock_addr" \
AUTH_PROVIDERS=testidp \
AUTH_TESTIDP_NAME="Test IdP" \
AUTH_TESTIDP_ISSUER="http://127.0.0.1:$idp_port" \
AUTH_TESTIDP_CLIENT_ID=promptedcode \
AUTH_TESTIDP_CLIENT_SECRET="$idp_secret" \
E2E_IDP_URL="http://127.0.0.1:$idp_port" \
  cargo leptos end-to-end --release --precompress --split
if ! grep -q '"status": *"passed"' end2end/test-results/.last-run.json 2>/dev/null; then
  echo "error: end-to-end specs did not pass:" >&2
  cat end2end/test-results/.last-run.json >&2 2>/dev/null || echo "(no Playwright result)" >&2
  exit 1
fi

log "soak (the release server from the end-to-end step, SQLite and Postgres)"
scripts/soak.sh --no-build --requests 20000

log "initial load per entry route (the release build from the end-to-end step)"
# The issue's budget: at most 180 KB of wasm (brotli) before any entry page is interactive
# (/challenge: 178 KB today); and a guard on everything fetched (wasm + JS + CSS: 183 KiB).
scripts/bench-size.sh --no-build --wasm-budget-kb "${WASM_BUDGET_KB:-180}" \
  --budget-kib "${INITIAL_LOAD_BUDGET_KIB:-190}"

log "all tests passed"
