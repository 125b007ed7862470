#!/usr/bin/env bash
# The whole test suite, on a fresh machine: unit, reducer, snapshot, simulator, PTY end-to-end
# and CLI tests. Extra arguments go to `cargo test` (e.g. scripts/test.sh --test e2e_demo).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked "$@"
