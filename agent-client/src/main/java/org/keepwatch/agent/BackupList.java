package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The backups the agent keeps of one file of a daemon's configuration, as {@code config.backups} lists them:
 * newest first, at most {@code keep} (docs/protocol.md).
 */
public record BackupList(String daemon, String path, int keep, List<Entry> backups) {

    /** One backup: its name (what {@code config.backup.read} and {@code config.restore} take), when, how big, its hash. */
    public record Entry(String name, Instant created, long size, String sha256) {
    }

    public BackupList {
        backups = List.copyOf(backups);
    }

    /** Reads the result of {@code config.backups}. */
    public static BackupList of(JsonNode result) {
        List<Entry> entries = new ArrayList<>();
        for (JsonNode b : result.path("backups")) {
            entries.add(new Entry(b.path("name").asText(), BackupList.epoch(b.path("created").asDouble()),
                    b.path("size").asLong(), b.path("sha256").asText()));
        }
        return new BackupList(result.path("daemon").asText(), result.path("path").asText(), result.path("keep").asInt(), entries);
    }

    /** Seconds since the epoch (the agent's {@code created}) as an instant, to the microsecond. */
    static Instant epoch(double seconds) {
        long whole = (long) Math.floor(seconds);
        return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1_000_000) * 1_000);
    }
}
