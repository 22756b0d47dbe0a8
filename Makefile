# The two commands: `make run` serves the app, `make test` runs every test.
# Both install what is missing first (see scripts/ensure-tools.sh).
.PHONY: run test tools bench-size bank-stats

run:
	scripts/run.sh

test:
	scripts/test.sh

tools:
	scripts/ensure-tools.sh --browser

bench-size:
	scripts/bench-size.sh

bank-stats:
	cargo run --quiet --features ssr --bin promptedcode -- bank-stats
