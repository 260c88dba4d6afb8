#!/usr/bin/env bash
# scripts/setup.sh - everything formcheck needs on Debian 12, idempotent and quiet
# when there is nothing left to do: missing Debian packages (apt-get update once,
# only if something is missing), the pose models (models/fetch.sh), and a build.
#
#   scripts/setup.sh [--build-dir DIR] [--sanitize] [--no-build]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$root/build"
sanitize=0
do_build=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --sanitize) sanitize=1; shift ;;
    --no-build) do_build=0; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# Build and run-time dependencies, plus test-time tools (ffmpeg CLI for fixtures,
# numpy for the graph reference, xvfb and xdotool for the live window, clang for fuzzing,
# time for bench/decode.sh's peak-RSS figures, chromium to render the HTML report headless).
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libavformat-dev libavcodec-dev libavdevice-dev libswscale-dev libavutil-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-dnn-dev libopencv-highgui-dev
  libcjson-dev libcmocka-dev
  ffmpeg python3 python3-numpy xvfb xauth xdotool clang libclang-rt-14-dev time chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm: any working npm will do (Node.js from another source may bundle its own,
# and Debian's npm package conflicts with it).
command -v npm >/dev/null || missing+=(npm)
if [[ ${#missing[@]} -gt 0 ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$root/models/fetch.sh"

if [[ $do_build == 1 ]]; then
  args=(-DFC_WERROR=ON)
  [[ $sanitize == 1 ]] && args+=(-DFC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build_dir" "${args[@]}" >/dev/null
  fi
  # Quiet unless something fails: the build log is shown then.
  if ! cmake --build "$build_dir" -j "$(nproc)" >"$build_dir/build.log" 2>&1; then
    cat "$build_dir/build.log" >&2
    echo "setup: build failed (log above, also in $build_dir/build.log)" >&2
    exit 1
  fi
fi
