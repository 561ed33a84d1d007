package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One step of a daemon.* request as the agent reports it ({@code daemon.step} events): lock, systemctl, stop,
 * reload, start, verify, audit; started, ok, failed or skipped, with the agent's details.
 */
public record DaemonStep(Object requestId, String op, String daemon, String step, String status, JsonNode raw) {

    public static DaemonStep of(JsonNode event) {
        JsonNode id = event.path("id");
        return new DaemonStep(id.isNumber() ? (Object) id.asLong() : id.asText(), event.path("op").asText(),
                event.path("daemon").asText(), event.path("step").asText(), event.path("status").asText(), event);
    }

    /** "stop: ok (pid 6853)", "verify: failed: keepalived n1 is not running after the start; ...". */
    public String describe() {
        StringBuilder text = new StringBuilder(step).append(": ").append(status);
        if (raw.hasNonNull("message")) {
            text.append(": ").append(raw.get("message").asText());
        } else if (raw.hasNonNull("pid")) {
            text.append(" (pid ").append(raw.get("pid").asInt()).append(')');
        }
        return text.toString();
    }
}
