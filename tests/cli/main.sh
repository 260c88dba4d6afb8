#!/usr/bin/env bash
# The dispatcher: help, version, unknown commands, exit codes, and -h on every
# command without opening a camera or a model.
set -u
fc=${FC_BIN:?FC_BIN not set}
fails=0
check() { # check DESC EXPECTED_RC CMD...
  local desc=$1 want=$2; shift 2
  "$@" >/tmp/fc_cli_out.$$ 2>/tmp/fc_cli_err.$$; local rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: $desc: exit $rc, expected $want"; cat /tmp/fc_cli_err.$$; fails=$((fails + 1))
  fi
}
out() { cat /tmp/fc_cli_out.$$; }
err() { cat /tmp/fc_cli_err.$$; }

check "no args is a usage error" 2 "$fc"
err | grep -q '^usage: formcheck <command>' || { echo "FAIL: no usage text"; fails=$((fails + 1)); }
check "--help" 0 "$fc" --help
for c in analyze record report pose probe version; do
  out | grep -q "^  $c " || { echo "FAIL: --help does not list $c"; fails=$((fails + 1)); }
done
check "unknown command" 2 "$fc" frobnicate
[[ $(err | wc -l) == 1 ]] && err | grep -q "'frobnicate' is not a command" \
  || { echo "FAIL: unknown command message: $(err)"; fails=$((fails + 1)); }
for c in analyze record report pose probe version; do
  check "$c -h" 0 "$fc" "$c" -h
  out | grep -q "^usage: formcheck $c" || { echo "FAIL: $c -h prints no usage"; fails=$((fails + 1)); }
  check "help $c" 0 "$fc" help "$c"
done
check "version" 0 "$fc" version
out | grep -Eq '^formcheck [0-9]+\.[0-9]+\.[0-9]+$' || { echo "FAIL: version line: $(out | head -1)"; fails=$((fails + 1)); }
# A closed stdout is a failure, not a silent success.
if [[ -w /dev/full ]]; then
  "$fc" --help >/dev/full 2>/dev/null; rc=$?
  [[ $rc == 1 ]] || { echo "FAIL: --help >/dev/full exit $rc, expected 1"; fails=$((fails + 1)); }
fi
rm -f /tmp/fc_cli_out.$$ /tmp/fc_cli_err.$$
echo "main.sh: $fails failure(s)"
[[ $fails == 0 ]]
