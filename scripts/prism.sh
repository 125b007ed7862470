#!/usr/bin/env bash
# Runs a command with Prism mocking GitHub's REST API from GitHub's own OpenAPI description
# (@octokit/openapi), on a free 127.0.0.1 port:
#
#   scripts/prism.sh cargo test --test live github
#
# Installs the pinned packages with `npm ci` when node_modules is missing, starts Prism, waits
# until it answers, exports DECKWATCH_PRISM_URL for the command, and stops Prism by its PID on
# every exit path. Prism validates every request against the description (a bad one answers
# 422) and answers with GitHub's documented examples.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spec="$root/node_modules/@octokit/openapi/generated/api.github.com.json"

if [ ! -x "$root/node_modules/.bin/prism" ] || [ ! -f "$spec" ]; then
    echo "prism.sh: installing the pinned @stoplight/prism-cli and @octokit/openapi (npm ci)" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port="$(free_port)"
log="$(mktemp -t deckwatch-prism.XXXXXX.log)"
# Started directly (not through npx), so $! is Prism's own PID.
"$root/node_modules/.bin/prism" mock --host 127.0.0.1 --port "$port" --errors false "$spec" >"$log" 2>&1 &
prism_pid=$!

stop_prism() {
    if kill -0 "$prism_pid" 2>/dev/null; then
        kill "$prism_pid" 2>/dev/null || true
        wait "$prism_pid" 2>/dev/null || true
    fi
    rm -f "$log"
}
cmd_pid=""
stop_all() {
    if [ -n "$cmd_pid" ]; then
        kill "$cmd_pid" 2>/dev/null || true
    fi
    stop_prism
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url="http://127.0.0.1:$port"
# Any HTTP answer means it is up (the root path is not in the description).
for _ in $(seq 1 300); do
    if curl -s -o /dev/null "$url/"; then
        break
    fi
    if ! kill -0 "$prism_pid" 2>/dev/null; then
        echo "prism.sh: prism exited during startup:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if ! curl -s -o /dev/null "$url/"; then
    echo "prism.sh: prism did not answer on $url" >&2
    exit 1
fi

export DECKWATCH_PRISM_URL="$url"
echo "prism.sh: prism (pid $prism_pid) on $url" >&2

if [ "$#" -eq 0 ]; then
    set -- cargo test
fi
"$@" &
cmd_pid=$!
status=0
wait "$cmd_pid" || status=$?
cmd_pid=""
exit "$status"
