package org.keepwatch.app.services;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether the desktop prefers dark: JavaFX 21 cannot tell, so ask GNOME's settings (also honoured
 * by many other desktops) and GTK_THEME. Runs a process: call it off the FX thread.
 */
public final class SystemTheme {

    private SystemTheme() {
    }

    public static boolean prefersDark() {
        String gtkTheme = System.getenv("GTK_THEME");
        if (gtkTheme != null && gtkTheme.toLowerCase(Locale.ROOT).contains(":dark")) {
            return true;
        }
        try {
            Process process = new ProcessBuilder("gsettings", "get", "org.gnome.desktop.interface", "color-scheme")
                    .redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(2, TimeUnit.SECONDS);
            return out.contains("prefer-dark");
        } catch (IOException e) {
            return false; // no gsettings: not a GNOME-style desktop
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
