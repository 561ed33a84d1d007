package org.keepwatch.daemons;

import com.fasterxml.jackson.databind.JsonNode;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.DaemonOps;
import org.keepwatch.agent.LogLine;
import org.keepwatch.agent.LogQuery;
import org.keepwatch.agent.LogRead;
import org.keepwatch.push.NodeAgents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A keepalived daemon's log through its node's agent: the last lines that pass a query, or the new ones as they
 * come ({@link LogTail}), filtered on the node. Futures complete on the I/O executor; followed lines are handed to
 * the consumer on the session's reader thread, a batch at a time (at most two a second).
 */
public final class DaemonLogs {

    private final NodeAgents agents;
    private final Executor io;

    public DaemonLogs(NodeAgents agents, Executor io) {
        this.agents = agents;
        this.io = io;
    }

    public CompletableFuture<LogRead> read(String node, String daemon, LogQuery query) {
        return CompletableFuture.supplyAsync(() -> session(node), io)
                .thenCompose(s -> new DaemonOps(s).readLog(daemon, query));
    }

    /**
     * Follows the log from now on: every batch of new lines that pass the query goes to {@code lines}, until the
     * returned tail is closed or the node's session ends.
     */
    public CompletableFuture<LogTail> follow(String node, String daemon, LogQuery query, Consumer<List<LogLine>> lines) {
        return CompletableFuture.supplyAsync(() -> session(node), io).thenCompose(s -> {
            Buffered buffered = new Buffered(lines);
            Runnable stop = agents.listen(node, buffered);
            DaemonOps ops = new DaemonOps(s);
            return ops.follow(daemon, query).handle((started, error) -> {
                if (error != null) {
                    stop.run();
                    throw error instanceof RuntimeException r ? r : new IllegalStateException(error);
                }
                buffered.start(started.follow());
                return new LogTail(node, daemon, started.source(), () -> {
                    stop.run();
                    ops.unfollow(started.follow());
                });
            });
        });
    }

    private AgentSession session(String node) {
        return agents.session(node).orElseThrow(() -> new IllegalStateException(node + " is not online: its log cannot be read now"));
    }

    /** log events, kept until the follow's id is known (they cannot come before its answer, but are not lost if so). */
    private static final class Buffered implements Consumer<AgentEvent> {
        private final Consumer<List<LogLine>> lines;
        private final List<JsonNode> early = new ArrayList<>();
        private int follow = -1;

        Buffered(Consumer<List<LogLine>> lines) {
            this.lines = lines;
        }

        @Override
        public void accept(AgentEvent event) {
            if (!(event instanceof AgentEvent.Other other) || !other.name().equals("log")) {
                return;
            }
            int id;
            synchronized (this) {
                if (follow < 0) {
                    early.add(other.raw());
                    return;
                }
                id = follow;
            }
            deliver(other.raw(), id);
        }

        void start(int id) {
            List<JsonNode> waiting;
            synchronized (this) {
                follow = id;
                waiting = List.copyOf(early);
                early.clear();
            }
            waiting.forEach(e -> deliver(e, id));
        }

        private void deliver(JsonNode event, int id) {
            List<LogLine> batch = LogLine.ofEvent(event, id);
            if (!batch.isEmpty()) {
                lines.accept(batch);
            }
        }
    }
}
