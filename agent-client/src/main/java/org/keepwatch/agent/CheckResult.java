package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@code keepalived -t} said about a candidate on the node ({@code config.check}, or the details of
 * an apply refused with {@code check_failed}): ok when no message is an error.
 */
public record CheckResult(boolean ok, int errors, int warnings, List<Message> diagnostics, String output) {

    /** One line of keepalived's verdict; file and line are absent where keepalived names none. */
    public record Message(Optional<String> file, OptionalInt line, boolean error, Optional<String> instance, String message) {

        /** "/etc/keepalived/keepalived.conf:7: number '300' outside range [1, 255]". */
        @Override
        public String toString() {
            String where = file.map(f -> f + (line.isPresent() ? ":" + line.getAsInt() : "") + ": ").orElse("");
            return where + message;
        }
    }

    public CheckResult {
        diagnostics = List.copyOf(diagnostics);
    }

    public static CheckResult of(JsonNode result) {
        List<Message> diagnostics = diagnostics(result.path("diagnostics"));
        int errors = result.path("errors").asInt((int) diagnostics.stream().filter(Message::error).count());
        int warnings = result.path("warnings").asInt((int) diagnostics.stream().filter(d -> !d.error()).count());
        boolean ok = result.has("ok") ? result.path("ok").asBoolean() : errors == 0;
        return new CheckResult(ok, errors, warnings, diagnostics, result.path("output").asText(""));
    }

    static List<Message> diagnostics(JsonNode array) {
        List<Message> out = new ArrayList<>();
        for (JsonNode d : array) {
            out.add(new Message(text(d, "file"), d.path("line").isInt() ? OptionalInt.of(d.path("line").asInt()) : OptionalInt.empty(),
                    !"warning".equals(d.path("severity").asText()), text(d, "instance"), d.path("message").asText()));
        }
        return out;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }
}
