package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's daemon control and log operations, typed (docs/protocol.md, daemon.* and log.*). Errors complete the
 * futures with an {@link AgentException} carrying the protocol's code ({@code neutron_managed},
 * {@code control_failed}, {@code untrusted}, ...).
 */
public final class DaemonOps {

    /** A start or stop waits for its outcome on the node (up to the agent's reload_timeout) under the apply lock. */
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(45);

    /** The answer to log.follow: its id in the session's {@code log} events, and where the log is. */
    public record FollowStarted(int follow, LogRead.Source source) {
    }

    private final AgentSession session;

    public DaemonOps(AgentSession session) {
        this.session = session;
    }

    /** daemon.start, daemon.stop, daemon.restart or daemon.reload; its daemon.step events arrive meanwhile. */
    public CompletableFuture<DaemonOutcome> control(String daemon, String action, String reason) {
        ObjectNode args = session.json().createObjectNode().put("daemon", daemon);
        if (reason != null && !reason.isBlank()) {
            args.put("reason", reason);
        }
        return session.call("daemon." + action, args, CONTROL_TIMEOUT).thenApply(DaemonOutcome::of);
    }

    /**
     * daemon.stop with {@code drain}: the fallback drain without the maintenance weight's wiring. The agent refuses
     * before stopping anything where it could not start the daemon again, and marks it drained once it is stopped;
     * any later start undrains it.
     */
    public CompletableFuture<DaemonOutcome> stopToDrain(String daemon, String reason) {
        ObjectNode args = session.json().createObjectNode().put("daemon", daemon).put("drain", true);
        if (reason != null && !reason.isBlank()) {
            args.put("reason", reason);
        }
        return session.call("daemon.stop", args, CONTROL_TIMEOUT).thenApply(DaemonOutcome::of);
    }

    public CompletableFuture<LogRead> readLog(String daemon, LogQuery query) {
        ObjectNode args = query.toArgs(session.json().createObjectNode().put("daemon", daemon), true);
        return session.call("log.read", args, LOG_TIMEOUT).thenApply(LogRead::of);
    }

    /** Starts following; the lines come as {@code log} events with this follow's id (see {@link LogLine#ofEvent}). */
    public CompletableFuture<FollowStarted> follow(String daemon, LogQuery query) {
        ObjectNode args = query.toArgs(session.json().createObjectNode().put("daemon", daemon), false);
        return session.call("log.follow", args, LOG_TIMEOUT)
                .thenApply(r -> new FollowStarted(r.path("follow").asInt(), LogRead.Source.of(r.path("source"))));
    }

    public CompletableFuture<JsonNode> unfollow(int follow) {
        return session.call("log.unfollow", session.json().createObjectNode().put("follow", follow), LOG_TIMEOUT);
    }
}
