#!/usr/bin/env bash
# badinput_video.sh - the bad-input matrix (issue 7) for the commands that run the
# pose models on a video: `formcheck analyze VIDEO` and `formcheck record` (a
# file or lavfi source, --no-window). The rest of the matrix (probe, report,
# analyze --from-keypoints, pose, fetch.sh) is tests/cli/badinput.sh.
# Each case asserts the exit code, that stderr is ONE line naming the input and
# the cause, and that nothing was left behind (no new file or folder, no temp
# file). SIGINT/SIGTERM during `analyze VIDEO` are tests/e2e/analyze_many.sh's
# (exit 130/143, no report, no temp file) and during `record`
# tests/e2e/record.sh's; here only the stop of a source that stalls for hours.
# Needs the models (FC_MODEL_DIR, else the source tree's models/): skips without.
# Run against a -DFC_SANITIZE=ON build (FC_BIN=build-san/src/formcheck) it also
# proves these paths leak-free: an LSan report breaks the one-line checks.
set -uo pipefail
: "${FC_BIN:?}" "${FC_SOURCE_DIR:?}"
bin=$FC_BIN
ffmpeg=${FC_FFMPEG:-ffmpeg}
models=${FC_MODEL_DIR:-$FC_SOURCE_DIR/models}
command -v "$ffmpeg" >/dev/null || { echo "SKIP: ffmpeg not found"; exit 77; }
for f in pose_detection pose_landmark_lite pose_landmark_full; do
  [[ -s $models/$f.tflite ]] || { echo "SKIP: $models/$f.tflite absent (run models/fetch.sh)"; exit 77; }
done
export FC_MODEL_DIR=$models NO_COLOR=1

. "$(dirname "${BASH_SOURCE[0]}")/badinput_lib.bash" badvideo
# measure CMD...: run under /usr/bin/time -v; $rss = peak RSS in KB, $prc = CMD's exit code.
measure() {
  /usr/bin/time -v -o "$tmp/in/time" "$@" >/dev/null 2>"$tmp/in/err"
  prc=$?
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/in/time")
}
# FFmpeg's decoder threads (and so its frame pool) follow the CPUs it may use:
# one CPU makes the 8K figures the same on a laptop and a 64-core CI runner.
one_cpu=()
command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null && one_cpu=(taskset -c 0)

A=(--model lite -q)                                               # analyze
R=(--no-window --countdown 0 --model lite --quiet)                # record

# ---- inputs (as in badinput.sh) ----
tiny=(-f lavfi -i testsrc2=size=64x48:rate=10)
gen "${tiny[@]}" -frames:v 10 -c:v libx264 -preset ultrafast -pix_fmt yuv420p in/ok.mp4
gen "${tiny[@]}" -frames:v 5 -c:v libx264 -preset ultrafast in/ok.mkv
gen -f lavfi -i testsrc2=size=320x240:rate=30 -t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p in/mid.mp4
gen -f lavfi -i sine=d=0.5 -c:a aac in/audio.m4a
head -c 2000 in/ok.mp4 >in/truncated.mp4                 # no moov: it is at the end
randbytes 1 4096 >in/random.mp4
: >in/empty.mp4
mkdir in/dir.mp4
# No frames: a Matroska file cut before its first Cluster, and a Y4M stream
# header (64x48, 10 fps) with no FRAME after it.
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(d[:d.find(b"\x1f\x43\xb6\x75")])' \
  in/ok.mkv in/noframes.mkv
printf 'YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420jpeg\n' >in/noframes.y4m
# 8K: two 7680x4320 frames. 10 hours: three frames 5 h apart.
gen -f lavfi -i color=c=gray:size=7680x4320:rate=1 -frames:v 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p in/8k.mp4
gen -f lavfi -i testsrc2=size=64x48:rate=1 -frames:v 3 -vf "setpts=N*18000/TB" -fps_mode passthrough \
  -c:v libx264 -preset ultrafast in/10h.mkv

