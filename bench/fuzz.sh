#!/usr/bin/env bash
# fuzz.sh - run the libFuzzer targets (tests/fuzz/fuzz_<target>.c) one after the
# other, each for a given time, and print each target's final figures.
#
#   bench/fuzz.sh [-t SECONDS] [-b BUILD_DIR] [TARGET...]
#
# TARGETs: tflite report profile keypoints capture (default: all). BUILD_DIR
# (default build-fuzz) is configured here if needed with clang and -DFC_FUZZ=ON.
# Each run starts from the committed seeds (tests/fuzz/corpora/<target>) plus a
# working corpus in BUILD_DIR/fuzz-corpus/<target> that is kept between runs;
# new crashes land in BUILD_DIR/fuzz-artifacts/ (add them to the seed corpus
# once fixed). One job per target, niced: the machine is shared.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
secs=600
build=$src/build-fuzz
while getopts "t:b:h" o; do
  case $o in
    t) secs=$OPTARG ;;
    b) build=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(tflite report profile keypoints capture)

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DFC_FUZZ=ON >/dev/null
fi
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}" >/dev/null

mkdir -p "$build/fuzz-artifacts"
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  work=$build/fuzz-corpus/$t
  log=$build/fuzz-$t.log
  mkdir -p "$work"
  # One process (no -jobs): output stays in $log.
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build/fuzz-artifacts/$t-")
  [[ -f $src/tests/fuzz/$t.dict ]] && args+=(-dict="$src/tests/fuzz/$t.dict")
  case $t in
    tflite) args+=(-max_len=65536) ;;
    capture) args+=(-max_len=16384) ;;
    *) args+=(-max_len=16384) ;;
  esac
  echo "== $t: ${secs}s"
  rc=0
  nice "$bin" "${args[@]}" "$work" "$src/tests/fuzz/corpora/$t" >"$log" 2>&1 || rc=$?
  # The last status line (#N DONE/pulse cov: ft: corp: exec/s:) and the stats.
  grep -E '^#[0-9]+' "$log" | tail -1
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
  if [[ $rc -ne 0 ]]; then
    echo "$t: fuzzer exited $rc; see $log and $build/fuzz-artifacts/" >&2
    status=1
  fi
done
exit $status
