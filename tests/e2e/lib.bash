# tests/e2e/lib.bash - sourced by the end-to-end tests: paths, helpers, skips.
set -uo pipefail
bin=${FC_BIN:?}
src=${FC_SOURCE_DIR:?}
models=${FC_MODEL_DIR:-}
synth=${FC_SYNTH_BIN:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

if [[ -z "$models" || ! -s "$models/pose_detection.tflite" || ! -s "$models/pose_landmark_lite.tflite" ||
      ! -s "$models/pose_landmark_full.tflite" ]]; then
  skip "models absent (run models/fetch.sh)"
fi

# json FILE PYTHON-EXPR: print an expression over the parsed JSON `d`
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# probe_frames FILE -> "WxH FRAMES" from `formcheck probe`
probe_frames() {
  "$bin" probe "$1" | awk '/size:/ {s=$2} /frames:/ {f=$2} END {print s, f}'
}

# render NAME ARGS...: a synthetic clip $tmp/NAME.mp4 with $tmp/NAME.truth.json
render() {
  local name=$1; shift
  [[ -x "$synth" ]] || skip "formcheck-synth not built"
  "$synth" "$@" --video "$tmp/$name.mp4" --truth "$tmp/$name.truth.json" --threads 2 >/dev/null ||
    fail "formcheck-synth $* failed"
}
