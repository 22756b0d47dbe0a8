#!/usr/bin/env bash
# Quiz answers under load (make bench-quiz): BENCH_QUIZ_USERS seeded learners (300) each take
# topic quizzes for BENCH_QUIZ_SECS (30) against the release build on Postgres, one request in
# flight per learner (bench/quiz-load.mjs: start, then look at and answer every question).
# Runs one after another on the same server: learners who read each question for each of
# BENCH_QUIZ_THINK_MS ("5000 1000": a quick learner, and one faster than anyone reads;
# 0.5–1.5× at random), then learners who never pause (the server's capacity). Learners
# arrive over the first BENCH_QUIZ_RAMP_S seconds (5), every answer counted. Prints the load
# tool's figures (answers/s, p50/p99 of an answer, 5xx), the server's RSS before and after,
# and whether every acknowledged answer is a row in the database.
# Usage: scripts/bench-quiz.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
USERS="${BENCH_QUIZ_USERS:-300}"
SECS="${BENCH_QUIZ_SECS:-30}"
RAMP="${BENCH_QUIZ_RAMP_S:-5}"
PORT="${BENCH_PORT:-3011}"
work="target/bench-quiz"
mkdir -p "$work"

bench_build "${1:-}"
bench_database "pc_bench_quiz_$$"
echo "[bench] seeding $USERS learners"
bench_seed --users "$USERS" --answers 0 --out "$work/learners.csv"
# Enough connections for every learner's request at once.
bench_start "$PORT" 0-1 "$work/server.log" DATABASE_POOL_SIZE="${BENCH_POOL:-32}"
rss() { awk '/VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$app_pid/status"; }
acked=0
for think in ${BENCH_QUIZ_THINK_MS:-5000 1000} 0; do
  before=$(rss)
  node bench/quiz-load.mjs --app "http://127.0.0.1:$PORT" --sessions "$work/learners.csv" \
    --users "$USERS" --duration "$SECS" --think-ms "$think" --ramp-s "$RAMP" | tee "$work/result.json"
  echo "server RSS: $before MB before, $(rss) MB after"
  acked=$((acked + $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).answers_acked)' "$work/result.json")))
done
bench_stop
rows=$(psql "$bench_db_plain" -Atc "SELECT count(*) FROM quiz_items WHERE answered_at IS NOT NULL")
echo "answers acknowledged: $acked; answer rows in the database: $rows"
if [ "$acked" != "$rows" ]; then
  echo "bench-quiz: acknowledged answers and stored rows differ" >&2
  exit 1
fi
