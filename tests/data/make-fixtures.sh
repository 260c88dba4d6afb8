#!/usr/bin/env bash
# tests/data/make-fixtures.sh OUTDIR - make the video fixtures the capture and
# CLI tests use, with the ffmpeg CLI from Debian. Nothing is downloaded.
# Idempotent: a fixture that exists is kept (delete OUTDIR to remake them).
#
# Fixtures (the tests assert on the values noted here):
#   h264.mp4 vp9.webm mjpeg.avi  testsrc2 320x240, 25 fps, 2 s = 50 frames
#   h264-60.mp4                  testsrc2 160x120, 60 fps, 2 s = 120 frames, a key frame every 25
#   quad.mp4                     320x240, 25 fps, 1 s: top-left 160x120 red, the rest blue
#   rot90.mp4 rot180.mp4 rot270.mp4  quad.mp4 remuxed with -metadata:s:v:0 rotate=N, which
#                                FFmpeg 5.1's mp4 muxer writes as a display matrix of N degrees
#                                counter-clockwise (ffprobe: rotation=N); players (and capture)
#                                turn rot90 90 degrees counter-clockwise: the red quadrant ends
#                                bottom-left of a 240x320 picture
#   h264-rotN.mp4                h264.mp4 with the same display matrices (detailed picture)
#   vfr.mkv                      50 frames: t = 0.04*n for n < 25, then 1 + 0.1*(n-25)
#   truncated.mp4                first half of h264.mp4 (moov is at the end: no moov)
#   cut.mp4                      h264.mp4 with moov first (faststart), cut to 60%: some frames
#   raw.h264                     h264.mp4's stream as raw Annex B: no timestamps at all
#   damaged.mp4                  h264.mp4 with 3 x 500 seeded random bytes at 20/30/40% (in mdat)
#   unknown-codec.avi            mjpeg.avi with fourcc ZZZZ (no decoder)
#   random.mp4                   64 KiB of seeded pseudo-random bytes
#   audio.m4a                    1 s of a 440 Hz sine, AAC, no video
#   empty.mp4                    0 bytes
#   dir.mp4/                     a directory
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
mk h264-60.mp4 -f lavfi -i testsrc2=size=160x120:rate=60:duration=2 -c:v libx264 -pix_fmt yuv420p -g 25 -f mp4

# Non-symmetric pattern so pixel orientation can be asserted after rotation.
mk quad.mp4 -f lavfi -i "color=c=blue:size=320x240:rate=25:duration=1,drawbox=x=0:y=0:w=160:h=120:color=red:t=fill" \
  -c:v libx264 -pix_fmt yuv420p -qp 0 -f mp4
for r in 90 180 270; do
  mk rot$r.mp4 -i "$out/quad.mp4" -c copy -metadata:s:v:0 rotate=$r -f mp4
  mk h264-rot$r.mp4 -i "$out/h264.mp4" -c copy -metadata:s:v:0 rotate=$r -f mp4
done

# Variable frame rate: 25 frames 40 ms apart, then 25 frames 100 ms apart.
mk vfr.mkv "${src[@]}" -vf "settb=1/1000,setpts='round(if(lt(N,25),N*0.04,1+(N-25)*0.1)/TB)'" -fps_mode vfr -enc_time_base 1:1000 \
  -c:v libx264 -pix_fmt yuv420p -f matroska

if [[ ! -s "$out/truncated.mp4" ]]; then
  size=$(stat -c %s "$out/h264.mp4")
  head -c $((size / 2)) "$out/h264.mp4" >"$out/.tmp.truncated.mp4"
  mv -f "$out/.tmp.truncated.mp4" "$out/truncated.mp4"
fi
mk faststart.mp4 -i "$out/h264.mp4" -c copy -movflags +faststart -f mp4
if [[ ! -s "$out/cut.mp4" ]]; then
  size=$(stat -c %s "$out/faststart.mp4")
  head -c $((size * 6 / 10)) "$out/faststart.mp4" >"$out/.tmp.cut.mp4"
  mv -f "$out/.tmp.cut.mp4" "$out/cut.mp4"
fi
mk raw.h264 -i "$out/h264.mp4" -c copy -bsf:v h264_mp4toannexb -f h264
if [[ ! -s "$out/damaged.mp4" ]]; then
  python3 - "$out/h264.mp4" "$out/.tmp.damaged.mp4" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
random.seed(7)
for k in (2, 3, 4):
    off = len(data) * k // 10
    for i in range(off, off + 500):
        data[i] = random.getrandbits(8)
open(sys.argv[2], "wb").write(data)
PY
  mv -f "$out/.tmp.damaged.mp4" "$out/damaged.mp4"
fi
mk unknown-codec.avi -i "$out/mjpeg.avi" -c copy -vtag ZZZZ -strict experimental -f avi
if [[ ! -s "$out/random.mp4" ]]; then
  python3 -c 'import random, sys; random.seed(20261125); sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(65536)))' \
    >"$out/.tmp.random.mp4"
  mv -f "$out/.tmp.random.mp4" "$out/random.mp4"
fi
mk audio.m4a -f lavfi -i sine=frequency=440:duration=1 -c:a aac -f mp4
: >"$out/empty.mp4"
mkdir -p "$out/dir.mp4"
echo "fixtures ready in $out"
