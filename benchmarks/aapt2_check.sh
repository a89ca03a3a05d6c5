#!/usr/bin/env bash
# Exits 1 unless AAPT2 (Debian's aapt's aapt2) compiles and links FILE as an app's res/values/strings.xml, as an
# Android build does: aapt2 refuses an unescaped apostrophe, a broken plural, markup it cannot read.
#   bash benchmarks/aapt2_check.sh aapt2 strings.es.xml
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/res/values"
aapt2=$(command -v "$1")  # (a name on the PATH, or a path)
cp "$2" "$dir/res/values/strings.xml"
echo '<manifest package="org.example.check"/>' > "$dir/AndroidManifest.xml"
cd "$dir"
"$aapt2" compile res/values/strings.xml -o .
"$aapt2" link -o check.apk --manifest AndroidManifest.xml --static-lib values_strings.arsc.flat
