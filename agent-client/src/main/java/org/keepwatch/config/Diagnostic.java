package org.keepwatch.config;

import java.util.Optional;

/**
 * One finding about a configuration: where, how bad, a stable code for scripts and suppression,
 * a message for people and, where one is known, a suggested fix (a did-you-mean keyword).
 */
public record Diagnostic(Location location, Severity severity, String code, String message, Optional<String> suggestion) {

    public static Diagnostic error(Location location, String code, String message) {
        return new Diagnostic(location, Severity.ERROR, code, message, Optional.empty());
    }

    public static Diagnostic warning(Location location, String code, String message) {
        return new Diagnostic(location, Severity.WARNING, code, message, Optional.empty());
    }

    @Override
    public String toString() {
        return location + ": " + severity.name().toLowerCase() + ": " + message + " [" + code + "]"
            + suggestion.map(s -> " (did you mean '" + s + "'?)").orElse("");
    }
}
