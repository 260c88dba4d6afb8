#!/usr/bin/env bash
# tests/cli/pose.sh - `formcheck pose`: help, usage errors, missing/corrupt models,
# bad inputs (one line naming the file, exit 1, no output file), and with the models:
# no person in a test pattern, a person in a real photo.
set -uo pipefail
bin=${FC_BIN:?}
models=${FC_MODEL_DIR:-}
fix=${FC_FIXTURES:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect CODE CMD... : run, capture stderr in $tmp/err, check the exit code
expect() {
  local want=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [[ $got == "$want" ]] || fail "exit $got, expected $want: $* (stderr: $(cat "$tmp/err"))"
}
one_line_naming() { # one_line_naming TEXT
  [[ $(wc -l <"$tmp/err") == 1 ]] || fail "expected one line on stderr, got: $(cat "$tmp/err")"
  grep -qF -- "$1" "$tmp/err" || fail "stderr does not name '$1': $(cat "$tmp/err")"
}

expect 0 "$bin" pose -h
grep -q "usage: formcheck pose" "$tmp/out" || fail "help text missing"
expect 2 "$bin" pose
expect 2 "$bin" pose --model tiny x.png
expect 2 "$bin" pose --mode fast x.png
expect 2 "$bin" pose --threads -3 x.png
expect 2 "$bin" pose --bogus x.png

# a model directory without the models
mkdir -p "$tmp/nomodels"
expect 1 "$bin" pose --model-dir "$tmp/nomodels" -o "$tmp/a.jsonl" "$fix/h264.mp4"
one_line_naming "$tmp/nomodels/pose_detection.tflite"
[[ ! -e "$tmp/a.jsonl" ]] || fail "output written despite the error"

if [[ -z "$models" || ! -s "$models/pose_detection.tflite" || ! -s "$models/pose_landmark_full.tflite" ]]; then
  echo "SKIP: models absent (run models/fetch.sh); model-dependent checks not run"
  exit 77
fi

# a corrupt (truncated) landmark model next to a good detector
mkdir -p "$tmp/bad"
cp "$models/pose_detection.tflite" "$tmp/bad/"
head -c 100000 "$models/pose_landmark_full.tflite" >"$tmp/bad/pose_landmark_full.tflite"
expect 1 "$bin" pose --model-dir "$tmp/bad" -o "$tmp/b.jsonl" "$fix/h264.mp4"
one_line_naming "$tmp/bad/pose_landmark_full.tflite"
[[ ! -e "$tmp/b.jsonl" ]] || fail "output written despite the corrupt model"

# inputs that are not there or not media
expect 1 "$bin" pose --model-dir "$models" -o "$tmp/c.jsonl" "$tmp/missing.mp4"
one_line_naming "$tmp/missing.mp4"
[[ ! -e "$tmp/c.jsonl" ]] || fail "output written for a missing input"
expect 1 "$bin" pose --model-dir "$models" -o "$tmp/c.jsonl" "$fix/random.mp4"
grep -qF "$fix/random.mp4" "$tmp/err" || fail "error does not name random.mp4"

# a test pattern: 50 frames, nobody in them
expect 0 "$bin" pose --model-dir "$models" --model lite "$fix/h264.mp4" -o "$tmp/none.jsonl"
[[ $(wc -l <"$tmp/none.jsonl") == 50 ]] || fail "expected 50 lines, got $(wc -l <"$tmp/none.jsonl")"
[[ $(grep -c '"landmarks":null' "$tmp/none.jsonl") == 50 ]] || fail "a person was found in testsrc2"

# a real photo (needs ../shared): one line, a person, x/y normalised to [0,1]-ish
photo=${FC_SHARED_DIR:-/nonexistent}/pose-reference/messi5.png
if [[ -s "$photo" ]]; then
  expect 0 "$bin" pose --model-dir "$models" --mode image "$photo" -o "$tmp/one.jsonl"
  [[ $(wc -l <"$tmp/one.jsonl") == 1 ]] || fail "expected 1 line for one image"
  grep -q '"w":548,"h":342' "$tmp/one.jsonl" || fail "frame size missing"
  grep -q '"landmarks":\[\[0\.4' "$tmp/one.jsonl" || fail "no person (nose near x=0.45) in messi5.png"
  # standard output when -o is not given
  expect 0 "$bin" pose --model-dir "$models" --mode image "$photo"
  [[ $(wc -l <"$tmp/out") == 1 ]] || fail "expected the keypoints on stdout"
else
  echo "note: ../shared absent, real-photo check not run"
fi
echo "ok"
