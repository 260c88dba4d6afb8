#!/usr/bin/env bash
# bench/compare.sh - an old build against this one, interleaved, on the same minutes:
# the network (net_bench totals and per-layer-type sums), the whole process on the
# 720p clip (lite/full x 1/2 threads, two rounds), pose against MediaPipe's figure,
# and the record preview rate. Prints everything; nothing is asserted.
#
#   git worktree add --detach /tmp/old OLD_COMMIT && cp models/*.tflite /tmp/old/models/
#   cmake -S /tmp/old -B /tmp/old/build && cmake --build /tmp/old/build -j2
#   bench/compare.sh /tmp/old/build          # ~10 min on 2 quiet cores
#
# Needs build/bench-data/squat_720p30_60s.mp4 (bench/run.sh renders it) and, for the
# MediaPipe row, ../shared/pose-reference/pan_messi.mp4; xvfb-run for the preview.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
old=${1:?usage: bench/compare.sh OLD_BUILD_DIR}
new=$root/build
clip=$root/build/bench-data/squat_720p30_60s.mp4
log() { echo "== $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) $*"; }
cd "$root"
for b in "$old" "$new"; do log net_bench "$b"; "$b/bench/net_bench" models 30; done
for m in lite full; do for t in 1 2; do for b in "$old" "$new"; do
  log layers $m $t "$b"; "$b/bench/net_bench" --layers models/pose_landmark_$m.tflite $t 50 | tail -10
done; done; done
log whole process
for i in 1 2; do for m in lite full; do for t in 1 2; do for b in "$old" "$new"; do
  "$b/src/formcheck" analyze "$clip" --model $m --threads $t --quiet -o /tmp/fc-compare.json --force --stats - |
    python3 -c "
import json, sys
d = json.loads(sys.stdin.readline()); m = d['ms_per_frame']
print('$m $t $b', 'x_rt %.2f' % d['x_realtime_process'], 'lmk', m['landmark'], 'warp', m['warp'],
      'dec', m['decode'], 'cpu', m['cpu'], 'rss', d['peak_rss_mb'])"
done; done; done; done
if [[ -f ../shared/pose-reference/pan_messi.mp4 ]]; then
  log pose_bench; "$new/bench/pose_bench" --runs 3 --models full --threads 1,2 ../shared/pose-reference/pan_messi.mp4
fi
if command -v xvfb-run >/dev/null; then
  for m in lite full; do
    log record $m
    xvfb-run -a "$new/src/formcheck" record --countdown 0 --model $m --device samples/squat_side.mp4 \
      --out /tmp/fc-compare-rec-$m --force 2>&1 | grep "live:"
  done
fi
log end
