#!/usr/bin/env bash
# bench/e2e.sh [BUILD_DIR] - end-to-end figures for issue 6's closing note:
#  - `formcheck analyze` frames/s (whole process, wall clock) on a 1080p 30 fps
#    clip (samples/squat_side.mp4 upscaled by ffmpeg), lite and full, with and
#    without the decode thread, and at --max-side 640 vs native;
#  - `formcheck record`'s preview rate, pose rate, capture-to-screen latency and
#    skeleton age on a lavfi source at 640x480/30 (no window: the same loop minus
#    highgui; run it under `xvfb-run -a` and drop --no-window for the window), lite and full.
# Prints one line per run. Not a test: timings depend on the machine's load.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
fc="$build/src/formcheck"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clip="$tmp/sq1080.mp4"
ffmpeg -v error -y -i "$root/samples/squat_side.mp4" -vf "scale=1440:1080,pad=1920:1080:240:0" \
  -c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p "$clip"
frames=$("$fc" probe "$clip" | awk '/frames:/ {print $2}')
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
run() { # run LABEL ARGS...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$fc" analyze "$clip" --quiet --force -o "$tmp/r.json" "$@"
  t1=$(date +%s.%N)
  python3 -c "import sys; f,a,b=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); \
print(f'analyze 1080p {sys.argv[4]:<28} {f} frames {b-a:6.1f} s {f/(b-a):5.1f} fps {f/(b-a)/30:4.2f}x real time')" \
    "$frames" "$t0" "$t1" "$label"
}
for m in lite full; do
  run "$m" --model "$m"
  run "$m --no-pipeline" --model "$m" --no-pipeline
done
run "full --max-side 0 (native)" --model full --max-side 0
for m in lite full; do
  "$fc" record --format lavfi --device testsrc2=size=640x480:rate=30 --no-window --countdown 0 --duration 10 \
    --model "$m" --out "$tmp/rec-$m" 2>&1 >/dev/null | grep "live:" | sed "s/^formcheck: /record $m: /"
done
# The same with a person in view (tracking instead of the detector on every frame).
for m in lite full; do
  "$fc" record --device "$root/samples/squat_side.mp4" --no-window --countdown 0 --model "$m" --out "$tmp/recp-$m" \
    2>&1 >/dev/null | grep "live:" | sed "s/^formcheck: /record $m (squat_side.mp4 as a camera): /"
done
