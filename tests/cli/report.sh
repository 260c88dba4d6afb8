#!/usr/bin/env bash
# report.sh - `formcheck analyze --from-keypoints` and `formcheck report` end to
# end on synthetic keypoints: reports validate against docs/report.schema.json,
# show the injected faults, `formcheck report`'s text and CSV views of the
# committed reports in tests/data/golden/ match the golden files there, and bad
# inputs give one clear line and the documented exit code.
# FC_UPDATE_GOLDEN=1 rewrites the golden reports and views instead of comparing.
set -euo pipefail

bin=${FC_BIN:?}
src=${FC_SOURCE_DIR:?}
synth=${FC_BUILD_DIR:?}/tests/synth/formcheck-synth
golden=$src/tests/data/golden
validate=(python3 "$src/tests/tools/validate_schema.py" "$src/docs/report.schema.json")
[[ -x $synth ]] || { echo "SKIP: $synth not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export FC_MODEL_DIR=$src/models FC_DETERMINISTIC=1 NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }

# Sets: side squats with a shallow and a fast rep; front squats with valgus on
# rep 2; side lunges alternating legs with a forward lean on rep 3.
"$synth" --reps 4 --fault 2:shallow --tempo 1.2,0.3,1.0 --keypoints side_squat.jsonl
"$synth" --view front --reps 3 --fault 2:valgus --keypoints front_squat.jsonl
"$synth" --exercise lunge --reps 4 --depth-deg 95 --fault 3:forward_lean --keypoints side_lunge.jsonl

for s in side_squat front_squat side_lunge; do
  "$bin" analyze --from-keypoints $s.jsonl --quiet || fail "analyze $s"
  [[ -f $s.formcheck.json ]] || fail "no report for $s"
  "${validate[@]}" $s.formcheck.json || fail "$s report does not validate against the schema"
  for fmt in text csv; do
    "$bin" report $s.formcheck.json --format $fmt > $s.$fmt || fail "report $s $fmt"
  done
  "$bin" report $s.formcheck.json --format html -o $s.html || fail "report $s html"
  grep -q '<svg id="plot"' $s.html || fail "$s.html has no plot"
  # Golden outputs of `formcheck report` are made from committed reports, so
  # they change only when the report views do (not when the synthetic athlete
  # or the analysis is retuned). FC_UPDATE_GOLDEN=1 re-makes the reports too.
  if [[ ${FC_UPDATE_GOLDEN:-0} == 1 ]]; then
    cp $s.formcheck.json "$golden/$s.formcheck.json"
  fi
  "${validate[@]}" "$golden/$s.formcheck.json" || fail "golden $s report does not validate"
  for fmt in text csv; do
    (cd "$golden" && "$bin" report $s.formcheck.json --format $fmt) > golden_$s.$fmt || fail "report golden $s"
    if [[ ${FC_UPDATE_GOLDEN:-0} == 1 ]]; then
      cp golden_$s.$fmt "$golden/$s.$fmt"
    else
      diff -u "$golden/$s.$fmt" golden_$s.$fmt || fail "$s.$fmt differs from the golden file"
    fi
  done
done

# What the golden files show, asserted directly too.
grep -q '^squat set, side view' side_squat.text || fail "side squat header"
grep -q 'rep 2: FAIL Go deeper: thighs stopped' side_squat.text || fail "shallow rep 2 not flagged"
grep -q 'Left knee caved in' front_squat.text || fail "valgus not flagged"
grep -q '^lunge set, side view' side_lunge.text || fail "lunge not detected"
[[ $(grep -c ',knee_valgus,not_assessed,' side_squat.csv) == 4 ]] || fail "valgus must be not_assessed from the side"

# Colour only on a terminal, and never with NO_COLOR (script(1) gives a TTY).
if command -v script >/dev/null; then
  (unset NO_COLOR; script -qc "'$bin' report side_squat.formcheck.json" /dev/null) > tty.txt
  grep -q $'\033\[31mFAIL' tty.txt || fail "no colour on a terminal"
  NO_COLOR=1 script -qc "'$bin' report side_squat.formcheck.json" /dev/null > tty_nc.txt
  ! grep -q $'\033\[' tty_nc.txt || fail "colour despite NO_COLOR"
fi
! grep -q $'\033\[' side_squat.text || fail "colour in a pipe"

# JSON view is the report itself.
"$bin" report side_squat.formcheck.json --format json > again.json
"${validate[@]}" again.json || fail "json view does not validate"

# --json on analyze, -o -, --exercise/--profile levels.
"$bin" analyze --from-keypoints side_squat.jsonl -o - --quiet > stdout.json
"${validate[@]}" stdout.json || fail "report on stdout does not validate"
"$bin" analyze --from-keypoints side_squat.jsonl --profile beginner --exercise squat -o beginner.json --quiet
grep -q '"level":	"beginner"' beginner.json || fail "--profile beginner not used"

# Errors: one line, right exit code, nothing half-written.
expect() { # expect CODE PATTERN cmd...
  local code=$1 pat=$2; shift 2
  set +e; "$@" > out.txt 2> err.txt; local rc=$?; set -e
  [[ $rc == "$code" ]] || fail "$* exited $rc, expected $code ($(cat err.txt))"
  grep -q -- "$pat" err.txt || fail "$*: stderr lacks '$pat': $(cat err.txt)"
}
expect 1 "exists" "$bin" analyze --from-keypoints side_squat.jsonl
expect 1 "video analysis is not available yet" "$bin" analyze clip.mp4
expect 2 "nothing to analyse" "$bin" analyze
expect 2 "expected squat, lunge or auto" "$bin" analyze --from-keypoints side_squat.jsonl --exercise plank
sed 's/"warn_deg": 5,/"warn_deg": "five",/' "$src/models/form/squat.json" > bad_profile.json
expect 1 "bad_profile.json: levels.standard.depth.warn_deg: expected a number" \
  "$bin" analyze --from-keypoints side_squat.jsonl --profile bad_profile.json -o x.json
[[ ! -e x.json ]] || fail "a report was written despite the bad profile"
sed 's/"schema_version":\t1/"schema_version":\t7/' side_squat.formcheck.json > newer.json
expect 1 "schema_version 7 is newer than this formcheck reads (1)" "$bin" report newer.json
head -c 300 side_squat.formcheck.json > damaged.json
expect 1 "damaged report" "$bin" report damaged.json
expect 2 "expected text, json, csv or html" "$bin" report side_squat.formcheck.json --format pdf
expect 1 "No such file" "$bin" report missing.json
"$bin" report side_squat.formcheck.json -h | grep -q '^usage: formcheck report' || fail "report -h"
"$bin" analyze -h | grep -q -- '--from-keypoints' || fail "analyze -h"
echo "ok"
