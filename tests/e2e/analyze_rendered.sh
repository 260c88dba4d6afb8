#!/usr/bin/env bash
# tests/e2e/analyze_rendered.sh - `formcheck analyze --model full` on clips other
# than the samples, rendered at test time by formcheck-synth, so the side-view
# measures are not tuned to the samples alone: a mirrored webcam-style squat set
# filmed from the person's right by a camera up high and tilted down, with a heel
# lift and a shallow rep; and reverse lunges. Rep counts exact, lead legs right,
# injected faults found, no false depth or heel-lift fault on the good squats,
# and the report's bottom knee flexion of the leg nearer the camera within 10 deg
# of the truth file (check_report.py).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

render mirror --exercise squat --reps 3 --depth-deg 125 --fault 2:heel_lift --fault 3:shallow --azimuth-deg -90 \
  --mirror --camera-height-m 1.6 --pitch-deg 10 --rest-s 0.5 --lead-in-s 0.8 --lead-out-s 0.8 --seed 31
render lrev --exercise lunge_reverse --reps 2 --depth-deg 95 --view side --rest-s 0.8 --lead-in-s 0.8 \
  --lead-out-s 0.8 --seed 32
for s in mirror lrev; do
  "$bin" analyze --model full --quiet "$tmp/$s.mp4" 2>"$tmp/err" || fail "analyze $s failed: $(cat "$tmp/err")"
  clean=$([[ $s == mirror ]] && echo depth,heel_lift || echo "")
  python3 "$here/check_report.py" --clean "$clean" "$tmp/$s.formcheck.json" "$tmp/$s.truth.json" ||
    fail "$s: report differs from the truth"
done
[[ $(json "$tmp/lrev.formcheck.json" "d['exercise'], d['view']") == "lunge side" ]] || fail "reverse lunges: exercise/view"
echo "ok"
