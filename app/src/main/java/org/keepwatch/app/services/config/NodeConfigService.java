package org.keepwatch.app.services.config;

import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.agent.ConfigOps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The editor's conversation with a node's agent: read the configuration into a draft, check a draft
 * with keepalived -t there, push it through the agent's safe apply while its steps are reported. The
 * editor never writes a file any other way. Futures complete on the I/O executor, never the FX thread.
 */
public final class NodeConfigService {

    private final NodeAgents agents;
    private final Executor io;

    public NodeConfigService(NodeAgents agents, Executor io) {
        this.agents = agents;
        this.io = io;
    }

    public NodeAgents agents() {
        return agents;
    }

    /** Reads the daemon's files and config id, and parses them (off the FX thread). */
    public CompletableFuture<ConfigDraft> open(EditTarget target) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        ConfigOps ops = new ConfigOps(session.get());
        return ops.read(target.daemon()).thenCombine(ops.configId(target.daemon()), ConfigDraft::of)
                .thenApplyAsync(draft -> {
                    draft.model();
                    return draft;
                }, io)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(explained(target, "reading the configuration", e)));
    }

    /** keepalived -t on the node for every changed file (the main file when nothing changed); writes nothing. */
    public CompletableFuture<Map<String, CheckResult>> check(EditTarget target, ConfigDraft draft) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        ConfigOps ops = new ConfigOps(session.get());
        List<FileChange> changes = draft.changes();
        List<String> paths = changes.isEmpty() ? List.of(draft.mainPath()) : changes.stream().map(FileChange::path).toList();
        return CompletableFuture.supplyAsync(() -> {
            Map<String, CheckResult> results = new LinkedHashMap<>();
            for (String path : paths) {
                try {
                    results.put(path, ops.check(target.daemon(), pathArgument(draft, path), draft.text(path)).get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                } catch (ExecutionException e) {
                    throw new CompletionException(explained(target, "checking " + path, e.getCause()));
                }
            }
            return results;
        }, io);
    }

    /**
     * Pushes every changed file, one at a time, through config.apply with {@code reason} for the audit
     * log; {@code steps} hears each apply.step as the agent reports it. Stops at the first file that is
     * not applied.
     */
    public CompletableFuture<PushOutcome> push(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> pushNow(target, draft, reason, steps), io);
    }

    private PushOutcome pushNow(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        List<FileChange> changes = draft.changes();
        List<String> written = new ArrayList<>();
        List<String> backups = new ArrayList<>();
        Optional<String> unwritable = draft.unwritable();
        if (unwritable.isPresent()) {
            return new PushOutcome.Failed(written, unwritable.get(), target.label() + ": " + unwritable.get()
                    + " holds bytes that are not UTF-8; Keepwatch cannot write it back unchanged. Edit that file on the node.");
        }
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return new PushOutcome.Failed(written, draft.mainPath(), notConnected(target).getMessage());
        }
        ConfigOps ops = new ConfigOps(session.get());
        ConfigDraft current = draft;
        for (FileChange change : changes) {
            Runnable stop = agents.listen(target.node(), event -> ApplyStep.of(event)
                    .filter(s -> s.daemon().equals(target.daemon()) && s.path().equals(change.path()))
                    .ifPresent(steps));
            try {
                ApplyResult result = ops.apply(target.daemon(), pathArgument(draft, change.path()), change.after(),
                        change.baseSha256(), reason).get();
                written.add(change.path());
                result.backup().ifPresent(backups::add);
                current = current.rebase(change.path(), change.after(), result.newSha256());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new PushOutcome.Failed(written, change.path(), target.label() + ": interrupted while applying " + change.path());
            } catch (ExecutionException e) {
                return failure(target, change, written, e.getCause());
            } finally {
                stop.run();
            }
        }
        return new PushOutcome.Applied(written, current, backups);
    }

    private static PushOutcome failure(EditTarget target, FileChange change, List<String> written, Throwable cause) {
        if (cause instanceof AgentException agent) {
            switch (agent.code()) {
                case "check_failed":
                    return new PushOutcome.Refused(written, change.path(), ConfigOps.refusal(agent));
                case "conflict":
                    String theirs = agent.details().map(d -> d.path("current_text").asText()).orElse("");
                    String sha = agent.details().map(d -> d.path("current_sha256").asText()).orElse("");
                    return new PushOutcome.Conflict(written, change.path(), change.before(), change.after(), theirs, sha);
                case "rolled_back":
                    String reason = agent.details().map(d -> d.path("reason").asText(agent.getMessage())).orElse(agent.getMessage());
                    boolean alive = agent.details().map(d -> d.path("daemon_alive").asBoolean(true)).orElse(true);
                    return new PushOutcome.RolledBack(written, change.path(), reason, alive);
                default:
                    break;
            }
        }
        return new PushOutcome.Failed(written, change.path(), explained(target, "applying " + change.path(), cause).getMessage());
    }

    /** The main file is the agent's default; an include is named. */
    private static Optional<String> pathArgument(ConfigDraft draft, String path) {
        return path.equals(draft.mainPath()) ? Optional.empty() : Optional.of(path);
    }

    private static IllegalStateException notConnected(EditTarget target) {
        return new IllegalStateException(target.node() + " is not connected: its agent must be online to read, check or push its configuration");
    }

    /** An error in words that say which node, which daemon and what was being done. */
    static Exception explained(EditTarget target, String doing, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String code = cause instanceof AgentException agent ? " [" + agent.code() + "]" : "";
        return new IllegalStateException(target.label() + ", " + doing + ": " + cause.getMessage() + code, cause);
    }
}
