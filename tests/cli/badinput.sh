#!/usr/bin/env bash
# badinput.sh - the bad-input matrix (issue 7). Each case asserts the exit code,
# that stderr is ONE line naming the input and the cause, and that nothing was
# left behind (no *.tmp.* files, no report, the work directory as before).
# Video cases go through `probe` (and `probe --count`, which decodes every
# frame); report/keypoints/profile cases through `analyze --from-keypoints` and
# `report`. Cases that need privileges (mounts) skip themselves with a message.
# Run against a -DFC_SANITIZE=ON build (FC_BIN=build-san/src/formcheck) it also
# proves there are no leaks on these paths: LSan's report would break the
# one-line and exit-code checks.
set -uo pipefail
: "${FC_BIN:?}" "${FC_SOURCE_DIR:?}" "${FC_BUILD_DIR:?}"
bin=$FC_BIN
src=$FC_SOURCE_DIR
ffmpeg=${FC_FFMPEG:-ffmpeg}
synth=$FC_BUILD_DIR/tests/synth/formcheck-synth
command -v "$ffmpeg" >/dev/null || { echo "SKIP: ffmpeg not found"; exit 77; }
[[ -x $synth ]] || { echo "SKIP: $synth not built"; exit 77; }
export FC_MODEL_DIR=$src/models NO_COLOR=1

. "$(dirname "${BASH_SOURCE[0]}")/badinput_lib.bash" badinput
tiny=(-f lavfi -i testsrc2=size=64x48:rate=10)

# ---- inputs ----
gen "${tiny[@]}" -frames:v 10 -c:v libx264 -preset ultrafast -pix_fmt yuv420p in/ok.mp4
gen "${tiny[@]}" -frames:v 5 -c:v libx264 -preset ultrafast in/ok.mkv
gen -f lavfi -i sine=d=0.5 -c:a aac in/audio.m4a
head -c 2000 in/ok.mp4 >in/truncated.mp4                 # mdat only: the moov is at the end
randbytes 1 4096 >in/random.mp4
: >in/empty.mp4
mkdir in/dir.mp4
# A video with a stream header but no frames: the Matroska file cut before its first Cluster.
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d[:d.find(b"\x1f\x43\xb6\x75")])' \
  in/ok.mkv in/noframes.mkv
# 8K: one 7680x4320 frame.
gen -f lavfi -i color=c=gray:size=7680x4320:rate=1 -frames:v 1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p in/8k.mp4
# A 10-hour stream: three frames 5 h apart (the header says 36001 s).
gen -f lavfi -i testsrc2=size=64x48:rate=1 -frames:v 3 -vf "setpts=N*18000/TB" -fps_mode passthrough \
  -c:v libx264 -preset ultrafast in/10h.mkv
"$synth" --reps 2 --keypoints in/k.jsonl || fail "synth"
randbytes 2 3000 >in/random.jsonl
: >in/empty.jsonl
mkdir in/dir.jsonl
truncate -s $((64 * 1024 * 1024 + 1)) in/huge.formcheck.json   # sparse: one byte over the limit
truncate -s $((256 * 1024 + 1)) in/huge_profile.json

# ---- video inputs: probe and probe --count ----
for count in "" --count; do
  expect 1 '^formcheck: in/nosuch\.mp4: no such file' "$bin" probe $count in/nosuch.mp4
  expect 1 '^formcheck: in/dir\.mp4: is a directory' "$bin" probe $count in/dir.mp4
  expect 1 '^formcheck: in/empty\.mp4: empty file' "$bin" probe $count in/empty.mp4
  expect 1 '^formcheck: in/random\.mp4: not a recognised video file' "$bin" probe $count in/random.mp4
  expect 1 '^formcheck: in/truncated\.mp4: not a recognised video file \(damaged or truncated\?\)' \
    "$bin" probe $count in/truncated.mp4
  expect 1 '^formcheck: in/noframes\.mkv: ' "$bin" probe $count in/noframes.mkv
  expect 1 '^formcheck: in/audio\.m4a: no video stream' "$bin" probe $count in/audio.m4a
done

# json_check FILE EXPR [probe options]: probe --json, then a Python test on j
json_check() {
  local f=$1 e=$2; shift 2
  local line
  line=$(timeout 60 "$bin" probe --json "$@" "$f") || { fail "probe $* $f: exit $?"; return; }
  python3 -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$line" "$e" \
    || fail "probe $* $f: '$e' is false for $line"
}
# peak_rss_kb CMD...: run under /usr/bin/time -v, print the maximum resident set (KB).
peak_rss_kb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

