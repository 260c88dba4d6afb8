#!/usr/bin/env bash
# scripts/demo.sh - set everything up (scripts/setup.sh) and run formcheck on the
# bundled sample.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
fc="$root/build/src/formcheck"

# Until the pose module and the rendered samples land, the demo probes a clip
# generated on the spot.
out="$root/build/demo"
mkdir -p "$out"
clip="$out/testsrc.mp4"
if [[ ! -f "$clip" ]]; then
  ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30:duration=2 \
    -c:v libx264 -pix_fmt yuv420p "$clip"
fi
"$fc" probe "$clip"
