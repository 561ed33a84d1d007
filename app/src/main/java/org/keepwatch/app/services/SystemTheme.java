package org.keepwatch.app.services;

import org.keepwatch.process.BoundedProcess;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the desktop prefers dark: JavaFX 21 cannot tell, so ask GNOME's settings (also honoured by many other
 * desktops) and GTK_THEME. Runs gsettings for at most {@link #DEFAULT_TIMEOUT}: a gsettings waiting on a hung D-Bus
 * (or a child of it holding its output open) must not keep the theme, or a thread, waiting. Call it off the FX thread.
 */
public final class SystemTheme {

    /** Light is a fine answer: the app should not wait long to learn the desktop's taste. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    private static final int MAX_OUTPUT_BYTES = 4096;

    private final String gsettings;
    private final Map<String, String> environment;
    private final BoundedProcess process;

    /** @param gsettings the gsettings program (a name looked up in the environment's PATH, or a path) */
    public SystemTheme(String gsettings, Map<String, String> environment, Duration timeout) {
        this.gsettings = gsettings;
        this.environment = Map.copyOf(environment);
        this.process = new BoundedProcess(environment, timeout, MAX_OUTPUT_BYTES);
    }

    /** This desktop's gsettings, with this process's environment. */
    public static SystemTheme ofDesktop() {
        return new SystemTheme("gsettings", System.getenv(), DEFAULT_TIMEOUT);
    }

    public boolean prefersDark() {
        String gtkTheme = environment.get("GTK_THEME");
        if (gtkTheme != null && gtkTheme.toLowerCase(Locale.ROOT).contains(":dark")) {
            return true;
        }
        // No gsettings (not a GNOME-style desktop), a failure or no answer in time: light.
        BoundedProcess.Outcome outcome = process.run(
                List.of(gsettings, "get", "org.gnome.desktop.interface", "color-scheme"), null);
        return outcome.succeeded() && new String(outcome.stdout(), StandardCharsets.UTF_8).contains("prefer-dark");
    }
}