# ---- bad video inputs: analyze VIDEO and record --device FILE ----
bad_inputs() { # bad_inputs CMD... (the input is appended to CMD by the caller's function)
  local run=$1
  $run 1 '^formcheck: in/nosuch\.mp4: no such file$' in/nosuch.mp4
  $run 1 '^formcheck: in/dir\.mp4: is a directory, not a video$' in/dir.mp4
  $run 1 '^formcheck: in/empty\.mp4: empty file, not a video$' in/empty.mp4
  $run 1 '^formcheck: in/random\.mp4: not a recognised video file \(damaged or truncated\?\)$' in/random.mp4
  $run 1 '^formcheck: in/truncated\.mp4: not a recognised video file \(damaged or truncated\?\)$' in/truncated.mp4
  $run 1 '^formcheck: in/noframes\.mkv: not a recognised video file' in/noframes.mkv
  $run 1 '^formcheck: in/noframes\.y4m: no frame could be decoded$' in/noframes.y4m
  $run 1 '^formcheck: in/audio\.m4a: no video stream \(audio only\?\)$' in/audio.m4a
}
an() { expect "$1" "$2" "$bin" analyze "${A[@]}" -o r.json "$3"; }
an_default() { expect "$1" "$2" "$bin" analyze "${A[@]}" "$3"; }   # report next to the input
rec() { expect "$1" "$2" "$bin" record "${R[@]}" --out o --device "$3"; }   # o/ must not be left
bad_inputs an
an_default 1 '^formcheck: in/random\.mp4: not a recognised video file' in/random.mp4
an_default 1 '^formcheck: in/noframes\.y4m: no frame could be decoded$' in/noframes.y4m
[[ -z $(find in -name '*.formcheck.json*') ]] || fail "analyze left a report next to an input: $(find in -name '*.formcheck.json*')"
bad_inputs rec

# ---- 8K and a 10-hour header: analysed, bounded memory, no hang ----
# Bound: the fixed cost (models, OpenCV, FFmpeg: ~125 MB for a 64x48 clip) plus
# the H.264 decoder's own 8K frames (50 MB each as YUV 4:2:0; `probe --count`
# peaks at ~175 MB) plus scaled frames only. Measured on one CPU: analyze
# ~300 MB, record ~415 MB (the live stage and the analysis of the saved file).
# Frames kept at 8K would add 100 MB each as BGR: 593 MB for analyze
# --max-side 0, 788 MB for record before its live frames were scaled.
# Under ASan (FC_BIN from a -DFC_SANITIZE=ON build) memory is the sanitizer's:
# the bounds are not checked, the rest of each case is.
rss_max=500000 rss_10h=300000
if ldd "$bin" 2>/dev/null | grep -q libasan; then
  note "sanitizer build: peak RSS bounds not checked"
  rss_max=99999999 rss_10h=99999999
fi
if [[ -x /usr/bin/time ]]; then
  measure "${one_cpu[@]}" "$bin" analyze "${A[@]}" -o 8k.json in/8k.mp4
  echo "peak RSS analyze 8K: ${rss} KB"
  [[ $prc == 0 && -s 8k.json ]] || fail "analyze 8K: exit $prc ($(cat in/err))"
  [[ -n $rss && $rss -lt $rss_max ]] || fail "analyze 8K: peak RSS ${rss} KB >= 500 MB"
  python3 -c 'import json,sys; i=json.load(open("8k.json"))["input"]; sys.exit(not (i["width"]==640 and i["frames"]==2))' \
    || fail "analyze 8K: report input: $(python3 -c 'import json; print(json.load(open("8k.json"))["input"])')"
  measure "${one_cpu[@]}" "$bin" record "${R[@]}" --out o8k --device in/8k.mp4
  echo "peak RSS record 8K: ${rss} KB"
  [[ $prc == 0 && -s o8k/set.formcheck.json && -s o8k/set.mkv ]] || fail "record 8K: exit $prc ($(cat in/err))"
  [[ -n $rss && $rss -lt $rss_max ]] || fail "record 8K: peak RSS ${rss} KB >= 500 MB"
  rm -rf 8k.json o8k
  start=$(date +%s%N)
  measure "$bin" analyze "${A[@]}" -o 10h.json in/10h.mkv
  ms=$((($(date +%s%N) - start) / 1000000))
  echo "peak RSS analyze 10 h header: ${rss} KB, ${ms} ms"
  [[ $prc == 0 ]] || fail "analyze 10 h: exit $prc ($(cat in/err))"
  [[ -n $rss && $rss -lt $rss_10h ]] || fail "analyze 10 h: peak RSS ${rss} KB >= 300 MB"
  [[ $ms -lt 20000 ]] || fail "analyze 10 h took ${ms} ms"
  python3 -c 'import json,sys; i=json.load(open("10h.json"))["input"]; sys.exit(not (i["duration_s"]>35000 and i["frames"]==3))' \
    || fail "analyze 10 h: report input: $(python3 -c 'import json; print(json.load(open("10h.json"))["input"])')"
  rm -f 10h.json
