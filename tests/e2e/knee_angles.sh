#!/usr/bin/env bash
# tests/e2e/knee_angles.sh - the knee flexion at each rep's bottom in the side-view
# samples, as `analyze --model full` saw it (the pose series it wrote with
# --keypoints-out, kept by analyze_samples.sh), is within 10 deg of the truth
# file for the leg nearer the camera. Also prints the report's own value, which
# comes from BlazePose's world landmarks (they read 10-15 deg less knee bend
# than the image shows on these clips).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
keep=${FC_BUILD_DIR:?}/e2e-reports
for s in squat_side lunge_side; do
  [[ -s "$keep/$s.formcheck.json" ]] || skip "$keep/$s.formcheck.json missing (run e2e_analyze_samples first)"
  python3 "$here/check_report.py" --knees "$keep/$s.keypoints.jsonl" "$keep/$s.formcheck.json" "$src/samples/$s.truth.json" ||
    fail "$s: knee angles off"
done
echo "ok"
