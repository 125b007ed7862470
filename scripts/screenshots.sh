#!/usr/bin/env bash
# Takes the README's screenshots from real runs of the binary: deckwatch runs in a real xterm on a virtual X display, captured with ImageMagick's `import`.
# ONLY="help logs" takes just those. Needs: apt-get install xvfb xterm imagemagick fonts-dejavu-core xdotool
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build
bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/deckwatch
out=$PWD/screenshots
mkdir -p "$out"
display=:87
Xvfb "$display" -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
cleanup() { kill "$xvfb" 2>/dev/null || true; }
trap cleanup EXIT
sleep 1

# shot NAME THEME WAIT KEYS... : start the demo in a real xterm (GEOM columns x rows, 120x40 by
# default), wait WAIT seconds, press KEYS (xdotool key names, a pause after each), then capture
# the window.
shot() {
  local name=$1 theme=$2 wait=$3; shift 3
  [[ -z ${ONLY:-} || " $ONLY " == *" $name "* ]] || return 0
  DISPLAY=$display LANG=C.UTF-8 xterm -u8 -fa 'DejaVu Sans Mono' -fs 10 -geometry "${GEOM:-120x40}" \
    -bg black -fg white -title deckwatch -xrm 'XTerm*allowSendEvents: true' \
    -e env HOME="$(mktemp -d)" TERM=xterm-256color COLORTERM=truecolor "$bin" --demo --theme "$theme" &
  local xterm=$!
  sleep "$wait"
  local win
  win=$(DISPLAY=$display xdotool search --name '^deckwatch$' | head -1)
  DISPLAY=$display xdotool windowfocus "$win" 2>/dev/null || true
  for k in "$@"; do DISPLAY=$display xdotool key --window "$win" "$k" 2>/dev/null; sleep 1.5; done
  sleep 1
  DISPLAY=$display import -window "$win" "$out/$name.png"
  kill "$xterm" 2>/dev/null || true
  echo "wrote screenshots/$name.png"
}

shot services dark 3
shot services-light light 3
# The bad rolling deployment starts 45 s in; at ~70 s the breaker has tripped and alarms fire.
shot alarms dark 72 4
shot rollout dark 4 j j j j j j j j Return
shot logs dark 60 j j j 5
shot help dark 3 question
shot confirm dark 4 j j j j j j j j P
shot pair dark 4 j j j j Return
shot waiting dark 4 R y
GEOM=80x24 shot small dark 3
GEOM=80x24 shot small-rollout dark 4 j j j j j j j j Return
# payments' bad deployment under way (it starts 45 s in): the comparison against the 30
# minutes before; at ~75 s, after the breaker's rollback: the alarms and the history.
shot evidence dark 56 j j j Return
shot rolled-back dark 74 j j j Return
# Its logs, searched for errors with every line kept (c), then the next match.
shot logs-search dark 60 j j j 5 slash e r r o r Return c n
shot builds dark 4 6
# The fleet view: the demo's three contexts, read by the fleet worker every 10 s.
shot fleet dark 15 0
# Two jobs at once: R y on api, then P y on checkout, then :jobs.
shot jobs dark 4 R y j j j j j j j j P y colon j o b s Return