else
  note "/usr/bin/time missing: 8K and 10 h peak RSS not checked"
fi
# record plays a file at its own pace: the second frame of the 10 h file is 5 h
# away. --duration and SIGTERM must still stop it at once (the wait is sliced).
start=$(date +%s%N)
timeout 30 "$bin" record "${R[@]}" --out o10 --device in/10h.mkv --duration 1 >/dev/null 2>in/err
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[[ $rc == 0 ]] || fail "record 10 h --duration 1: exit $rc ($(cat in/err))"
[[ $ms -lt 15000 ]] || fail "record 10 h --duration 1 took ${ms} ms"
python3 -c 'import json,sys; sys.exit(json.load(open("o10/set.formcheck.json"))["recording"]["stop_reason"] != "duration")' \
  || fail "record 10 h: stop_reason is not duration"
rm -rf o10
"$bin" record "${R[@]}" --out o10 --device in/10h.mkv >/dev/null 2>in/err &
pid=$!
pids+=("$pid")
sleep 2
start=$(date +%s%N)
kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
ms=$((($(date +%s%N) - start) / 1000000))
if kill -0 "$pid" 2>/dev/null; then
  fail "record 10 h: still running 10 s after SIGTERM"
  kill -KILL "$pid"
fi
wait "$pid"
rc=$?
[[ $rc == 143 ]] || fail "record 10 h SIGTERM: exit $rc, want 143 ($(cat in/err))"
echo "record 10 h: stopped ${ms} ms after SIGTERM"
rm -rf o10

# ---- models: corrupt, wrong checksum, missing directory ----
full_sum=e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f
mkdir in/cm
ln -s "$models/pose_detection.tflite" in/cm/
mismatch() {
  echo "^formcheck: in/cm/pose_landmark_full\\.tflite: checksum mismatch: expected $full_sum, got $(sha256sum in/cm/pose_landmark_full.tflite | cut -c1-64) \\(not the pinned model; run models/fetch\\.sh\\)$"
}
models_cases() {
  expect 1 "$(mismatch)" "$bin" analyze "${A[@]}" --model full --model-dir in/cm -o r.json in/ok.mp4
  expect 1 "$(mismatch)" "$bin" record "${R[@]}" --model full --model-dir in/cm --out o --device in/ok.mp4
}
head -c 100000 "$models/pose_landmark_full.tflite" >in/cm/pose_landmark_full.tflite   # cut short
models_cases
randbytes 4 4096 >in/cm/pose_landmark_full.tflite                                     # not a model
models_cases
cp "$models/pose_landmark_lite.tflite" in/cm/pose_landmark_full.tflite                # a model, not this one
models_cases
expect 1 '^formcheck: in/nosuch: does not hold pose_detection\.tflite and pose_landmark_full\.tflite$' \
  "$bin" analyze "${A[@]}" --model full --model-dir in/nosuch -o r.json in/ok.mp4
expect 1 '^formcheck: in/nosuch: does not hold pose_detection\.tflite and pose_landmark_lite\.tflite$' \
  "$bin" record "${R[@]}" --model-dir in/nosuch --out o --device in/ok.mp4

# ---- outputs ----
# Exists, no --force: the report, the annotated video, record's set files.
"$bin" analyze "${A[@]}" -o exists.json in/ok.mp4 || fail "analyze ok.mp4"
sum=$(sha256sum <exists.json)
expect 1 '^formcheck: exists\.json: exists \(use --force to replace it\)$' "$bin" analyze "${A[@]}" -o exists.json in/ok.mp4
cp in/ok.mp4 ann.mp4
expect 1 '^formcheck: ann\.mp4: exists \(use --force to replace it\)$' \
  "$bin" analyze "${A[@]}" -o r.json --annotate ann.mp4 in/ok.mp4
