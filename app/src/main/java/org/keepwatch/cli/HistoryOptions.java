package org.keepwatch.cli;

import org.keepwatch.history.HistoryException;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.settings.SettingsStore;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code keepwatch history} and {@code keepwatch report} share: the history they read (the workstation's, as the
 * app keeps it; {@code --history FILE|URL} another) and the times they take: ISO-8601 ({@code 2026-12-05T03:12:00Z},
 * a local {@code 2026-12-05T03:12} or a local day {@code 2026-12-05}), {@code now}, or a time back from now
 * ({@code 90s}, {@code 30m}, {@code 2h}, {@code 3d}, {@code 1w}).
 */
final class HistoryOptions {

    static final Set<String> VALUED = Set.of("--fleet", "--history", "--router", "--node", "--since", "--until");
    static final String SYNOPSIS = "[--router R] [--node N] [--since T] [--until T] [--history FILE|URL] [--fleet FILE]";
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");

    private HistoryOptions() {
    }

    /** The history to read, opened now; one that cannot be opened fails naming it and why. */
    static HistoryStore open(Arguments parsed, Clock clock) {
        HistorySettings settings;
        try {
            settings = parsed.value("--history").map(HistorySettings::of)
                    .orElse(HistorySettings.read(SettingsStore.defaultDirectory()));
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandFailure(ActionExit.UNREACHABLE, e.getMessage());
        }
        if (!settings.enabled()) {
            throw new CommandFailure(ActionExit.UNREACHABLE, "the history is turned off in "
                    + SettingsStore.defaultDirectory().resolve("settings.json") + " (history.enabled)");
        }
        if (settings.sqlite() && !java.nio.file.Files.exists(java.nio.file.Path.of(settings.url().substring("jdbc:sqlite:".length())))) {
            throw new CommandFailure(ActionExit.UNREACHABLE, "no history yet at " + settings.url().substring("jdbc:sqlite:".length())
                    + " (the app and the action commands keep it once they have watched a fleet)");
        }
        try {
            return HistoryStore.openNow(settings, clock);
        } catch (HistoryException e) {
            throw new CommandFailure(ActionExit.UNREACHABLE, e.getMessage());
        }
    }

    /** A time as the options take it; a bad one fails naming the option and what it accepts. */
    static Instant time(String option, String text, Clock clock) {
        String t = text.trim();
        if (t.equalsIgnoreCase("now")) {
            return clock.instant();
        }
        Matcher relative = RELATIVE.matcher(t);
        if (relative.matches()) {
            long n = Long.parseLong(relative.group(1));
            Duration back = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return clock.instant().minus(back);
        }
        ZoneId zone = clock.getZone();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException notInstant) {
            try {
                return java.time.OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException notOffset) {
                try {
                    return LocalDateTime.parse(t).atZone(zone).toInstant();
                } catch (DateTimeParseException notLocal) {
                    try {
                        return LocalDate.parse(t).atStartOfDay(zone).toInstant();
                    } catch (DateTimeParseException notDate) {
                        throw new UsageException(option + " takes a time: ISO-8601 (2026-12-05T03:12:00Z, 2026-12-05T03:12, "
                                + "2026-12-05), now, or back from now (90s, 30m, 2h, 3d, 1w), not '" + text + "'");
                    }
                }
            }
        }
    }

    static Optional<Instant> since(Arguments parsed, Clock clock) {
        return parsed.value("--since").map(t -> time("--since", t, clock));
    }

    static Optional<Instant> until(Arguments parsed, Clock clock) {
        Optional<Instant> until = parsed.value("--until").map(t -> time("--until", t, clock));
        Optional<Instant> since = since(parsed, clock);
        if (since.isPresent() && until.isPresent() && !until.get().isAfter(since.get())) {
            throw new UsageException("--until " + parsed.value("--until").get() + " is not after --since " + parsed.value("--since").get());
        }
        return until;
    }
}
