#!/usr/bin/env bash
# Exits 1 unless aapt2 (Debian's aapt) compiles and links FILE as an app's res/values/strings.xml, as an Android
# build does: aapt2 refuses an unescaped apostrophe, a broken plural, markup it cannot read.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/res/values"
cp "$1" "$dir/res/values/strings.xml"
echo '<manifest package="org.example.check"/>' > "$dir/AndroidManifest.xml"
cd "$dir"
aapt2 compile res/values/strings.xml -o .
aapt2 link -o check.apk --manifest AndroidManifest.xml --static-lib values_strings.arsc.flat