[[ $(sha256sum <exists.json) == "$sum" ]] || fail "existing report changed without --force"
cmp -s ann.mp4 in/ok.mp4 || fail "existing annotated video changed without --force"
mkdir orec && cp in/ok.mp4 orec/set.mkv
expect 1 '^formcheck: orec/set\.mkv: exists \(use --force to replace it, or another --out\)$' \
  "$bin" record "${R[@]}" --out orec --device in/ok.mp4
cmp -s orec/set.mkv in/ok.mp4 || fail "existing recording changed without --force"
# A device is written in place, --force or not: nothing renamed over it.
"$bin" analyze "${A[@]}" -o /dev/null in/ok.mp4 2>"$tmp/in/err" || fail "analyze -o /dev/null: $(cat "$tmp/in/err")"
[[ -c /dev/null ]] || fail "/dev/null is no longer a character device"
# Not writable (checked before the pose pass: the one line comes at once). Tests run as root here, and root ignores file modes: use a file
# where a folder is expected, and /proc (below: a read-only mount).
touch afile
expect 1 '^formcheck: afile/r\.json: cannot create file: Not a directory$' "$bin" analyze "${A[@]}" -o afile/r.json in/ok.mp4
expect 1 '^formcheck: afile/a\.mp4: cannot create file: Not a directory$' \
  "$bin" analyze "${A[@]}" -o r.json --annotate afile/a.mp4 in/ok.mp4
expect 1 '^formcheck: /proc/r\.json: cannot create file' "$bin" analyze "${A[@]}" -o /proc/r.json in/ok.mp4
expect 1 '^formcheck: afile/x: cannot create the folder: Not a directory$' "$bin" record "${R[@]}" --out afile/x --device in/ok.mp4
expect 1 '^formcheck: /proc/x: cannot create the folder' "$bin" record "${R[@]}" --out /proc/x --device in/ok.mp4
# Full disk: /dev/full takes the report in place; a video is never written
# into (or renamed over) a device: refused before the pose pass, node intact.
expect 1 '^formcheck: /dev/full: write failed: No space left on device$' \
  "$bin" analyze "${A[@]}" -o /dev/full --force in/ok.mp4
expect 1 '^formcheck: /dev/full: not a regular file \(a device or FIFO\); a video needs a file$' \
  "$bin" analyze "${A[@]}" -o r.json --annotate /dev/full --force in/ok.mp4
