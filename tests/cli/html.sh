#!/usr/bin/env bash
# html.sh - the HTML report opened in headless Chromium: the DOM has the plot
# and one table row per rep, and the screenshot shows the depth and knee
# curves, shaded reps, fault markers and the coloured rep table.
# Skips (77) when chromium is not installed (scripts/setup.sh installs it).
set -euo pipefail

bin=${FC_BIN:?}
src=${FC_SOURCE_DIR:?}
synth=${FC_BUILD_DIR:?}/tests/synth/formcheck-synth
chromium=$(command -v chromium || command -v chromium-browser || true)
[[ -n $chromium ]] || { echo "SKIP: chromium not installed (scripts/setup.sh installs it)"; exit 77; }
[[ -x $synth ]] || { echo "SKIP: $synth not built"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export FC_MODEL_DIR=$src/models NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$synth" --reps 4 --fault 2:shallow --keypoints set.jsonl
"$bin" analyze --from-keypoints set.jsonl --quiet
"$bin" report set.formcheck.json --format html -o set.html

chrome() {
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$tmp")" \
    --window-size=1000,900 "$@" 2>/dev/null
}

# The DOM as Chromium parsed it.
chrome --dump-dom "file://$tmp/set.html" > dom.html
grep -q '<svg id="plot"' dom.html || fail "no plot in the DOM"
[[ $(grep -o '<tr class="rep">' dom.html | wc -l) == 4 ]] || fail "rep table does not have 4 rows"
[[ $(grep -o '<rect class="rep"' dom.html | wc -l) == 4 ]] || fail "plot does not shade 4 reps"
grep -q '<polyline class="depth"' dom.html || fail "no depth curve"

# The pixels: plot area (top) and table (below it).
chrome --screenshot="$tmp/shot.png" "file://$tmp/set.html" >/dev/null
[[ -s shot.png ]] || fail "no screenshot"
python3 "$src/tests/tools/png_colors.py" shot.png 0 60 1000 420 > plot.txt
python3 "$src/tests/tools/png_colors.py" shot.png 0 420 1000 900 > table.txt
need() { # need FILE NAME MIN
  local n
  n=$(awk -v k="$2" '$1 == k {print $2}' "$1")
  (( n >= $3 )) || fail "$2: $n pixels in $1, expected >= $3"
}
need plot.txt depth 300
need plot.txt knee_left 300
need plot.txt knee_right 150
need plot.txt rep_shade 20000
need plot.txt fault_fail 40
need plot.txt fault_warn 40
need table.txt cell_fail 500
need table.txt cell_pass 2000
echo "ok"
