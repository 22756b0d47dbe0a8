# The two commands: `make run` serves the app, `make test` runs every test.
# Both install what is missing first (see scripts/ensure-tools.sh).
.PHONY: run test tools bench-size bench-server bench-quiz bench-memory flamegraph bench-dedup bench-proxy bench-soak test-llm bank-stats

run:
	scripts/run.sh

test:
	scripts/test.sh

tools:
	scripts/ensure-tools.sh --browser

bench-size:
	scripts/bench-size.sh

# Throughput on Postgres with 1,000 learners × 1,000 answers (wrk; both cores and one core).
bench-server:
	scripts/bench-server.sh

# 300 learners taking quizzes for 30 s: answers/s, p50/p99, 5xx, RSS, acks == rows (Postgres).
bench-quiz:
	scripts/bench-quiz.sh

# RSS after 10k and after 100k requests to each endpoint (Postgres).
bench-memory:
	scripts/bench-memory.sh

# perf + inferno flamegraphs of the release server under load: target/flamegraph/*.svg.
flamegraph:
	scripts/flamegraph.sh

# One duplicate check against 1k, 10k and 100k stored questions of a topic (Postgres).
bench-dedup:
	scripts/bench-dedup.sh

# Proxy overhead, RSS at 1000 streams and warm-pool latency (prints figures).
bench-proxy:
	scripts/bench-proxy.sh

# Hung responses under load: 10 minutes per backend (SQLite, Postgres) against the release
# build on 2 worker threads, then a run that drops requests mid-flight (prints figures).
bench-soak:
	scripts/soak.sh --duration 600 --requests 100000000

# Optional, not in CI: the generation flow against a real llama.cpp server.
test-llm:
	scripts/test-llm.sh

bank-stats:
	cargo run --quiet --features ssr --bin promptedcode -- bank-stats
