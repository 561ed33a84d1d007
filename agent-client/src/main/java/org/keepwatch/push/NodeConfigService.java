package org.keepwatch.push;

import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;

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

    /**
     * keepalived -t on the node with the draft's changed files in place, all at once when several changed (the
     * main file when nothing changed); writes nothing. The results are keyed by file (the main file for a
     * check of several: each diagnostic names its own file).
     */
    public CompletableFuture<Map<String, CheckResult>> check(EditTarget target, ConfigDraft draft) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        ConfigOps ops = new ConfigOps(session.get());
        List<FileChange> changes = draft.changes();
        CompletableFuture<Map.Entry<String, CheckResult>> checked;
        if (changes.size() > 1) {
            Map<String, String> candidates = new LinkedHashMap<>();
            changes.forEach(c -> candidates.put(c.path(), draft.text(c.path())));
            checked = ops.check(target.daemon(), candidates).thenApply(r -> Map.entry(draft.mainPath(), r));
        } else {
            String path = changes.isEmpty() ? draft.mainPath() : changes.get(0).path();
            checked = ops.check(target.daemon(), pathArgument(draft, path), draft.text(path)).thenApply(r -> Map.entry(path, r));
        }
        String what = "checking " + String.join(", ", changes.isEmpty() ? List.of(draft.mainPath()) : paths(changes));
        return checked.thenApplyAsync(entry -> Map.of(entry.getKey(), entry.getValue()), io)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(explained(target, what, e)));
    }

    /**
     * Pushes every changed file through config.apply with {@code reason} for the audit log, as one apply when
     * several changed (checked together, one reload and health watch, all put back on failure); {@code steps}
     * hears each apply.step as the agent reports it.
     */
    public CompletableFuture<PushOutcome> push(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> pushNow(target, draft, reason, steps), io);
    }

    private PushOutcome pushNow(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        List<FileChange> changes = draft.changes();
        Optional<String> unwritable = draft.unwritable();
        if (unwritable.isPresent()) {
            return new PushOutcome.Failed(List.of(), unwritable.get(), target.label() + ": " + unwritable.get()
                    + " holds bytes that are not UTF-8; Keepwatch cannot write it back unchanged. Edit that file on the node.");
        }
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return new PushOutcome.Failed(List.of(), draft.mainPath(), notConnected(target).getMessage());
        }
        if (changes.isEmpty()) {
            return new PushOutcome.Applied(List.of(), draft, List.of());
        }
        ConfigOps ops = new ConfigOps(session.get());
        List<String> paths = paths(changes);
        Runnable stop = agents.listen(target.node(), event -> ApplyStep.of(event)
                .filter(s -> s.daemon().equals(target.daemon()) && s.paths().equals(paths))
                .ifPresent(steps));
        try {
            FileChange first = changes.get(0);
            ApplyResult result = (changes.size() == 1
                    ? ops.apply(target.daemon(), pathArgument(draft, first.path()), first.after(), first.baseSha256(), reason)
                    : ops.apply(target.daemon(), changes.stream().map(c -> new ConfigOps.FileEdit(c.path(), c.after(), c.baseSha256())).toList(),
                    reason)).get();
            ConfigDraft current = draft;
            for (FileChange change : changes) {
                String newSha = result.files().stream().filter(f -> f.path().equals(change.path())).findFirst()
                        .map(ApplyResult.FileResult::newSha256).orElse(result.newSha256());
                current = current.rebase(change.path(), change.after(), newSha);
            }
            return new PushOutcome.Applied(paths, current, result.backups());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PushOutcome.Failed(List.of(), paths.get(0), target.label() + ": interrupted while applying " + String.join(", ", paths));
        } catch (ExecutionException e) {
            return failure(target, changes, e.getCause());
        } finally {
            stop.run();
        }
    }

    /** How an apply that was not applied ended; nothing of it stays written (the agent puts every file back). */
    private static PushOutcome failure(EditTarget target, List<FileChange> changes, Throwable cause) {
        List<String> paths = paths(changes);
        if (cause instanceof AgentException agent) {
            switch (agent.code()) {
                case "check_failed":
                    return new PushOutcome.Refused(List.of(), paths.get(0), ConfigOps.refusal(agent));
                case "conflict":
                    String path = agent.details().map(d -> d.path("path").asText(paths.get(0))).orElse(paths.get(0));
                    FileChange change = changes.stream().filter(c -> c.path().equals(path)).findFirst().orElse(changes.get(0));
                    String theirs = agent.details().map(d -> d.path("current_text").asText()).orElse("");
                    String sha = agent.details().map(d -> d.path("current_sha256").asText()).orElse("");
                    return new PushOutcome.Conflict(List.of(), change.path(), change.before(), change.after(), theirs, sha);
                case "rolled_back":
                    String reason = agent.details().map(d -> d.path("reason").asText(agent.getMessage())).orElse(agent.getMessage());
                    boolean alive = agent.details().map(d -> d.path("daemon_alive").asBoolean(true)).orElse(true);
                    return new PushOutcome.RolledBack(List.of(), String.join(", ", paths), reason, alive);
                default:
                    break;
            }
        }
        return new PushOutcome.Failed(List.of(), paths.get(0), explained(target, "applying " + String.join(", ", paths), cause).getMessage());
    }

    private static List<String> paths(List<FileChange> changes) {
        return changes.stream().map(FileChange::path).toList();
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