# 8K: probed and decoded (count_frames scales to 16 px; the decoder holds a few 8K frames).
json_check in/8k.mp4 'j["width"] == 7680 and j["height"] == 4320 and j["frames"] == 1 and j["frames_exact"]' --count
# 10 hours: the duration is reported, frames are counted by decoding 3 frames, nothing scales with it.
json_check in/10h.mkv 'j["duration_s"] > 35000 and j["frames"] == 3' --count
if [[ -x /usr/bin/time ]]; then
  rss=$(peak_rss_kb "$bin" probe --count in/8k.mp4)
  echo "peak RSS probe --count 8K: ${rss} KB"
  [[ -n $rss && $rss -lt 400000 ]] || fail "8K probe --count peak RSS ${rss} KB >= 400 MB"
  start=$(date +%s%N)
  rss=$(peak_rss_kb timeout 30 "$bin" probe --count in/10h.mkv)
  ms=$((($(date +%s%N) - start) / 1000000))
  echo "peak RSS probe --count 10 h header: ${rss} KB, ${ms} ms"
  [[ -n $rss && $rss -lt 200000 ]] || fail "10 h probe --count peak RSS ${rss} KB >= 200 MB"
  [[ $ms -lt 20000 ]] || fail "10 h probe --count took ${ms} ms"
else
  note "/usr/bin/time missing: peak RSS not checked"
fi

# ---- keypoints, reports and profiles ----
expect 1 '^formcheck: in/nosuch\.jsonl: No such file' "$bin" analyze --from-keypoints in/nosuch.jsonl -o r.json -q
expect 1 '^formcheck: in/dir\.jsonl: is a directory' "$bin" analyze --from-keypoints in/dir.jsonl -o r.json -q
expect 1 '^formcheck: in/empty\.jsonl: no frames' "$bin" analyze --from-keypoints in/empty.jsonl -o r.json -q
expect 1 '^formcheck: in/random\.jsonl:1: ' "$bin" analyze --from-keypoints in/random.jsonl -o r.json -q
expect 1 '^formcheck: in/nosuch\.json: No such file' "$bin" report in/nosuch.json
expect 1 '^formcheck: in/dir\.jsonl: is a directory' "$bin" report in/dir.jsonl
expect 1 '^formcheck: in/empty\.jsonl: damaged report: not valid JSON' "$bin" report in/empty.jsonl
expect 1 '^formcheck: in/random\.jsonl: damaged report: not valid JSON' "$bin" report in/random.jsonl
expect 1 '^formcheck: in/k\.jsonl: not a formcheck report but a keypoints file' "$bin" report in/k.jsonl
# Limits: refused by size before parsing (the files are sparse and all zeros).
expect 1 '^formcheck: in/huge\.formcheck\.json: 67108865 bytes, more than the 67108864 allowed' \
  "$bin" report in/huge.formcheck.json
expect 1 '^formcheck: in/huge_profile\.json: 262145 bytes, more than the 262144 allowed' \
  "$bin" analyze --from-keypoints in/k.jsonl --profile in/huge_profile.json -o r.json -q

# ---- outputs ----
"$bin" analyze --from-keypoints in/k.jsonl -o in/exists.json -q || fail "analyze k.jsonl"
sum=$(sha256sum <in/exists.json)
expect 1 '^formcheck: in/exists\.json: already exists \(use --force to replace it\)' \
  "$bin" analyze --from-keypoints in/k.jsonl -o in/exists.json -q
[[ $(sha256sum <in/exists.json) == "$sum" ]] || fail "existing report changed without --force"
expect 1 '^formcheck: in/exists\.json: already exists' "$bin" report in/exists.json --format html -o in/exists.json
# Not writable. Root ignores modes, so: a file where a directory is expected, /proc.
touch afile
expect 1 '^formcheck: afile/r\.json: cannot create file: Not a directory' \
  "$bin" analyze --from-keypoints in/k.jsonl -o afile/r.json -q
expect 1 '^formcheck: /proc/r\.json: cannot create file' "$bin" analyze --from-keypoints in/k.jsonl -o /proc/r.json -q
# Full disk: /dev/full is written in place (never renamed over) and the error names it.
expect 1 '^formcheck: /dev/full: write failed: No space left on device' \
  "$bin" analyze --from-keypoints in/k.jsonl -o /dev/full -q --force
