#!/usr/bin/env bash
# tests/e2e/analyze_many.sh - `formcheck analyze` over several videos with a bad
# one in the middle (exit 1, the others' reports written, one summary line per
# file), usage errors, and a stop by SIGINT/SIGTERM (exit 130/143, no report,
# no temporary file left). Clips are rendered by formcheck-synth at test time.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.bash"

render a --exercise squat --reps 2 --tempo 0.8,0.2,0.7 --rest-s 0.5 --lead-in-s 0.6 --lead-out-s 0.6 --view side
cp "$tmp/a.mp4" "$tmp/c.mp4"
echo "not a video" >"$tmp/bad.mp4"

"$bin" analyze -o "$tmp/x.json" "$tmp/a.mp4" "$tmp/c.mp4" 2>/dev/null; [[ $? == 2 ]] || fail "-o with two inputs"
"$bin" analyze --exercise jump "$tmp/a.mp4" 2>/dev/null; [[ $? == 2 ]] || fail "--exercise jump"
"$bin" analyze --max-side -1 "$tmp/a.mp4" 2>/dev/null; [[ $? == 2 ]] || fail "--max-side -1"
"$bin" analyze --model tiny "$tmp/a.mp4" 2>/dev/null; [[ $? == 2 ]] || fail "--model tiny"

"$bin" analyze --model lite "$tmp/a.mp4" "$tmp/bad.mp4" "$tmp/c.mp4" >"$tmp/out" 2>"$tmp/err"
rc=$?
[[ $rc == 1 ]] || fail "exit $rc with a bad file among good ones"
for f in a c; do
  [[ -s "$tmp/$f.formcheck.json" ]] || fail "$f: report missing"
  [[ $(json "$tmp/$f.formcheck.json" "len(d['reps'])") == 2 ]] || fail "$f: $(json "$tmp/$f.formcheck.json" "len(d['reps'])") reps, not 2"
done
[[ ! -e "$tmp/bad.formcheck.json" ]] || fail "a report for the bad file"
grep -q "bad.mp4" "$tmp/err" || fail "the error does not name bad.mp4: $(cat "$tmp/err")"
grep -q "^$tmp/a.mp4: squat, side view, 2 reps" "$tmp/out" || fail "summary line for a: $(tail -3 "$tmp/out")"
grep -q "^$tmp/bad.mp4: FAILED" "$tmp/out" || fail "summary line for bad: $(tail -3 "$tmp/out")"
grep -q "^$tmp/c.mp4: squat" "$tmp/out" || fail "summary line for c: $(tail -3 "$tmp/out")"

# Stopped by a signal mid-video: no report, no annotated video, no temporary file.
# The clip is looped ten times so the job is still running when the signal comes,
# however fast the machine; the signal goes once the first progress line shows
# (the handlers are installed by then).
mkdir "$tmp/sig"
"${FC_FFMPEG:-ffmpeg}" -nostdin -loglevel error -stream_loop 9 -i "$tmp/a.mp4" -c copy "$tmp/sig/a.mp4"
for sig in INT TERM; do
  "$bin" analyze --model full --annotate "$tmp/sig/ann.mp4" --keypoints-out "$tmp/sig/k.jsonl" "$tmp/sig/a.mp4" \
    >/dev/null 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q 'pose [0-9]' "$tmp/err" 2>/dev/null && break; sleep 0.1; done
  kill -$sig $pid
  wait $pid
  rc=$?
  want=$([[ $sig == INT ]] && echo 130 || echo 143)
  [[ $rc == "$want" ]] || fail "SIG$sig: exit $rc, expected $want ($(cat "$tmp/err"))"
  left=$(ls "$tmp/sig" | grep -v '^a.mp4$')
  [[ -z "$left" ]] || fail "SIG$sig left files behind: $left"
done
echo "ok"
