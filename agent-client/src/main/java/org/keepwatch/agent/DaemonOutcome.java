package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;

/**
 * How a daemon.* request ended, as the agent verified it on the node: {@code result} is {@code done} or
 * {@code unchanged} (a stop of a stopped daemon, a start of a running one); {@code running} and the pids are what
 * /proc showed afterwards. {@code drained}: a stop to drain left it drained; {@code undrained}: a start ended a drain
 * by stopping.
 */
public record DaemonOutcome(String daemon, String action, String result, String method, Optional<String> unit,
                            boolean running, Optional<Integer> pid, Optional<Integer> vrrpPid,
                            Optional<Integer> previousPid, long durationMs, boolean drained, boolean undrained) {

    public static DaemonOutcome of(JsonNode r) {
        return new DaemonOutcome(r.path("daemon").asText(), r.path("action").asText(), r.path("result").asText(),
                r.path("method").asText(), text(r, "unit"), r.path("running").asBoolean(), number(r, "pid"),
                number(r, "vrrp_pid"), number(r, "previous_pid"), r.path("duration_ms").asLong(),
                r.path("drained").asBoolean(false), r.path("undrained").asBoolean(false));
    }

    public boolean changed() {
        return "done".equals(result);
    }

    private static Optional<String> text(JsonNode r, String field) {
        return r.hasNonNull(field) ? Optional.of(r.get(field).asText()) : Optional.empty();
    }

    private static Optional<Integer> number(JsonNode r, String field) {
        return r.hasNonNull(field) ? Optional.of(r.get(field).asInt()) : Optional.empty();
    }
}
