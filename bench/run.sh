#!/usr/bin/env bash
# bench/run.sh - `formcheck analyze` speed, whole process, per clip x model x threads.
#
#   bench/run.sh --quick           # ~5 min: squat_side + 720p 60 s clip, lite/full, 1/2 threads
#   bench/run.sh                   # everything: 3 samples + 720p + 1080p 60 s clips, lite/full/heavy, 1/2 threads
#   bench/run.sh --models lite --threads 2 --clips 720p --repeat 3 --label "after X"
#   bench/run.sh --levers          # the levers A/B, interleaved, 3 repeats: lite+full, 2 threads, 720p + 60 fps clip
#   bench/run.sh --variant base= --variant nopipe=--no-pipeline --clips 720p --repeat 3   # own A/B
#
# For each run it prints a table row: per-stage ms per analysed frame (decode on
# its own thread, detector, warp, landmark, analysis, annotate), frames/s and
# multiple of real time of the whole process (startup included, as /usr/bin/time
# sees it), CPU ms per frame (all threads; the fairer figure on a busy machine),
# peak RSS; and appends one JSON line (analyze --stats plus the machine, load
# average, commit, label) to --out (default bench/results.jsonl).
#
# Clips: squat_side, squat_front, lunge_side (samples/, 640x480 30 fps, ~10 s);
# 1080p (formcheck-synth, 1920x1080 30 fps, 19 squats, 61 s) and 720p (the same
# scaled by ffmpeg), cached in BUILD/bench-data/ (the first render takes minutes).
# A variant NAME=ARGS adds ARGS to analyze; variants run interleaved (each
# repeat runs them all in turn) so a load change hits them alike.
# Not a test: timings depend on the machine's load; record `cat /proc/loadavg`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build
out=$root/bench/results.jsonl
models=lite,full,heavy
threads=1,2
clips=squat_side,squat_front,lunge_side,720p,1080p
repeat=1
label=""
extra=()
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; echo "options: --quick --models L --threads L --clips L --repeat N --label TEXT --build DIR --out FILE --annotate -- ANALYZE-ARGS..."; }
annotate=0
variants=()
while (($#)); do
  case $1 in
    --quick) models=lite,full; threads=1,2; clips=squat_side,720p ;;
    --models) models=$2; shift ;;
    --threads) threads=$2; shift ;;
    --clips) clips=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --label) label=$2; shift ;;
    --build) build=$(cd "$2" && pwd); shift ;;
    --out) out=$2; shift ;;
    --annotate) annotate=1 ;;
    --variant) variants+=("$2"); shift ;;
    --levers)
      models=lite,full; threads=2; clips=720p,60fps; repeat=3
      variants=("default=" "no-planar=--no-planar" "no-segments=--no-segments" "no-pipeline=--no-pipeline"
                "ffmpeg-decode-threads=--decode-threads 0"
                "max-side-0=--max-side 0" "analysis-fps-0=--analysis-fps 0") ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "bench/run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
fc=$build/src/formcheck
synth=$build/tests/synth/formcheck-synth
data=$build/bench-data
[[ -x $fc ]] || { echo "bench/run.sh: $fc not built" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench/run.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FC_BENCH_ROWS=$tmp/rows.jsonl

# clip_path NAME -> path (rendering/caching the long clips on first use)
clip_path() {
  case $1 in
    squat_side|squat_front|lunge_side) echo "$root/samples/$1.mp4" ;;
    1080p)
      local f=$data/squat_1080p30_60s.mp4
      if [[ ! -s $f ]]; then
        [[ -x $synth ]] || { echo "bench/run.sh: $synth not built" >&2; return 1; }
        echo "rendering $f (takes minutes, once)..." >&2
        "$synth" --reps 19 --size 1920x1080 --fps 30 --threads 2 --video "$f.part.mp4" \
          --truth "$data/squat_1080p30_60s.truth.json" >&2 && mv "$f.part.mp4" "$f"
      fi
      echo "$f" ;;
    60fps)
      local f=$data/squat_480p60_20s.mp4
      if [[ ! -s $f ]]; then
        [[ -x $synth ]] || { echo "bench/run.sh: $synth not built" >&2; return 1; }
        echo "rendering $f (once)..." >&2
        "$synth" --reps 6 --size 640x480 --fps 60 --threads 2 --video "$f.part.mp4" >&2 && mv "$f.part.mp4" "$f"
      fi
      echo "$f" ;;
    720p)
      local f=$data/squat_720p30_60s.mp4 src
      if [[ ! -s $f ]]; then
        src=$(clip_path 1080p) || return 1
        echo "scaling $src to 720p (once)..." >&2
        ffmpeg -v error -y -i "$src" -vf scale=1280:720 -c:v libx264 -preset medium -crf 23 -pix_fmt yuv420p \
          "$f.part.mp4" && mv "$f.part.mp4" "$f"
      fi
      echo "$f" ;;
    *) [[ -s $1 ]] && echo "$1" || { echo "bench/run.sh: no clip '$1'" >&2; return 1; } ;;
  esac
}

cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo "+dirty" || true)
echo "machine: $cpu_model, $(nproc) cores; commit $commit$dirty; load average $(cut -d' ' -f1-3 /proc/loadavg)"
((${#variants[@]})) || variants=("=")
printf '%-15s %-11s %-5s %2s | %6s %6s %6s %6s %6s %6s | %6s %6s %5s | %7s %6s\n' variant clip model th decode det warp lmk \
  analys annot "ms/fr" fps "x rt" "cpu ms" "RSS MB"

IFS=, read -ra clip_list <<<"$clips"
IFS=, read -ra model_list <<<"$models"
IFS=, read -ra thread_list <<<"$threads"
for c in "${clip_list[@]}"; do
  path=$(clip_path "$c")
  for m in "${model_list[@]}"; do
    for t in "${thread_list[@]}"; do
      for ((i = 0; i < repeat; i++)); do
       for v in "${variants[@]}"; do
        vname=${v%%=*}
        read -ra vargs <<<"${v#*=}"
        rm -f "$tmp/stats.jsonl"
        ann=()
        ((annotate)) && ann=(--annotate "$tmp/a.mp4")
        load0=$(cut -d' ' -f1 /proc/loadavg)
        /usr/bin/time -o "$tmp/time" -f '%e %U %S %M' "$fc" analyze "$path" --model "$m" --threads "$t" --quiet \
          --force -o "$tmp/r.json" --stats "$tmp/stats.jsonl" "${ann[@]}" "${vargs[@]}" "${extra[@]}" ||
          { echo "bench/run.sh: analyze $c $m $t failed" >&2; exit 1; }
        load1=$(cut -d' ' -f1 /proc/loadavg)
        python3 - "$tmp/stats.jsonl" "$tmp/time" "$out" "$c" "$cpu_model" "$(nproc)" "$commit$dirty" "$load0" \
          "$load1" "$label" "${vargs[*]:-} ${extra[*]:-}" "$vname" <<'EOF'
import json, os, sys, time
stats_p, time_p, out_p, clip, cpu, ncpu, commit, load0, load1, label, extra, variant = sys.argv[1:13]
st = json.loads(open(stats_p).read().splitlines()[-1])
wall, user, sys_s, rss_kb = open(time_p).read().split()[-4:]
wall, cpu_s, rss_mb = float(wall), float(user) + float(sys_s), int(rss_kb) / 1024
n, v = st["frames"], st["video_s"]
ms = st["ms_per_frame"]
row = dict(time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), clip=clip, commit=commit, label=label,
           variant=variant, extra_args=extra.strip(), cpu_model=cpu, cores=int(ncpu), loadavg_before=float(load0), loadavg_after=float(load1),
           wall_s=wall, cpu_s=round(cpu_s, 2), peak_rss_mb=round(rss_mb, 1),
           fps=round(n / wall, 2), x_realtime=round(v / wall, 3), cpu_ms_per_frame=round(cpu_s * 1e3 / n, 2),
           stats=st)
for p in (out_p, os.environ["FC_BENCH_ROWS"]):
    with open(p, "a") as f:
        f.write(json.dumps(row) + "\n")
ann = ms["annotate_pass"] * st.get("frames_source", n) / n if ms["annotate_pass"] else 0
print("%-15s %-11s %-5s %2d | %6.2f %6.2f %6.2f %6.2f %6.3f %6.2f | %6.2f %6.1f %5.2f | %7.2f %6.0f" % (
    (variant or "-")[:15], clip[:11], st["model"], st["threads"], ms["decode"], ms["detector"], ms["warp"], ms["landmark"],
    ms["analysis"], ann, wall * 1e3 / n, n / wall, v / wall, cpu_s * 1e3 / n, rss_mb))
EOF
       done
      done
    done
  done
done
if ((repeat > 1 || ${#variants[@]} > 1)); then
  echo; echo "medians over repeats (x rt: whole process; cpu ms: all threads per analysed frame):"
  python3 - "$FC_BENCH_ROWS" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for r in rows:
    groups.setdefault((r["clip"], r["stats"]["model"], r["stats"]["threads"], r["variant"] or "-"), []).append(r)
print("%-11s %-5s %2s %-15s %3s | %7s %6s %7s" % ("clip", "model", "th", "variant", "n", "ms/fr", "x rt", "cpu ms"))
for (clip, model, th, var), rs in groups.items():
    med = lambda k: statistics.median(r[k] for r in rs)
    print("%-11s %-5s %2d %-15s %3d | %7.2f %6.2f %7.2f" % (clip[:11], model, th, var[:15], len(rs),
          statistics.median(r["wall_s"] * 1e3 / r["stats"]["frames"] for r in rs), med("x_realtime"), med("cpu_ms_per_frame")))
EOF
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); JSON lines appended to $out"
