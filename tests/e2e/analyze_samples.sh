#!/usr/bin/env bash
# tests/e2e/analyze_samples.sh - `formcheck analyze` on the rendered samples
# (samples/: side squat with a shallow rep, front squat with valgus, side lunges
# alternating legs): rep counts exact, lead legs right, injected faults flagged,
# no false depth or heel-lift fault on the side squats' good reps (the demo clip);
# (the knee angles against the truth are knee_angles.sh's, on the outputs kept here);
# the report is valid against the schema; --annotate output re-opens with the
# source's size and frame count; outputs are not overwritten without --force.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

for s in squat_side squat_front lunge_side; do
  [[ -s "$src/samples/$s.mp4" ]] || skip "samples/$s.mp4 missing"
  cp "$src/samples/$s.mp4" "$tmp/"
done
keep=${FC_BUILD_DIR:?}/e2e-reports
rm -rf "$keep" && mkdir -p "$keep"
for s in squat_side squat_front lunge_side; do
  "$bin" analyze --model full --quiet "$tmp/$s.mp4" --keypoints-out "$keep/$s.keypoints.jsonl" 2>"$tmp/err" ||
    fail "analyze $s failed: $(cat "$tmp/err")"
  r="$tmp/$s.formcheck.json"
  cp "$r" "$keep/"
  [[ -s "$r" ]] || fail "$s: no report next to the video"
  python3 "$src/tests/tools/validate_schema.py" "$src/docs/report.schema.json" "$r" || fail "$s: schema"
  clean=$([[ $s == squat_side ]] && echo depth,heel_lift || echo "")
  python3 "$here/check_report.py" --no-knees --clean "$clean" "$r" "$src/samples/$s.truth.json" ||
    fail "$s: report differs from the truth"
  [[ $(json "$r" "d['input']['kind'], d['model']['variant']") == "video full" ]] || fail "$s: input/model fields"
done
[[ $(json "$tmp/lunge_side.formcheck.json" "d['exercise']") == lunge ]] || fail "lunge not detected"
[[ $(json "$tmp/squat_front.formcheck.json" "d['view']") == front ]] || fail "front view not detected"

# Refuses to overwrite; -o; --json to stdout; --annotate and --keypoints-out.
"$bin" analyze --model lite "$tmp/squat_side.mp4" 2>"$tmp/err" && fail "overwrote a report without --force"
grep -q "exists" "$tmp/err" || fail "no 'exists' message: $(cat "$tmp/err")"
"$bin" analyze --model lite --json -o "$tmp/o.json" --annotate "$tmp/ann.mp4" --keypoints-out "$tmp/k.jsonl" \
  "$tmp/squat_side.mp4" >"$tmp/stdout" 2>"$tmp/err" || fail "analyze --annotate failed: $(cat "$tmp/err")"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['reps']" "$tmp/stdout" ||
  fail "--json did not print the report"
[[ $(probe_frames "$tmp/ann.mp4") == "640x480 292" ]] || fail "annotated video: $(probe_frames "$tmp/ann.mp4")"
[[ $(wc -l <"$tmp/k.jsonl") == 292 ]] || fail "keypoints: $(wc -l <"$tmp/k.jsonl") lines"
ls "$tmp" | grep -q '\.tmp' && fail "temporary files left: $(ls "$tmp")"
# The annotated frames carry the overlay: the panel's dark box top left, the skeleton's colours.
ffmpeg -v error -ss 7.5 -i "$tmp/ann.mp4" -frames:v 1 -f rawvideo -pix_fmt rgb24 "$tmp/f.rgb" ||
  fail "cannot decode the annotated video"
python3 "$here/overlay_pixels.py" "$tmp/f.rgb" 640 480 --reps || fail "overlay not seen in the annotated video"
echo "ok"
