#!/usr/bin/env bash
# Startup to the first frame: runs the console RUNS times in a pseudo-terminal (`script`), each
# with a fresh home, and prints the "first frame drawn" figure from its log (milliseconds from
# the start of main to the first frame on the terminal).
#
#   scripts/first_frame.sh demo [RUNS]    the demo fleet
#   scripts/first_frame.sh hung [RUNS]    AWS at an endpoint that accepts and never answers, so
#                                         no AWS answer can come before the first frame
#
# Uses target/release/deckwatch (cargo build --release first), or $DECKWATCH_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-demo}
runs=${2:-10}
bin=${DECKWATCH_BIN:-target/release/deckwatch}
[ -x "$bin" ] || { echo "no $bin: run cargo build --release first" >&2; exit 2; }

listener=""
cleanup() { [ -n "$listener" ] && kill "$listener" 2>/dev/null || true; }
trap cleanup EXIT
args=(--demo)
if [ "$mode" = hung ]; then
  port_file=$(mktemp)
  # Accepts every connection and never answers.
  python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$port_file" &
  listener=$!
  while [ ! -s "$port_file" ]; do sleep 0.05; done
  args=(--endpoint-url "http://127.0.0.1:$(cat "$port_file")" --region eu-west-1 --cluster c1)
  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret
fi

for _ in $(seq "$runs"); do
  home=$(mktemp -d)
  HOME=$home XDG_STATE_HOME=$home/state XDG_CONFIG_HOME=$home/config TERM=xterm-256color \
    script -qec "timeout 1.5 $bin ${args[*]}" /dev/null >/dev/null 2>&1 || true
  grep -ho 'first frame drawn ms=[0-9.]*' "$home"/state/deckwatch/deckwatch.log* | head -1 |
    sed 's/.*ms=//'
  rm -rf "$home"
done
