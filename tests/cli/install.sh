#!/usr/bin/env bash
# `cmake --install` puts binary, headers, library, models and a pkg-config file
# under a prefix, and a program builds against the installed library with
# pkg-config alone.
set -eu
build=${FC_BUILD_DIR:?}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
fails=0
for f in bin/formcheck include/formcheck/capture.h include/formcheck/pose.h include/formcheck/version.h \
         lib/libformcheck.a lib/pkgconfig/formcheck.pc share/formcheck/models/form/squat.json; do
  [[ -e "$prefix/$f" ]] || { echo "FAIL: $f not installed"; fails=$((fails + 1)); }
done
ls "$prefix"/share/formcheck/models/*.tflite >/dev/null 2>&1 || echo "note: no .tflite installed (models not fetched)"
cat >"$prefix/use.c" <<'C'
#include <formcheck/error.h>
#include <formcheck/landmarks.h>
#include <formcheck/version.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    printf("%s %s %s\n", FC_VERSION_STRING, fc_landmark_name(FC_LM_LEFT_KNEE), fc_strerror(FC_EMODEL));
    return strcmp(fc_landmark_name(25), "left_knee") != 0;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc -std=c11 -o "$prefix/use" "$prefix/use.c" $(pkg-config --cflags --libs formcheck)
out=$("$prefix/use")
[[ "$out" == *" left_knee invalid or unsupported model" ]] || { echo "FAIL: program output: $out"; fails=$((fails + 1)); }
"$prefix/bin/formcheck" version | grep -q '^formcheck ' || { echo "FAIL: installed formcheck"; fails=$((fails + 1)); }
echo "install.sh: $fails failure(s)"
[[ $fails == 0 ]]
