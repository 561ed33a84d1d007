package org.keepwatch.app.common;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** Times as operators read them: a clock time to the millisecond, and "3 min ago". */
public final class Formats {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DATE_CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Formats() {
    }

    public static String clock(Instant at) {
        return at == null ? "" : CLOCK.format(at);
    }

    public static String dateTime(Instant at) {
        return at == null ? "" : DATE_CLOCK.format(at);
    }

    public static String clock(Optional<Instant> at) {
        return at.map(Formats::clock).orElse("");
    }

    public static String ago(Instant at, Instant now) {
        if (at == null) {
            return "";
        }
        Duration d = Duration.between(at, now);
        if (d.isNegative() || d.toSeconds() < 1) {
            return "just now";
        }
        if (d.toMinutes() < 1) {
            return d.toSeconds() + " s ago";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + " min ago";
        }
        if (d.toDays() < 1) {
            return d.toHours() + " h ago";
        }
        return d.toDays() + " d ago";
    }
}
