package org.keepwatch.push;

import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.RouterDraft;
import org.keepwatch.fleet.RouterKey;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * What comes before a push, through a node's agent: read the configuration into a draft (a node's, or every
 * member's of a router), and check a draft with keepalived -t there, writing nothing. The push itself is
 * {@link PushService}'s. Futures complete on the I/O executor, never on a UI thread.
 */
public final class NodeConfigService {

    private final NodeAgents agents;
    private final Executor io;

    public NodeConfigService(NodeAgents agents, Executor io) {
        this.agents = agents;
        this.io = io;
    }

    /** Reads the daemon's files and config id, and parses them (off the UI thread). */
    public CompletableFuture<ConfigDraft> open(EditTarget target) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        ConfigOps ops = new ConfigOps(session.get());
        // lint checks the draft against the keepalived version the node's agent reported in its hello
        Optional<String> keepalived = session.get().hello().keepalivedVersion();
        return ops.read(target.daemon()).thenCombine(ops.configId(target.daemon()), (files, id) -> ConfigDraft.of(files, id, keepalived))
                .thenApplyAsync(draft -> {
                    draft.model();
                    return draft;
                }, io)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(explained(target, "reading the configuration", e)));
    }

    /**
     * The keepalived daemons the node's agent knows of now (it scans again), to choose the one whose configuration to
     * open: on a node whose agent is not root, the ones its configuration names, with that limit said in words.
     */
    public CompletableFuture<NodeDaemons> daemons(String node) {
        Optional<AgentSession> session = agents.session(node);
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException(node + " is not connected: its agent must be "
                    + "online to say which keepalived daemons it knows"));
        }
        AgentSession agent = session.get();
        String login = agent.hello().user().orElse("the agent's login");
        return agent.daemons().thenApply(answer -> NodeDaemons.of(node, answer, agent.readOnly().isPresent(), login))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(explained(node, "listing its keepalived daemons", e)));
    }

    /** Reads every member of a router; fails naming the first member that cannot be read. */
    public CompletableFuture<RouterDraft> openRouter(RouterKey key, String label, List<EditTarget> members) {
        List<CompletableFuture<RouterDraft.Member>> reads = new ArrayList<>();
        for (EditTarget target : members) {
            String instance = target.instance().orElseThrow(() -> new IllegalArgumentException(target.node() + ": no instance named"));
            reads.add(open(target).thenApply(draft -> new RouterDraft.Member(target, instance, draft)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> new RouterDraft(key, label, reads.stream().map(CompletableFuture::join).toList()));
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

    static List<String> paths(List<FileChange> changes) {
        return changes.stream().map(FileChange::path).toList();
    }

    /** The main file is the agent's default; an include is named. */
    static Optional<String> pathArgument(ConfigDraft draft, String path) {
        return path.equals(draft.mainPath()) ? Optional.empty() : Optional.of(path);
    }

    static IllegalStateException notConnected(EditTarget target) {
        return new IllegalStateException(target.node() + " is not connected: its agent must be online to read, check or push its configuration");
    }

    /** An error in words that say which node, which daemon and what was being done. */
    static Exception explained(EditTarget target, String doing, Throwable error) {
        return explained(target.label(), doing, error);
    }

    private static Exception explained(String what, String doing, Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String code = cause instanceof AgentException agent ? " [" + agent.code() + "]" : "";
        return new IllegalStateException(what + ", " + doing + ": " + cause.getMessage() + code, cause);
    }
}
