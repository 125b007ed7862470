#!/usr/bin/env bash
# The whole test suite, on a fresh machine: unit, reducer, snapshot, simulator, PTY end-to-end,
# CLI, replayed-AWS, moto and Prism tests. Installs moto into .venv and Prism (pinned in
# package-lock.json) into node_modules when missing, and runs the tests with a moto server and a
# Prism mock of GitHub's API that scripts/moto.sh and scripts/prism.sh start and stop. Every
# bench runs too, once and small (criterion's test mode; the others' quick mode, the moto ones on
# the same moto), so a bench that no longer works fails here. Extra arguments go to `cargo test`
# (e.g. scripts/test.sh --test offline e2e_demo: one file of the offline binary). Ends with one
# line totalling every test binary: the unit tests, offline and live.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp -t deckwatch-test.XXXXXX.log)
trap 'rm -f "$log"' EXIT
# Every test target and every bench by default (the crate has no doc tests to run).
[ "$#" -gt 0 ] || set -- --tests --benches
status=0
scripts/moto.sh scripts/prism.sh cargo test --locked "$@" 2>&1 | tee "$log" || status=$?
# Only the summary line of each binary, not what a test may print.
passed=$(grep -E '^test result:' "$log" | grep -Eo '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
failed=$(grep -E '^test result:' "$log" | grep -Eo '[0-9]+ failed' | awk '{s += $1} END {print s + 0}')
echo "tests: $passed passed, $failed failed"
exit "$status"
