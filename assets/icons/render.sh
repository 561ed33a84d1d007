#!/usr/bin/env bash
# Renders the app icon from its SVG source into every PNG size the desktops and the app want.
# Needs rsvg-convert (apt-get install librsvg2-bin; ImageMagick alone draws the gradient black),
# ImageMagick for the .ico and png2icns (icnsutils) for the .icns.
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
# Windows and macOS installers want their own containers (ImageMagick; png2icns from icnsutils).
png_files() { for size in "$@"; do echo "$here/keepwatch-$size.png"; done; }
convert $(png_files 16 24 32 48 64 128 256) "$here/keepwatch.ico"
png2icns "$here/keepwatch.icns" $(png_files 16 32 48 128 256 512) >/dev/null
