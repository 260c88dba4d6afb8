#!/usr/bin/env bash
# tests/e2e/record.sh - `formcheck record` without a camera: a lavfi test
# pattern and a rendered clip played at its own pace. Stopped by --duration, by
# --reps, by SIGINT, by SIGTERM and by the source ending: each time the
# recording and the report exist, the recording re-opens, and the report's
# "recording" object says why it stopped and how long the recording is
# (recorded_s = its frames over the frame rate). A source failing mid-set (a
# file cut off, a pipe whose writer is killed): saved, analysed, cut short.
# Also -h, --list-devices, a missing device. (q/Esc in the window: record_keys.sh.)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

"$bin" record -h >"$tmp/out" || fail "record -h"
grep -q "usage: formcheck record" "$tmp/out" || fail "help text"
"$bin" record --list-devices >"$tmp/out" || fail "--list-devices"
[[ -s "$tmp/out" ]] || fail "--list-devices printed nothing"
"$bin" record --reps 0 2>/dev/null; [[ $? == 2 ]] || fail "--reps 0 accepted"
"$bin" record --device /dev/video97 --no-window --out "$tmp/nodev" 2>"$tmp/err"; [[ $? == 1 ]] || fail "missing device"
grep -q "/dev/video97" "$tmp/err" || fail "the error does not name the device: $(cat "$tmp/err")"

lavfi=(--format lavfi --no-window --countdown 0 --model lite)
# check_set DIR REASON CUT_SHORT MIN_FRAMES: recording re-opens, report valid and says why
check_set() {
  local dir=$1 reason=$2 cut=$3 min=$4
  [[ -s "$dir/set.mkv" ]] || fail "$dir: no recording"
  [[ -s "$dir/set.formcheck.json" ]] || fail "$dir: no report"
  local frames
  frames=$(probe_frames "$dir/set.mkv" | cut -d' ' -f2)
  [[ $frames =~ ^[0-9]+$ && $frames -ge $min ]] || fail "$dir: recording has '$frames' frames, expected >= $min"
  python3 "$src/tests/tools/validate_schema.py" "$src/docs/report.schema.json" "$dir/set.formcheck.json" ||
    fail "$dir: report fails the schema"
  local got
  got=$(json "$dir/set.formcheck.json" "d['recording']['stop_reason'], d['recording']['cut_short'], d['input']['frames'] >= $min")
  [[ $got == "$reason $cut True" ]] || fail "$dir: recording says '$got', expected '$reason $cut True'"
  # recorded_s is what the file holds: its frames at 30 fps, the last one's duration included (to a
  # frame: a source cut off mid-packet leaves one undecodable packet in the file).
  got=$(json "$dir/set.formcheck.json" "abs(d['recording']['recorded_s'] - $frames / 30.0) <= 0.04")
  [[ $got == True ]] || fail "$dir: recorded_s $(json "$dir/set.formcheck.json" "d['recording']['recorded_s']") for $frames frames at 30 fps"
  ls "$dir" | grep -q tmp && fail "$dir: temporary files left: $(ls "$dir")"
  return 0
}

# --duration: 2 s of a 30 fps pattern; nobody in view, so the hint is printed.
"$bin" record "${lavfi[@]}" --device testsrc2=size=320x240:rate=30 --duration 2 --out "$tmp/d" \
  >"$tmp/out" 2>"$tmp/err" || fail "record --duration: $(cat "$tmp/err")"
check_set "$tmp/d" duration False 50
grep -q "can't see your knees/feet" "$tmp/err" || fail "no hint when nobody is in view"
grep -q "stopped: duration" "$tmp/out" || fail "summary line: $(cat "$tmp/out")"

# The source ends (a 2 s pattern): saved and analysed, exit 0.
"$bin" record "${lavfi[@]}" --device testsrc2=size=320x240:rate=30:duration=2 --out "$tmp/e" \
  >/dev/null 2>"$tmp/err" || fail "record, source ending: $(cat "$tmp/err")"
check_set "$tmp/e" source_ended True 60

# --analysis-fps: the saved 30 fps set (all of it) analysed at 15 frames per second.
"$bin" record "${lavfi[@]}" --device testsrc2=size=320x240:rate=30:duration=2 --analysis-fps 15 --out "$tmp/a" \
  >/dev/null 2>"$tmp/err" || fail "record --analysis-fps: $(cat "$tmp/err")"