mkfifo fifo.mp4
expect 1 '^formcheck: fifo\.mp4: not a regular file' "$bin" analyze "${A[@]}" -o r.json --annotate fifo.mp4 --force in/ok.mp4
[[ -p fifo.mp4 ]] || fail "the FIFO was replaced"
rm fifo.mp4
[[ -c /dev/full && -c /dev/null ]] || fail "/dev/full or /dev/null is no longer a character device"
# A 4 KiB tmpfs (full part-way through each output) and a read-only one, in a
# private mount namespace so nothing outlives the test.
if unshare -m true 2>/dev/null; then
  mkdir mnt
  unshare -m bash -c '
    set -u; bin=$1; shift
    mount -t tmpfs -o size=4k tmpfs mnt || exit 77
    run() { local tag=$1; shift; "$@" >/dev/null 2>"in/$tag.err"; echo "rc=$?" >>"in/$tag.err"; ls -AR mnt >>"in/$tag.err"; }
    run report "$bin" analyze --model lite -q -o mnt/r.json in/mid.mp4
    run annotate "$bin" analyze --model lite -q -o r.json --annotate mnt/a.mp4 in/mid.mp4
    rm -f r.json
    run record "$bin" record --no-window --countdown 0 --model lite --quiet --out mnt/o --device in/mid.mp4
    rm -rf mnt/o
    # Room for the 4 MiB that record reserves for the report, not for the recording:
    # it fills the disk in about a second, is kept, analysed, and the report says why.
    umount mnt && mount -t tmpfs -o size=4400k tmpfs mnt || exit 77
    run record_full "$bin" record --no-window --countdown 0 --model lite --quiet --out mnt/o --duration 30 \
      --format lavfi --device testsrc2=size=640x480:rate=30
    cp mnt/o/set.formcheck.json in/record_full.json 2>/dev/null
    rm -rf mnt/o
    mount -o remount,ro mnt || exit 0
    run ro_report "$bin" analyze --model lite -q -o mnt/r.json in/ok.mp4
    run ro_record "$bin" record --no-window --countdown 0 --model lite --quiet --out mnt/o --device in/ok.mp4
    ' _ "$bin"
  # check TAG REGEX FILES: the first line matches, exit 1, then `ls -AR mnt` is FILES.
  check() {
    local tag=$1 re=$2 files=$3 f=in/$1.err
    [[ -f $f ]] || { fail "$tag: did not run"; return; }
    head -1 "$f" | grep -Eq -- "$re" || fail "$tag: $(cat "$f")"
    sed -n 2p "$f" | grep -qx 'rc=1' || fail "$tag: exit code: $(cat "$f")"
    [[ $(tail -n +3 "$f" | tr '\n' ' ' | sed 's/ *$//') == "$files" ]] || fail "$tag: left behind: $(tail -n +3 "$f" | tr '\n' ' ')"
  }
  if [[ -f in/report.err ]]; then
    check report '^formcheck: mnt/r\.json: write failed: No space left on device$' 'mnt:'
    check annotate '^formcheck: mnt/a\.mp4: cannot finish the video: No space left on device$' 'mnt:'
    # No room even for the report's reserve: the recording that was cut short is kept, not analysed.
    check record '^formcheck: mnt/o/set\.mkv: recording: write failed: No space left on device$' 'mnt: o  mnt/o: set.mkv'
    # With the reserve: kept, analysed, the report says the disk filled; exit 1 all the same.
    # (The first line is the error; the summary goes to stdout.)
    check record_full '^formcheck: mnt/o/set\.mkv: recording: write failed: No space left on device$' \
      'mnt: o  mnt/o: set.formcheck.json set.mkv'
    got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["recording"]; print(r["stop_reason"], r["cut_short"], d["input"]["frames"] > 10)' in/record_full.json 2>&1)
    [[ $got == "disk_full True True" ]] || fail "record on a full disk: report says '$got'"
    check ro_report '^formcheck: mnt/r\.json: cannot create file: Read-only file system$' 'mnt:'
    check ro_record '^formcheck: mnt/o: cannot create the folder: Read-only file system$' 'mnt:'
  else
    note "tmpfs mount not permitted: tiny-disk and read-only cases skipped"
  fi
  rmdir mnt
else
  note "unshare -m not permitted: tiny-disk and read-only cases skipped"
fi

# ---- two instances writing the same report ----
# Without --force exactly one wins (the report is linked into place, never
# overwritten) and the other says the file exists; with --force both succeed and
# the last rename wins. Either way the report is whole and no temp file is left.
for force in "" --force; do
  for i in 1; do
    rm -f same.json
    "$bin" analyze "${A[@]}" $force -o same.json in/mid.mp4 2>in/a.err & pa=$!
    "$bin" analyze "${A[@]}" $force -o same.json in/mid.mp4 2>in/b.err & pb=$!
    pids+=("$pa" "$pb")
    wait "$pa"; ra=$?
    wait "$pb"; rb=$?
    if [[ -z $force ]]; then
      [[ $((ra + rb)) == 1 && $((ra * rb)) == 0 ]] || fail "two writers: exits $ra and $rb, want one 0 and one 1"
      grep -Ehq '^formcheck: same\.json: (already )?exists \(use --force to replace it\)$' in/a.err in/b.err \
        || fail "two writers: loser's message: $(cat in/a.err in/b.err)"
    else
      [[ $ra == 0 && $rb == 0 ]] || fail "two writers --force: exits $ra and $rb ($(cat in/a.err in/b.err))"
    fi
    "$bin" report same.json >/dev/null || fail "two writers $force: the report is not whole"
    [[ -z $(find "$tmp" -name '*.tmp.*') ]] || fail "two writers $force: temp files left"
  done
done

if [[ $fails -gt 0 ]]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "bad-input matrix (analyze VIDEO, record): all cases passed"
