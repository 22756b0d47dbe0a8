# Shared by the server benchmarks (bench-server.sh, bench-memory.sh, flamegraph.sh); sourced.
# The release server on a scratch Postgres database seeded by `promptedcode seed`, and wrk
# driving it as the seeded learners (bench/wrk/learners.lua).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
bin=target/release/promptedcode
app_pid=""

# bench_build ARGS: the release build (the end-to-end flags, so one build serves both),
# unless the first argument is --no-build.
bench_build() {
  if [ "${1:-}" != "--no-build" ]; then
    scripts/ensure-tools.sh
    cargo leptos build --release --precompress --split
  fi
  [ -x "$bin" ] || { echo "bench: no release server at $bin (run without --no-build)" >&2; exit 2; }
  command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
}

bench_stop() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  app_pid=""
}

# bench_database NAME: creates it (dropped on exit) and sets bench_db_url; BENCH_DB_OPTIONS
# is appended to the URL the server uses (e.g. "?sslmode=disable").
bench_database() {
  bench_db_name="$1"
  bench_db_plain="${PG_ADMIN_URL%/*}/$1"
  bench_db_url="$bench_db_plain${BENCH_DB_OPTIONS:-}"
  trap 'bench_stop; psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $bench_db_name WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $1" >/dev/null
}

# bench_seed ARGS…: `promptedcode seed` on that database.
bench_seed() {
  DATABASE_URL="$bench_db_url" RUST_LOG=warn "$bin" seed "$@" >/dev/null
}

# bench_start PORT CPUS LOG [NAME=VALUE…]: the release server on those cores, ready.
bench_start() {
  local port=$1 cpus=$2 log=$3
  shift 3
  env DATABASE_URL="$bench_db_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    PUBLIC_URL="http://127.0.0.1:$port" LEPTOS_OUTPUT_NAME=promptedcode \
    LEPTOS_SITE_ROOT=target/site RUST_LOG=warn POOL_TARGET=0 "$@" \
    taskset -c "$cpus" "$bin" > "$log" 2>&1 &
  app_pid=$!
  bench_port=$port
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "bench: the server did not become ready; see $log" >&2
  exit 1
}

# bench_wrk SESSIONS METHOD PATH BODY OPEN_OFFSET CPUS WRK_ARGS…: wrk -t2 -c32 as the learners
# (BODY "answer": each learner's next open challenge, from OPEN_OFFSET on).
bench_wrk() {
  local sessions=$1 method=$2 path=$3 body=$4 offset=$5 cpus=$6
  shift 6
  BENCH_SESSIONS="$sessions" BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_BODY="$body" \
  BENCH_ORIGIN="http://127.0.0.1:$bench_port" BENCH_THREADS=2 BENCH_OPEN_OFFSET="$offset" \
    taskset -c "$cpus" wrk -t2 -c32 "$@" -s bench/wrk/learners.lua "http://127.0.0.1:$bench_port"
}