check_set "$tmp/a" source_ended True 25
got=$(json "$tmp/a/set.formcheck.json" "d['processing']['analysis_fps'], 25 <= d['processing']['frames'] <= 31")
[[ $got == "15 True" ]] || fail "--analysis-fps 15: report says '$got'"
"$bin" record "${lavfi[@]}" --analysis-fps -1 2>/dev/null; [[ $? == 2 ]] || fail "--analysis-fps -1 accepted"

# SIGINT and SIGTERM mid-set: exit 130/143, the set still saved and analysed.
for sig in INT TERM; do
  "$bin" record "${lavfi[@]}" --device testsrc2=size=320x240:rate=30 --out "$tmp/s$sig" >/dev/null 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q "recording" "$tmp/err" 2>/dev/null && break; sleep 0.1; done
  sleep 2
  kill -$sig $pid
  wait $pid
  rc=$?
  want=$([[ $sig == INT ]] && echo 130 || echo 143)
  [[ $rc == "$want" ]] || fail "SIG$sig: exit $rc, expected $want ($(cat "$tmp/err"))"
  check_set "$tmp/s$sig" interrupted True 30
done

# A source that fails mid-set: a file cut off part way (the rest of the set never
# arrives) and a pipe whose writer dies. Saved up to there, playable, analysed,
# and the report says it was cut short because the source ended. Exit 0: what
# was captured is all there.
"${FC_FFMPEG:-ffmpeg}" -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=30:duration=4 -c:v libx264 \
  -pix_fmt yuv420p -f nut "$tmp/full.nut" || fail "ffmpeg could not make the source"
head -c $(( $(stat -c %s "$tmp/full.nut") * 6 / 10 )) "$tmp/full.nut" >"$tmp/cut.nut"
"$bin" record --no-window --countdown 0 --model lite --device "$tmp/cut.nut" --out "$tmp/c" >/dev/null 2>"$tmp/err" ||
  fail "record, file cut off: $(cat "$tmp/err")"
check_set "$tmp/c" source_ended True 40
frames=$(probe_frames "$tmp/c/set.mkv" | cut -d' ' -f2)
(( frames < 110 )) || fail "file cut off at 60%: $frames of 120 frames recorded"
mkfifo "$tmp/cam.fifo"
"${FC_FFMPEG:-ffmpeg}" -nostdin -v error -re -f lavfi -i testsrc2=size=320x240:rate=30 -c:v libx264 -preset ultrafast \
  -tune zerolatency -pix_fmt yuv420p -f nut -y "$tmp/cam.fifo" &
wpid=$!
"$bin" record --no-window --countdown 0 --model lite --format nut --device "$tmp/cam.fifo" --out "$tmp/f" \
  >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q "recording" "$tmp/err" 2>/dev/null && break; sleep 0.1; done
sleep 2
kill -KILL $wpid
wait $wpid 2>/dev/null
wait $pid || fail "record, pipe writer killed: exit $? ($(cat "$tmp/err"))"
check_set "$tmp/f" source_ended True 30

# --reps on a rendered squat clip played in real time: stops after the first rep,
# before the clip ends, and the report has that rep.
[[ -s "$src/samples/squat_side.mp4" ]] || skip "samples/squat_side.mp4 missing"
"$bin" record --no-window --countdown 0 --model lite --device "$src/samples/squat_side.mp4" --reps 1 --out "$tmp/r" \
  >"$tmp/out" 2>"$tmp/err" || fail "record --reps: $(cat "$tmp/err")"
check_set "$tmp/r" reps False 80
frames=$(probe_frames "$tmp/r/set.mkv" | cut -d' ' -f2)
(( frames < 250 )) || fail "--reps 1 did not stop early ($frames of 292 frames recorded)"
(( $(json "$tmp/r/set.formcheck.json" "len(d['reps'])") >= 1 )) || fail "--reps 1: no rep in the report"
grep -q "^Rep 1: " "$tmp/out" || fail "no live cue for rep 1 on the terminal: $(cat "$tmp/out")"
echo "ok"
