# What the deb and rpm scripts do after installing and before removing Keepwatch (sourced, POSIX sh):
# the menu entry, the icon in every size desktops pick from, /usr/bin/keepwatch for the CLI, and the
# class data sharing archive that makes the app start faster. Plain files where every freedesktop
# desktop looks for them, so it works without xdg-utils or a desktop installed.
KEEPWATCH_HOME=/opt/keepwatch
KEEPWATCH_APP="$KEEPWATCH_HOME/lib/app"
KEEPWATCH_ICON_SIZES="16 24 32 48 64 128 256 512"
KEEPWATCH_APPLICATIONS=/usr/share/applications
KEEPWATCH_ICONS=/usr/share/icons/hicolor

keepwatch_refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$KEEPWATCH_APPLICATIONS" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$KEEPWATCH_ICONS/index.theme" ]; then
    gtk-update-icon-cache -q -t "$KEEPWATCH_ICONS" || true
  fi
}

# The archive holds absolute class path entries, so it can only be made where the app is installed.
keepwatch_dump_class_archive() {
  classpath=$(sed -n 's|^app.classpath=\$APPDIR/|'"$KEEPWATCH_APP"'/|p' "$KEEPWATCH_APP/Keepwatch.cfg" | paste -sd: -)
  if ! "$KEEPWATCH_HOME/lib/runtime/bin/java" -Xshare:dump -XX:+UseSerialGC \
      -XX:SharedClassListFile="$KEEPWATCH_APP/keepwatch.classlist" \
      -XX:SharedArchiveFile="$KEEPWATCH_APP/keepwatch.jsa" -cp "$classpath" >/dev/null 2>&1; then
    rm -f "$KEEPWATCH_APP/keepwatch.jsa"
    echo "keepwatch: no class data sharing archive (the app still starts, a little slower)" >&2
  fi
}

keepwatch_after_install() {
  for size in $KEEPWATCH_ICON_SIZES; do
    install -D -m 644 "$KEEPWATCH_APP/icons/keepwatch-$size.png" "$KEEPWATCH_ICONS/${size}x${size}/apps/keepwatch.png"
  done
  install -D -m 644 "$KEEPWATCH_APP/keepwatch.desktop" "$KEEPWATCH_APPLICATIONS/keepwatch.desktop"
  update-alternatives --install /usr/bin/keepwatch keepwatch "$KEEPWATCH_HOME/bin/keepwatch" 50
  keepwatch_dump_class_archive
  keepwatch_refresh_caches
}

keepwatch_before_remove() {
  update-alternatives --remove keepwatch "$KEEPWATCH_HOME/bin/keepwatch" || true
  rm -f "$KEEPWATCH_APPLICATIONS/keepwatch.desktop" "$KEEPWATCH_APP/keepwatch.jsa"
  for size in $KEEPWATCH_ICON_SIZES; do
    rm -f "$KEEPWATCH_ICONS/${size}x${size}/apps/keepwatch.png"
  done
  keepwatch_refresh_caches
}
