package org.keepwatch.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's maintenance weight, typed (docs/protocol.md, maintenance.set and maintenance.prepare). Refusals complete
 * the futures with an {@link AgentException}: {@code not_wired}, {@code unsupported} (Neutron), {@code untrusted}.
 */
public final class MaintenanceOps {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final AgentSession session;

    public MaintenanceOps(AgentSession session) {
        this.session = session;
    }

    /** What a write of the weight did: {@code applied} or {@code unchanged}, the number before and after. */
    public record Written(String daemon, String result, int value, Optional<Integer> previousValue, MaintenanceRecord maintenance) {
    }

    /** Drains ({@code drained}: 253 taken off every wired instance's priority) or undrains (0) the daemon. */
    public CompletableFuture<Written> set(String daemon, boolean drained, String reason) {
        ObjectNode args = session.json().createObjectNode().put("daemon", daemon).put("drained", drained).put("reason", reason);
        return session.call("maintenance.set", args, TIMEOUT).thenApply(this::written);
    }

    /** The track file's directory and the file (0 when there is none yet), before the wiring is pushed. */
    public CompletableFuture<Written> prepare(String daemon, String reason) {
        ObjectNode args = session.json().createObjectNode().put("daemon", daemon).put("reason", reason);
        return session.call("maintenance.prepare", args, TIMEOUT).thenApply(this::written);
    }

    private Written written(JsonNode result) {
        try {
            return session.json().treeToValue(result, Written.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the agent's answer to a maintenance op is not understood: " + e.getMessage(), e);
        }
    }
}
