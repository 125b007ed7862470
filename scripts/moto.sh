#!/usr/bin/env bash
# Runs a command with a moto server (a local AWS emulator) on a free 127.0.0.1 port.
#
#   scripts/moto.sh cargo test
#
# Installs moto and boto3 at the versions requirements-test.txt pins into .venv (when
# .venv/bin/moto_server is missing or the file changed), starts the server, exports
# DECKWATCH_MOTO_URL for the command, and stops the server by its PID on every exit path.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"

requirements="$root/requirements-test.txt"
installed="$venv/.requirements-test.txt"
if [ ! -x "$venv/bin/moto_server" ] || ! cmp -s "$requirements" "$installed"; then
    echo "moto.sh: installing the pinned moto[server] and boto3 (requirements-test.txt) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$installed"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port="$(free_port)"
log="$(mktemp -t deckwatch-moto.XXXXXX.log)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!

stop_moto() {
    if kill -0 "$moto_pid" 2>/dev/null; then
        kill "$moto_pid" 2>/dev/null || true
        wait "$moto_pid" 2>/dev/null || true
    fi
    rm -f "$log"
}
cmd_pid=""
stop_all() {
    if [ -n "$cmd_pid" ]; then
        kill "$cmd_pid" 2>/dev/null || true
    fi
    stop_moto
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
    if curl -fsS "$url/moto-api/" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$moto_pid" 2>/dev/null; then
        echo "moto.sh: moto_server exited during startup:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.2
done
if ! curl -fsS "$url/moto-api/" >/dev/null 2>&1; then
    echo "moto.sh: moto_server did not answer on $url" >&2
    exit 1
fi

export DECKWATCH_MOTO_URL="$url"
echo "moto.sh: moto_server (pid $moto_pid) on $url" >&2

if [ "$#" -eq 0 ]; then
    set -- cargo test
fi
# In the background and waited for, so a signal reaches the traps (and the command) at once.
"$@" &
cmd_pid=$!
status=0
wait "$cmd_pid" || status=$?
cmd_pid=""
exit "$status"
