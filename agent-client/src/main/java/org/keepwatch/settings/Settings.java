package org.keepwatch.settings;

import java.util.Optional;

/** What the app remembers between runs (never a password). */
public record Settings(Optional<String> lastFleet, Theme theme) {

    public enum Theme { SYSTEM, LIGHT, DARK }

    public static final Settings DEFAULTS = new Settings(Optional.empty(), Theme.SYSTEM);

    public Settings withLastFleet(String path) {
        return new Settings(Optional.of(path), theme);
    }

    public Settings withTheme(Theme newTheme) {
        return new Settings(lastFleet, newTheme);
    }
}
