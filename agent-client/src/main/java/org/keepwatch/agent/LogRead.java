package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/** The answer to log.read: where the daemon's log is, its lines, and whether older parts were not searched. */
public record LogRead(String daemon, Source source, List<LogLine> lines, boolean truncated) {

    /** Where a daemon's log is: {@code journal} (a systemd unit), {@code file} or {@code syslog}. */
    public record Source(String kind, Optional<String> path, Optional<String> unit) {
        public static Source of(JsonNode s) {
            return new Source(s.path("kind").asText(), s.hasNonNull("path") ? Optional.of(s.get("path").asText()) : Optional.empty(),
                    s.hasNonNull("unit") ? Optional.of(s.get("unit").asText()) : Optional.empty());
        }

        /** "the journal of keepalived.service", "/var/log/keepalived.log". */
        public String describe() {
            return kind.equals("journal") ? "the journal of " + unit.orElse("?") : path.orElse(kind);
        }
    }

    public LogRead {
        lines = List.copyOf(lines);
    }

    public static LogRead of(JsonNode r) {
        return new LogRead(r.path("daemon").asText(), Source.of(r.path("source")), LogLine.listOf(r.path("lines")),
                r.path("truncated").asBoolean());
    }
}
