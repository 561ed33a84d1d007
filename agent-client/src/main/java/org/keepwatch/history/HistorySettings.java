package org.keepwatch.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the history is kept and for how long, from the {@code history} object of the workstation's settings.json:
 * <pre>{"history": {"url": "jdbc:postgresql://db.example/keepwatch?user=kw", "maxAgeDays": 90, "maxSizeMb": 1024,
 *               "configCheckSeconds": 120, "enabled": true}}</pre>
 * Without it: SQLite at {@code $XDG_DATA_HOME/keepwatch/history.db} (~/.local/share/keepwatch), 90 days, 1 GB.
 * A PostgreSQL password is never in the settings: the driver reads ~/.pgpass.
 *
 * @param url         a JDBC URL ({@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}); a plain path is a SQLite file
 * @param maxAge      events and configuration versions older than this are deleted (the last version of each file stays)
 * @param maxBytes    past this size the oldest events are deleted until it fits
 * @param configCheck how often each online node's configuration is read again to notice hand edits (besides at
 *                    connect and when a daemon changes)
 * @param queue       how many events wait for the writer at most; past it new ones are dropped and the gap recorded
 * @param busyTimeout how long opening waits for a database another process holds locked
 */
public record HistorySettings(boolean enabled, String url, Duration maxAge, long maxBytes, Duration configCheck, int queue,
                              Duration busyTimeout) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(90);
    public static final long DEFAULT_MAX_BYTES = 1024L * 1024 * 1024;
    public static final Duration DEFAULT_CONFIG_CHECK = Duration.ofSeconds(120);
    public static final int DEFAULT_QUEUE = 100_000;
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    public HistorySettings {
        url = url.startsWith("jdbc:") ? url : "jdbc:sqlite:" + url;
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("the history's url must be jdbc:sqlite:FILE or jdbc:postgresql://..., not " + url);
        }
        if (maxAge.isNegative() || maxAge.isZero() || maxBytes <= 0 || queue <= 0) {
            throw new IllegalArgumentException("the history's maxAge, maxBytes and queue must be positive");
        }
    }

    /** SQLite in the XDG data directory, with the default limits. */
    public static HistorySettings defaults() {
        return of("jdbc:sqlite:" + defaultFile());
    }

    /** Off: nothing kept (the settings' {@code "enabled": false}). */
    public HistorySettings off() {
        return new HistorySettings(false, url, maxAge, maxBytes, configCheck, queue, busyTimeout);
    }

    /** This database with the default limits. */
    public static HistorySettings of(String url) {
        return new HistorySettings(true, url, DEFAULT_MAX_AGE, DEFAULT_MAX_BYTES, DEFAULT_CONFIG_CHECK, DEFAULT_QUEUE,
                DEFAULT_BUSY_TIMEOUT);
    }

    public HistorySettings withLimits(Duration age, long bytes) {
        return new HistorySettings(enabled, url, age, bytes, configCheck, queue, busyTimeout);
    }

    public HistorySettings withQueue(int capacity) {
        return new HistorySettings(enabled, url, maxAge, maxBytes, configCheck, capacity, busyTimeout);
    }

    public HistorySettings withBusyTimeout(Duration timeout) {
        return new HistorySettings(enabled, url, maxAge, maxBytes, configCheck, queue, timeout);
    }

    public HistorySettings withConfigCheck(Duration every) {
        return new HistorySettings(enabled, url, maxAge, maxBytes, every, queue, busyTimeout);
    }

    public boolean sqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    /** $XDG_DATA_HOME/keepwatch/history.db, ~/.local/share/keepwatch/history.db without it. */
    public static Path defaultFile() {
        String data = System.getenv("XDG_DATA_HOME");
        Path base = data == null || data.isBlank() ? Path.of(System.getProperty("user.home"), ".local", "share") : Path.of(data);
        return base.resolve("keepwatch").resolve("history.db");
    }

    /**
     * The {@code history} object of {@code settingsDirectory}/settings.json; the defaults where it says nothing. A value
     * of the wrong type fails naming the file and the field: a history silently kept elsewhere would be worse.
     */
    public static HistorySettings read(Path settingsDirectory) throws IOException {
        return read(settingsDirectory, defaults());
    }

    /** As {@link #read(Path)}, with these defaults where settings.json says nothing (a test's own database). */
    public static HistorySettings read(Path settingsDirectory, HistorySettings defaults) throws IOException {
        Path file = settingsDirectory.resolve("settings.json");
        if (!Files.exists(file)) {
            return defaults;
        }
        JsonNode history = JSON.readTree(file.toFile()).path("history");
        if (history.isMissingNode() || history.isNull()) {
            return defaults;
        }
        try {
            return new HistorySettings(bool(history, "enabled", defaults.enabled()), text(history, "url", defaults.url()),
                    Duration.ofDays(number(history, "maxAgeDays", DEFAULT_MAX_AGE.toDays())),
                    number(history, "maxSizeMb", DEFAULT_MAX_BYTES / (1024 * 1024)) * 1024 * 1024,
                    Duration.ofSeconds(number(history, "configCheckSeconds", DEFAULT_CONFIG_CHECK.toSeconds())),
                    DEFAULT_QUEUE, DEFAULT_BUSY_TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": history: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return otherwise;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty string");
        }
        return value.asText();
    }

    private static long number(JsonNode node, String field, long otherwise) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return otherwise;
        }
        if (!value.canConvertToLong() || value.asLong() <= 0) {
            throw new IllegalArgumentException(field + " must be a positive whole number, not " + value);
        }
        return value.asLong();
    }

    private static boolean bool(JsonNode node, String field, boolean otherwise) {
        JsonNode value = node.path(field);
        if (value.isMissingNode()) {
            return otherwise;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true or false, not " + value);
        }
        return value.asBoolean();
    }
}
