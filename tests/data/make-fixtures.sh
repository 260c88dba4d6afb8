#!/usr/bin/env bash
# tests/data/make-fixtures.sh OUTDIR - make the video fixtures the capture and
# CLI tests use, with the ffmpeg CLI from Debian. Nothing is downloaded.
# Idempotent: a fixture that exists is kept (delete OUTDIR to remake them).
set -euo pipefail
out=${1:?usage: make-fixtures.sh OUTDIR}
mkdir -p "$out"
ff=${FC_FFMPEG:-ffmpeg}
command -v "$ff" >/dev/null || { echo "make-fixtures: the ffmpeg CLI is needed (apt-get install ffmpeg)"; exit 1; }
mk() { # mk NAME ffmpeg-args...
  local name=$1; shift
  [[ -s "$out/$name" ]] && return 0
  "$ff" -nostdin -loglevel error -y "$@" "$out/.tmp.$name" && mv -f "$out/.tmp.$name" "$out/$name"
}
# 2 s of testsrc2, 320x240 at 25 fps: 50 frames
src=(-f lavfi -i testsrc2=size=320x240:rate=25:duration=2)
mk h264.mp4 "${src[@]}" -c:v libx264 -pix_fmt yuv420p -g 25 -f mp4
mk vp9.webm "${src[@]}" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 200k -f webm
mk mjpeg.avi "${src[@]}" -c:v mjpeg -q:v 5 -f avi
echo "fixtures ready in $out"
