#!/usr/bin/env bash
# bench/decode.sh [BUILD_DIR] - decode speed of the capture stage on a 1080p
# H.264 clip (10 s of testsrc2 at 30 fps, made here with the ffmpeg CLI), with
# --max-side 640 and at native size, each also under /usr/bin/time -v (peak RSS).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
bench=$build/bench/decode_bench
[[ -x $bench ]] || { echo "decode.sh: build first ($bench missing)"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "decode.sh: /usr/bin/time is needed (apt-get install time)"; exit 1; }
clip=$build/bench/1080p-h264.mp4
if [[ ! -s $clip ]]; then
  ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=1920x1080:rate=30:duration=10 \
    -c:v libx264 -preset medium -pix_fmt yuv420p -g 60 "$clip.tmp.mp4"
  mv -f "$clip.tmp.mp4" "$clip"
fi
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for side in 640 0; do
  "$bench" --repeat 3 --max-side "$side" "$clip" 2>/dev/null
  /usr/bin/time -v "$bench" --max-side "$side" "$clip" 2>&1 >/dev/null |
    grep -E 'Maximum resident|Elapsed|Percent of CPU' | sed 's/^\s*/    /'
done
