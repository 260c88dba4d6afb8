#!/usr/bin/env bash
# scripts/demo.sh - set everything up (scripts/setup.sh), then analyse a rendered
# sample (samples/squat_side.mp4: a side view, 3 squats, the second one shallow)
# and say where the report and the annotated video went.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
fc="$root/build/src/formcheck"

out="$root/build/demo"
mkdir -p "$out"
clip="$root/samples/squat_side.mp4"
if [[ ! -s "$clip" ]]; then
  # No samples in this checkout: render one with the synthetic athlete.
  clip="$out/squat_side.mp4"
  "$root/build/tests/synth/formcheck-synth" --exercise squat --reps 3 --fault 2:shallow --view side \
    --video "$clip" --truth "$out/squat_side.truth.json"
fi
"$fc" analyze "$clip" --force -o "$out/squat_side.formcheck.json" --annotate "$out/squat_side.annotated.mp4"
"$fc" report "$out/squat_side.formcheck.json" --format html -o "$out/squat_side.html" --force
# analyze has printed where the report and the annotated video went.
echo "report as a page: $out/squat_side.html (formcheck report FILE.json --format html)"