[[ -c /dev/full ]] || fail "/dev/full is no longer a character device"
expect 1 '^formcheck: /dev/full: write failed: No space left on device' "$bin" report in/exists.json -o /dev/full --format html
# A tiny tmpfs (full part-way through the temp file) and a read-only one, in a
# private mount namespace so nothing outlives the test.
if unshare -m true 2>/dev/null; then
  mkdir -p mnt
  unshare -m bash -c '
    set -u; bin=$1; k=$2; d=$3
    mount -t tmpfs -o size=8k tmpfs "$d" || exit 77
    "$bin" analyze --from-keypoints "$k" -o "$d/r.json" -q 2>"$d.err"; echo "rc=$?" >>"$d.err"
    ls -A "$d" >>"$d.err"
    mount -o remount,ro "$d" && { "$bin" analyze --from-keypoints "$k" -o "$d/r.json" -q 2>"$d.ro"; echo "rc=$?" >>"$d.ro"; }
    true' _ "$bin" "$tmp/in/k.jsonl" "$tmp/mnt"
  if [[ -f mnt.err ]]; then
    grep -Eq '^formcheck: .*/mnt/r\.json: write failed: No space left on device$' mnt.err \
      || fail "tiny tmpfs: $(cat mnt.err)"
    grep -qx 'rc=1' mnt.err || fail "tiny tmpfs: exit code: $(cat mnt.err)"
    [[ $(wc -l <mnt.err) == 2 ]] || fail "tiny tmpfs: files left behind or more than one line: $(cat mnt.err)"
    grep -Eq '^formcheck: .*/mnt/r\.json: cannot create file: Read-only file system$' mnt.ro \
      || fail "read-only tmpfs: $(cat mnt.ro)"
    grep -qx 'rc=1' mnt.ro || fail "read-only tmpfs: exit code: $(cat mnt.ro)"
    rm -f mnt.err mnt.ro
  else
    note "tmpfs mount not permitted: tiny-disk and read-only cases skipped"
  fi
  rmdir mnt
else
  note "unshare -m not permitted: tiny-disk and read-only cases skipped"
fi

