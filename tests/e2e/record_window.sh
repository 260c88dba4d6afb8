#!/usr/bin/env bash
# tests/e2e/record_window.sh - `formcheck record`'s live window under Xvfb: a
# rendered squat clip played as a camera, a real screenshot of the X screen
# (ffmpeg's x11grab) after a few seconds shows the overlay (skeleton colours,
# the text panel with a rep verdict, the gauge); then SIGINT: exit 130, set saved.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

command -v Xvfb >/dev/null || skip "Xvfb not installed (Debian xvfb; scripts/setup.sh)"
ffmpeg -hide_banner -devices 2>/dev/null | grep -q x11grab || skip "ffmpeg without x11grab"
[[ -s "$src/samples/squat_side.mp4" ]] || skip "samples/squat_side.mp4 missing"

# A free display number.
for n in $(seq 91 140); do [[ -e /tmp/.X$n-lock ]] || break; done
Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null; wait $xpid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$n ]] && break; sleep 0.1; done
export DISPLAY=":$n"

"$bin" record --countdown 0 --model lite --device "$src/samples/squat_side.mp4" --out "$tmp/w" \
  >"$tmp/out" 2>"$tmp/err" &
pid=$!
# Wait for the live loop, then until rep 1 has ended in the clip (3.1 s) and been judged.
for _ in $(seq 200); do grep -q "recording" "$tmp/err" 2>/dev/null && break; sleep 0.1; done
sleep 5.5
# No window manager: the window (highgui, with its toolbar) sits near the top-left corner; grab the screen.
ffmpeg -v error -f x11grab -video_size 1280x800 -i "$DISPLAY+0,0" -frames:v 1 -f rawvideo -pix_fmt rgb24 \
  "$tmp/shot.rgb" || fail "screenshot failed"
kill -INT $pid
wait $pid
rc=$?
[[ $rc == 130 ]] || fail "exit $rc after SIGINT, expected 130 ($(cat "$tmp/err"))"
python3 "$here/overlay_pixels.py" "$tmp/shot.rgb" 1280 800 --anywhere || fail "the screenshot does not show the overlay"
[[ -s "$tmp/w/set.mkv" && -s "$tmp/w/set.formcheck.json" ]] || fail "set not saved"
[[ $(json "$tmp/w/set.formcheck.json" "d['recording']['stop_reason']") == interrupted ]] || fail "stop reason"
echo "ok"
