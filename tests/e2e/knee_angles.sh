#!/usr/bin/env bash
# tests/e2e/knee_angles.sh - the knee flexion at each rep's bottom in the side-view
# samples' reports (made by analyze_samples.sh with the full model) is within
# 10 deg of the truth file, for the leg nearer the camera. Separate so that an
# angle error does not hide analyze_samples.sh's other checks.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"
keep=${FC_BUILD_DIR:?}/e2e-reports
for s in squat_side lunge_side; do
  [[ -s "$keep/$s.formcheck.json" ]] || skip "$keep/$s.formcheck.json missing (run e2e_analyze_samples first)"
  python3 "$here/check_report.py" --knees "$keep/$s.formcheck.json" "$src/samples/$s.truth.json" ||
    fail "$s: knee angles off"
done
echo "ok"
