#!/usr/bin/env bash
# The whole test suite, on a fresh machine: unit, reducer, snapshot, simulator, PTY end-to-end,
# CLI, replayed-AWS and moto tests. Installs moto into .venv when missing and runs the tests
# with a moto server that scripts/moto.sh starts and stops. Extra arguments go to `cargo test`
# (e.g. scripts/test.sh --test e2e_demo).
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/moto.sh cargo test --locked "$@"