# ---- SIGINT / SIGTERM during a long analyze ----
# A background job of a script starts with SIGINT ignored, and a signal sent
# before formcheck installs its handler would be lost: wait until
# /proc/PID/status shows SIGINT (bit 1) and SIGTERM (bit 14) caught.
wait_caught() {
  local pid=$1 mask
  for _ in $(seq 1000); do
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
    [[ -n $mask ]] && (((16#$mask >> 1) & 1 && (16#$mask >> 14) & 1)) && return 0
    sleep 0.01
  done
  return 1
}
# 24 000 frames (59 MB): loading and analysing take seconds.
"$synth" --reps 64 --fps 120 --keypoints in/long.jsonl || fail "synth long"
for sig in INT TERM; do
  want=$([[ $sig == INT ]] && echo 130 || echo 143)
  "$bin" analyze --from-keypoints in/long.jsonl -o long.json -q 2>"in/sig.err" &
  pid=$!
  pids+=("$pid")
  wait_caught "$pid" || fail "SIG$sig: analyze never caught the signals"
  kill -s $sig "$pid"
  wait "$pid"
  rc=$?
  [[ $rc == "$want" ]] || fail "SIG$sig: exit $rc, want $want ($(cat in/sig.err))"
  grep -Eq "^formcheck: analyze: in/long\.jsonl: stopped by signal [0-9]+; no report written$" in/sig.err \
    || fail "SIG$sig: message: $(cat in/sig.err)"
  [[ ! -e long.json ]] || fail "SIG$sig: a report was written"
  [[ -z $(find "$tmp" -name '*.tmp.*') ]] || fail "SIG$sig: temp files left: $(find "$tmp" -name '*.tmp.*')"
done
# probe --count stops too (1800 frames take about a second to decode and count).
gen -f lavfi -i testsrc2=size=640x360:rate=30 -t 60 -c:v libx264 -preset ultrafast -tune zerolatency in/long.mp4
"$bin" probe --count in/long.mp4 >/dev/null 2>in/sig.err &
pid=$!
pids+=("$pid")
wait_caught "$pid" || fail "probe never caught the signals"
kill -s INT "$pid"
wait "$pid"
rc=$?
if [[ $rc == 0 ]]; then
  note "probe --count finished before the signal arrived: SIGINT during probe not exercised"
else
  [[ $rc == 130 ]] || fail "probe SIGINT: exit $rc ($(cat in/sig.err))"
  grep -Eq '^formcheck: in/long\.mp4: stopped by signal 2$' in/sig.err || fail "probe SIGINT: $(cat in/sig.err)"
fi

# ---- two instances writing the same report: exactly one wins ----
for i in 1 2 3; do
  rm -f same.json
  "$bin" analyze --from-keypoints in/k.jsonl -o same.json -q 2>in/a.err & pa=$!
  "$bin" analyze --from-keypoints in/k.jsonl -o same.json -q 2>in/b.err & pb=$!
  pids+=("$pa" "$pb")
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
  [[ $((ra + rb)) == 1 && $((ra * rb)) == 0 ]] || fail "two writers: exits $ra and $rb, want one 0 and one 1"
  grep -hq '^formcheck: same\.json: already exists (use --force to replace it)$' in/a.err in/b.err \
    || fail "two writers: loser's message: $(cat in/a.err in/b.err)"
  "$bin" report same.json >/dev/null || fail "two writers: the report is not whole"
  [[ -z $(find "$tmp" -name '*.tmp.*') ]] || fail "two writers: temp files left"
done

# ---- models ----
fetch=$src/models/fetch.sh
expect 1 '^models/fetch\.sh: .*/nosuch: no such directory$' bash "$fetch" --check "$tmp/nosuch"
mkdir models
for f in pose_detection pose_landmark_lite pose_landmark_full pose_landmark_heavy; do
  if [[ -f $src/models/$f.tflite ]]; then ln -s "$src/models/$f.tflite" models/; else echo x >models/$f.tflite; fi
done
rm -f models/pose_landmark_lite.tflite
randbytes 3 4096 >models/pose_landmark_lite.tflite   # corrupt: wrong bytes, wrong checksum
bash "$fetch" --check "$tmp/models" 2>in/fetch.err
rc=$?
[[ $rc == 1 ]] || fail "fetch.sh --check on a tampered file: exit $rc"
grep -Eq "^models/fetch\.sh: .*/models/pose_landmark_lite\.tflite: checksum mismatch: expected f17bfbec[0-9a-f]{56}, got $(sha256sum models/pose_landmark_lite.tflite | cut -c1-64)$" \
  in/fetch.err || fail "fetch.sh --check: $(cat in/fetch.err)"
rm models/pose_detection.tflite
bash "$fetch" --check "$tmp/models" 2>in/fetch.err
grep -Eq '^models/fetch\.sh: .*/models/pose_detection\.tflite: missing$' in/fetch.err || fail "fetch.sh missing: $(cat in/fetch.err)"
rm -rf models
# `formcheck pose` with a corrupt model (cut short, random bytes), a valid model
# with the wrong checksum (lite under full's name) and a missing model
# directory: one line naming the model file and both sums, no keypoints file
# left. (`analyze VIDEO` and `record`: tests/cli/badinput_video.sh.)
if [[ -f $src/models/pose_detection.tflite && -f $src/models/pose_landmark_full.tflite ]]; then
  "$ffmpeg" -nostdin -v error -y -f lavfi -i testsrc2=size=64x48:rate=1 -frames:v 1 in/img.png
  mkdir in/cm
  ln -s "$src/models/pose_detection.tflite" in/cm/
  full_sum=e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f
  mismatch() { echo "^formcheck: in/cm/pose_landmark_full\\.tflite: checksum mismatch: expected $full_sum, got $(sha256sum in/cm/pose_landmark_full.tflite | cut -c1-64) \\(not the pinned model; run models/fetch\\.sh\\)$"; }
  head -c 100000 "$src/models/pose_landmark_full.tflite" >in/cm/pose_landmark_full.tflite
  expect 1 "$(mismatch)" "$bin" pose --model-dir in/cm in/img.png -o p.jsonl
  randbytes 4 4096 >in/cm/pose_landmark_full.tflite
  expect 1 "$(mismatch)" "$bin" pose --model-dir in/cm in/img.png -o p.jsonl
  if [[ -f $src/models/pose_landmark_lite.tflite ]]; then
    cp "$src/models/pose_landmark_lite.tflite" in/cm/pose_landmark_full.tflite
    expect 1 "$(mismatch)" "$bin" pose --model-dir in/cm in/img.png -o p.jsonl
  fi
  expect 1 '^formcheck: in/nosuch/pose_detection\.tflite: No such file or directory' \
    "$bin" pose --model-dir in/nosuch in/img.png -o p.jsonl
else
  note "models not fetched: corrupt-model cases of formcheck pose skipped"
fi

if [[ $fails -gt 0 ]]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "bad-input matrix: all cases passed"
