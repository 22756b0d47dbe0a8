#!/usr/bin/env bash
# Installs what building and testing PromptedCode needs, and only what is missing:
# the wasm target, wasm-bindgen-cli (matching the pinned crate), cargo-leptos (built from
# source, no downloads), Chromium for Playwright and the npm test/build helpers.
# Usage: scripts/ensure-tools.sh [--browser]   (--browser also installs Chromium + npm deps)
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
CARGO_LEPTOS_VERSION=0.3.11
log() { printf '\033[1;34m[tools]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  # The published lockfile pins cargo-util-schemas 0.14.2, which needs a newer rustc than
  # the machine's; 0.14.1 builds. `no_downloads` stops it fetching binaries at run time.
  log "building cargo-leptos $CARGO_LEPTOS_VERSION from source (about 30 minutes on 2 cores)"
  cargo info "cargo-leptos@$CARGO_LEPTOS_VERSION" >/dev/null
  src=$(ls -d "$HOME"/.cargo/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  work=$(mktemp -d)
  cp -r "$src" "$work/cargo-leptos"
  (
    cd "$work/cargo-leptos"
    cargo update -p cargo-util-schemas --precise 0.14.1
    cargo install --path . --locked --features no_downloads --force
  )
  rm -rf "$work"
fi

if [ "${1:-}" = "--browser" ] || [ "${1:-}" = "--all" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    log "installing Debian chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q chromium
  fi
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/playwright-core ] \
  || [ ! -d end2end/node_modules/oidc-provider ]; then
  log "installing npm packages for end2end (@playwright/test, binaryen for wasm-opt, oidc-provider for the sign-in tests)"
  (cd end2end && npm ci --no-audit --no-fund)
fi
log "tools ready"
