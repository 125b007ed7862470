#!/usr/bin/env bash
# Runs the demo console in a terminal (a detached tmux session of its own) for a while and
# samples its resident memory, so a store that grows with time shows as a rising curve.
#
#   scripts/soak.sh [SECONDS] [INTERVAL] [BINARY]
#
# Defaults: 600 seconds, a sample every 10 s, target/debug/deckwatch (build it first with
# `cargo build`). Prints one line per sample: seconds since start and VmRSS in KiB. The console
# runs on the services pane with a fresh home, 120x40, and is ended with SIGTERM at the end.
set -euo pipefail
secs="${1:-600}"
every="${2:-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${3:-${CARGO_TARGET_DIR:-$root/target}/debug/deckwatch}"
[ -x "$bin" ] || { echo "soak.sh: no binary at $bin (run cargo build)" >&2; exit 1; }
home="$(mktemp -d -t deckwatch-soak.XXXXXX)"
session="deckwatch-soak-$$"
cleanup() {
    tmux kill-session -t "$session" 2>/dev/null || true
    rm -rf "$home"
}
trap cleanup EXIT
tmux new-session -d -s "$session" -x 120 -y 40 \
    "echo \$\$ > '$home/pid'; HOME='$home' XDG_CONFIG_HOME='$home/c' XDG_STATE_HOME='$home/s' XDG_DATA_HOME='$home/d' exec '$bin' --demo"
pid=""
for _ in $(seq 1 100); do
    if [ -s "$home/pid" ]; then pid="$(cat "$home/pid")"; break; fi
    sleep 0.1
done
[ -n "$pid" ] || { echo "soak.sh: the console did not start" >&2; exit 1; }
echo "# seconds rss_kib (pid $pid, $bin)"
start=$(date +%s)
while :; do
    now=$(( $(date +%s) - start ))
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo gone)
    echo "$now $rss"
    [ "$now" -ge "$secs" ] && break
    sleep "$every"
done
kill -TERM "$pid" 2>/dev/null || true
