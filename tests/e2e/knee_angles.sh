#!/usr/bin/env bash
# tests/e2e/knee_angles.sh - the REPORT's knee flexion at each rep's bottom in the
# side-view samples (`analyze --model full`, reports kept by analyze_samples.sh),
# for the leg nearer the camera, is within 10 deg of the truth file. Side on, the
# analyser measures it from the image points back-projected onto the leg's plane
# (formcheck/legplane.h); the 2D image angle from the pose series is printed beside.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
keep=${FC_BUILD_DIR:?}/e2e-reports
for s in squat_side lunge_side; do
  [[ -s "$keep/$s.formcheck.json" ]] || skip "$keep/$s.formcheck.json missing (run e2e_analyze_samples first)"
  python3 "$here/check_report.py" --knees --keypoints "$keep/$s.keypoints.jsonl" "$keep/$s.formcheck.json" \
    "$src/samples/$s.truth.json" || fail "$s: knee angles off"
done
echo "ok"
