#!/usr/bin/env bash
# scripts/test.sh - set everything up (scripts/setup.sh) and run the tests.
#
#   scripts/test.sh              all tests (ctest), build in build/
#   scripts/test.sh --sanitize   unit tests under ASan + UBSan + LeakSanitizer, build in build-asan/
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ "${1:-}" == "--sanitize" ]]; then
  "$root/scripts/setup.sh" --sanitize --build-dir "$root/build-asan"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS=suppressions="$root/tests/lsan.supp"
  cd "$root/build-asan" && exec ctest -L unit --output-on-failure -j "$(nproc)"
fi
"$root/scripts/setup.sh"
cd "$root/build" && exec ctest --output-on-failure -j "$(nproc)"
