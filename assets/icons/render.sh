#!/usr/bin/env bash
# Renders the app icon from its SVG source into every PNG size the desktops and the app want.
# Needs rsvg-convert (apt-get install librsvg2-bin); ImageMagick alone draws the gradient black.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_icons="$here/../../app/src/main/resources/org/keepwatch/app/icons"
mkdir -p "$app_icons"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" "$here/keepwatch.svg" -o "$here/keepwatch-$size.png"
done
for size in 16 32 48 64 128 256; do
  cp "$here/keepwatch-$size.png" "$app_icons/"
done
