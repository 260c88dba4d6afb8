#!/usr/bin/env bash
# formcheck-synth's command line: help, usage errors, bad files, outputs.
set -u
synth=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # expect CODE DESCRIPTION -- command...
    local want=$1 what=$2; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [[ $got != "$want" ]]; then
        echo "FAIL: $what: exit $got, want $want; stderr: $(head -c 300 "$tmp/err")"
        fail=1
    fi
}
expect 0 "help" -- "$synth" -h
grep -q -- "--exercise" "$tmp/out" || { echo "FAIL: help text"; fail=1; }
expect 2 "unknown option" -- "$synth" --bogus
grep -q "unknown option '--bogus'" "$tmp/err" || { echo "FAIL: unknown option message"; fail=1; }
expect 2 "bad reps" -- "$synth" --reps x --truth "$tmp/t.json"
expect 2 "bad fault" -- "$synth" --fault 2:wobbly --truth "$tmp/t.json"
expect 2 "bad size" -- "$synth" --size 641x480 --truth "$tmp/t.json"
expect 2 "lunge too deep" -- "$synth" --exercise lunge --depth-deg 140 --truth "$tmp/t.json"
expect 2 "fractional threads" -- "$synth" --threads 1.5 --truth "$tmp/t.json"
expect 1 "too many threads" -- "$synth" --threads 99 --png "$tmp/x.png"
[[ ! -e "$tmp/x.png" ]] || { echo "FAIL: png written on error"; fail=1; }
expect 2 "nothing to do" -- "$synth" --reps 2
expect 1 "missing scenario" -- "$synth" --scenario "$tmp/none.json" --truth "$tmp/t.json"
grep -q "none.json" "$tmp/err" || { echo "FAIL: missing scenario not named"; fail=1; }
echo '{"reps": 3' >"$tmp/bad.json"
expect 1 "broken scenario" -- "$synth" --scenario "$tmp/bad.json" --truth "$tmp/t.json"
expect 1 "unwritable output" -- "$synth" --truth /nonexistent-dir/t.json
grep -q "/nonexistent-dir/t.json" "$tmp/err" || { echo "FAIL: unwritable output not named"; fail=1; }
[[ ! -e "$tmp/t.json" ]] || { echo "FAIL: output written on error"; fail=1; }
expect 0 "outputs" -- "$synth" --exercise lunge_reverse --reps 2 --fault 1:valgus --lead right --seed 5 \
    --keypoints "$tmp/k.jsonl" --truth "$tmp/t.json"
n=$(wc -l <"$tmp/k.jsonl")
frames=$(grep -o '"frames":[[:space:]]*[0-9]*' "$tmp/t.json" | grep -o '[0-9]*$')
[[ $n == "$frames" && $n -gt 100 ]] || { echo "FAIL: $n keypoints lines, truth says $frames"; fail=1; }
grep -q '"lead":[[:space:]]*"right"' "$tmp/t.json" || { echo "FAIL: lead leg not in truth"; fail=1; }
grep -q '"valgus"' "$tmp/t.json" || { echo "FAIL: fault not in truth"; fail=1; }
expect 0 "png frame" -- "$synth" --reps 1 --size 160x120 --png-frame 5 --png "$tmp/f.png"
[[ $(head -c 4 "$tmp/f.png" | od -An -tx1 | tr -d ' ') == 89504e47 ]] || { echo "FAIL: not a PNG"; fail=1; }
expect 1 "png frame outside the clip" -- "$synth" --reps 1 --png-frame 100000 --png "$tmp/g.png"
grep -q "outside the clip" "$tmp/err" || { echo "FAIL: png frame range message"; fail=1; }
# a truth file works as a scenario: same keypoints again
expect 0 "truth as scenario" -- "$synth" --scenario "$tmp/t.json" --keypoints "$tmp/k2.jsonl"
cmp -s "$tmp/k.jsonl" "$tmp/k2.jsonl" || { echo "FAIL: scenario round trip changed the keypoints"; fail=1; }
exit $fail
