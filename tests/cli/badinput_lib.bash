# tests/cli/badinput_lib.bash - the harness shared by badinput.sh and
# badinput_video.sh (sourced, not a test: ctest runs tests/cli/*.sh only).
# Sets $tmp (a fresh work directory, the current directory, removed on exit with
# any background $pids), $fails, and defines fail, note, listing, expect, gen and
# randbytes. Needs $ffmpeg; $1 names the temporary directory.
tmp=$(mktemp -d "/tmp/fc_${1:-badinput}_XXXXXX")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
mkdir in
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
note() { echo "NOTE: $*"; }

# listing: what is in the work directory (to prove nothing was added).
listing() { find "$tmp" -mindepth 1 -not -path "$tmp/in/*" -printf '%P %s\n' | sort; }

# expect CODE REGEX CMD... : exit code CODE, stderr one line matching REGEX,
# no temp file and no new file anywhere in the work directory. A command that
# hangs is killed after 60 s (and fails the exit-code check).
expect() {
  local code=$1 re=$2; shift 2
  local before after rc
  before=$(listing)
  timeout 60 "$@" >"$tmp/in/out" 2>"$tmp/in/err"
  rc=$?
  after=$(listing)
  local what="$*"
  [[ $rc == "$code" ]] || fail "$what: exit $rc, want $code ($(head -c 300 "$tmp/in/err"))"
  [[ $(wc -l <"$tmp/in/err") == 1 ]] || fail "$what: want one line on stderr, got: $(cat "$tmp/in/err")"
  grep -Eq -- "$re" "$tmp/in/err" || fail "$what: stderr '$(cat "$tmp/in/err")' does not match '$re'"
  [[ $before == "$after" ]] || fail "$what: left files behind: $(diff <(echo "$before") <(echo "$after") | tail -3)"
  [[ -z $(find "$tmp" -name '*.tmp.*') ]] || fail "$what: temp files left: $(find "$tmp" -name '*.tmp.*')"
}

gen() { "$ffmpeg" -nostdin -v error -y "$@" || fail "ffmpeg $*"; }
# Seeded "random" bytes: a failure must reproduce on the next run.
randbytes() { python3 -c 'import random,sys; r=random.Random(int(sys.argv[1])); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(int(sys.argv[2]))))' "$1" "$2"; }
