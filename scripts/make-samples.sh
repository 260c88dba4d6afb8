#!/usr/bin/env bash
# Regenerate samples/ (rendered clips, truth files, ground-truth keypoints) from
# samples/*.scenario.json with formcheck-synth. Same inputs, same bytes:
# libx264 runs with one thread and fixed parameters.
#   scripts/make-samples.sh [BUILD_DIR]   (default: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
synth=${FC_SYNTH:-$build/tests/synth/formcheck-synth}
if [[ ! -x $synth ]]; then
    echo "make-samples: $synth not found; build first (cmake --build $build)" >&2
    exit 1
fi
for scn in "$root"/samples/*.scenario.json; do
    name=$(basename "$scn" .scenario.json)
    "$synth" --scenario "$scn" \
        --video "$root/samples/$name.mp4" \
        --truth "$root/samples/$name.truth.json" \
        --keypoints "$root/samples/$name.keypoints.jsonl"
done
ls -l "$root"/samples/*.mp4 "$root"/samples/*.truth.json "$root"/samples/*.keypoints.jsonl
