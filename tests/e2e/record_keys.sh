#!/usr/bin/env bash
# tests/e2e/record_keys.sh - `formcheck record` stopped by q and by Esc in its live
# window under Xvfb: real key presses (xdotool, through XTEST to the focused
# window). Each time: exit 0; the recording exists, re-opens with `formcheck probe`
# and stopped early; the report says why ("user", not cut short) and how long.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

command -v Xvfb >/dev/null || skip "Xvfb not installed (Debian xvfb; scripts/setup.sh)"
command -v xdotool >/dev/null || skip "xdotool not installed (Debian xdotool; scripts/setup.sh)"
[[ -s "$src/samples/squat_side.mp4" ]] || skip "samples/squat_side.mp4 missing"

for n in $(seq 141 190); do [[ -e /tmp/.X$n-lock ]] || break; done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null; wait $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
export DISPLAY=":$n"

for key in q Escape; do
  d="$tmp/$key"
  "$bin" record --countdown 0 --model lite --device "$src/samples/squat_side.mp4" --out "$d" \
    >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 200); do grep -q "recording" "$tmp/err" 2>/dev/null && break; sleep 0.1; done
  sleep 2
  wid=$(timeout 10 xdotool search --sync --name "formcheck record" | head -1)
  [[ -n "$wid" ]] || { kill -INT $pid; wait $pid; fail "$key: no 'formcheck record' window"; }
  # No window manager: give the window the focus, then press the key (again if it was lost).
  for _ in 1 2 3; do
    xdotool windowfocus --sync "$wid" key "$key" 2>/dev/null
    for _ in $(seq 30); do kill -0 $pid 2>/dev/null || break; grep -q "stopped (" "$tmp/err" && break; sleep 0.1; done
    grep -q "stopped (" "$tmp/err" && break
  done
  wait $pid
  rc=$?
  [[ $rc == 0 ]] || fail "$key: exit $rc ($(cat "$tmp/err"))"
  grep -q "stopped (user)" "$tmp/err" || fail "$key: did not stop on the key: $(grep stopped "$tmp/err")"
  [[ -s "$d/set.mkv" && -s "$d/set.formcheck.json" ]] || fail "$key: set not saved"
  frames=$(probe_frames "$d/set.mkv" | cut -d' ' -f2)
  [[ $frames =~ ^[0-9]+$ ]] && (( frames >= 30 && frames < 250 )) ||
    fail "$key: the recording has '$frames' frames (expected a stop after ~2 s of the 292-frame clip)"
  python3 "$src/tests/tools/validate_schema.py" "$src/docs/report.schema.json" "$d/set.formcheck.json" ||
    fail "$key: report fails the schema"
  got=$(json "$d/set.formcheck.json" \
    "d['recording']['stop_reason'], d['recording']['cut_short'], abs(d['recording']['recorded_s'] - $frames / 30.0) <= 0.02")
  [[ $got == "user False True" ]] || fail "$key: recording says '$got' ($frames frames)"
  grep -q "stopped: user" "$tmp/out" || fail "$key: summary line: $(tail -2 "$tmp/out")"
done
echo "ok"
