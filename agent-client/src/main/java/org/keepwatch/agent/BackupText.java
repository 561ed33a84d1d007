package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/** One backup's text, as {@code config.backup.read} returns it: to compare with the live file or another backup. */
public record BackupText(String daemon, String path, String name, Instant created, String sha256, String text) {

    public static BackupText of(JsonNode result) {
        return new BackupText(result.path("daemon").asText(), result.path("path").asText(), result.path("name").asText(),
                BackupList.epoch(result.path("created").asDouble()), result.path("sha256").asText(),
                result.path("text").asText(""));
    }
}
