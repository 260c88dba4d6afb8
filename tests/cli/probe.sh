#!/usr/bin/env bash
# tests/cli/probe.sh - `formcheck probe` on every fixture: JSON values, text
# output, exit codes 0/1/2, one-line errors naming the file.
set -uo pipefail
: "${FC_BIN:?}" "${FC_FIXTURES:?}"
fx=$FC_FIXTURES
out=$(mktemp -d /tmp/fc_probe_XXXXXX)
trap 'rm -rf "$out"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_json FILE 'python expression over j' [probe options...]
expect_json() {
  local file=$1 expr=$2; shift 2
  local line
  if ! line=$("$FC_BIN" probe --json "$@" "$fx/$file" 2>"$out/err"); then
    fail "$file: exit $? ($(cat "$out/err"))"; return
  fi
  [[ $(printf '%s\n' "$line" | wc -l) == 1 ]] || fail "$file: expected one JSON line, got: $line"
  python3 -c 'import json, sys
j = json.loads(sys.argv[1])
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)' "$line" "$expr" || fail "$file: '$expr' is false for $line"
}

base='j["width"] == 320 and j["height"] == 240 and j["rotation_deg"] == 0 and j["frames"] == 50 and abs(j["fps"] - 25) < 1e-6 and abs(j["duration_s"] - 2) < 0.05 and not j["is_vfr"]'
expect_json h264.mp4 "$base and j[\"codec\"] == \"h264\" and j[\"frames_exact\"] and j[\"path\"].endswith(\"h264.mp4\") and j[\"format\"].startswith(\"mov\")"
expect_json vp9.webm "$base and j[\"codec\"] == \"vp9\""
expect_json mjpeg.avi "$base and j[\"codec\"] == \"mjpeg\" and j[\"format\"] == \"avi\""
expect_json h264.mp4 "$base and j[\"skipped\"] == 0" --count
expect_json rot90.mp4 'j["width"] == 240 and j["height"] == 320 and j["src_width"] == 320 and j["rotation_deg"] == 270 and j["frames"] == 25'
expect_json rot270.mp4 'j["width"] == 240 and j["height"] == 320 and j["rotation_deg"] == 90'
expect_json rot180.mp4 'j["width"] == 320 and j["height"] == 240 and j["rotation_deg"] == 180'
expect_json vfr.mkv 'j["is_vfr"] and j["frames"] == 50 and abs(j["fps"] - 49 / 3.4) < 0.01 and abs(j["duration_s"] - 3.44) < 0.01 and j["fps_real"] == 25'
expect_json raw.h264 'j["frames"] == 50 and j["frames_exact"] and abs(j["duration_s"] - 2) < 1e-6 and j["format"] == "h264"'
expect_json damaged.mp4 'j["skipped"] >= 1 and 40 <= j["frames"] < 50' --count
expect_json cut.mp4 'j["frames_exact"] and 20 <= j["frames"] < 50' --count

# Text output: one block per file.
"$FC_BIN" probe "$fx/h264.mp4" "$fx/rot90.mp4" >"$out/text" 2>"$out/err" || fail "text probe: exit $?"
grep -q "^$fx/h264.mp4\$" "$out/text" || fail "text: no block for h264.mp4"
grep -q '^  size: *320x240$' "$out/text" || fail "text: h264 size"
grep -q '^  size: *240x320 (coded 320x240' "$out/text" || fail "text: rot90 size"
grep -q '^  frames: *50$' "$out/text" || fail "text: frames"

# Several files: one JSON line each.
n=$("$FC_BIN" probe --json "$fx/h264.mp4" "$fx/vp9.webm" "$fx/mjpeg.avi" | wc -l)
[[ $n == 3 ]] || fail "3 files gave $n JSON lines"

# Bad inputs: exit 1, one line on stderr naming the file and the problem, nothing on stdout.
expect_error() { # expect_error FILE 'pattern'
  local file=$1 pat=$2 rc
  "$FC_BIN" probe --json "$fx/$file" >"$out/stdout" 2>"$out/err"; rc=$?
  [[ $rc == 1 ]] || fail "$file: exit $rc, expected 1"
  [[ $(wc -l <"$out/err") == 1 ]] || fail "$file: expected one error line, got: $(cat "$out/err")"
  grep -q "$fx/$file: .*$pat" "$out/err" || fail "$file: error '$(cat "$out/err")' lacks the name or '$pat'"
  [[ ! -s "$out/stdout" ]] || fail "$file: printed on stdout: $(cat "$out/stdout")"
}
expect_error missing.mp4 'no such file'
expect_error dir.mp4 'directory'
expect_error empty.mp4 'empty'
expect_error random.mp4 'not a recognised video'
expect_error truncated.mp4 'not a recognised video'
expect_error audio.m4a 'no video stream'
expect_error unknown-codec.avi "unsupported video codec 'ZZZZ'"

# A bad file among good ones: the good ones are still probed, exit 1.
"$FC_BIN" probe --json "$fx/h264.mp4" "$fx/empty.mp4" "$fx/vp9.webm" >"$out/stdout" 2>"$out/err"; rc=$?
[[ $rc == 1 ]] || fail "mixed: exit $rc, expected 1"
[[ $(wc -l <"$out/stdout") == 2 ]] || fail "mixed: expected 2 JSON lines"
[[ $(wc -l <"$out/err") == 1 ]] || fail "mixed: expected 1 error line"

# Live device stand-in.
line=$(timeout 60 "$FC_BIN" probe --json --format lavfi "testsrc2=size=320x240:rate=30") || fail "lavfi: exit $?"
python3 -c 'import json, sys; j = json.loads(sys.argv[1]); sys.exit(0 if j["format"] == "lavfi" and j["width"] == 320 and j["fps"] == 30 else 1)' "$line" ||
  fail "lavfi: $line"
timeout 60 "$FC_BIN" probe --count --format lavfi "testsrc2" >/dev/null 2>&1 && fail "--count on a live source must fail"

# Usage errors: exit 2.
for args in "" "--bogus $fx/h264.mp4" "--format" "--json"; do
  # shellcheck disable=SC2086
  "$FC_BIN" probe $args >/dev/null 2>&1; rc=$?
  [[ $rc == 2 ]] || fail "probe $args: exit $rc, expected 2"
done
"$FC_BIN" probe -h >"$out/help" || fail "-h: exit $?"
grep -q -- '--json' "$out/help" || fail "-h does not document --json"

if [[ $fails -gt 0 ]]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "probe: all checks passed"
