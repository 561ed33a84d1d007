package org.keepwatch.push;

import com.fasterxml.jackson.databind.JsonNode;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.RouterDraft;
import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetJournal;
import org.keepwatch.fleet.FleetState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Every push of a configuration goes through here, whichever front end asks: one node's edited files through
 * the agent's safe apply, or one edit to every member of a router as a {@link RollingApply}. Nothing else writes
 * a node's keepalived configuration; a front end only presents the steps and the outcome. Futures complete on
 * the I/O executor.
 */
public final class PushService {

    /** How a router push ended, and the router's draft on top of what the members now have. */
    public record RouterOutcome(RollingApply.Result result, RouterDraft draft) {
    }

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    private final NodeAgents agents;
    private final Supplier<FleetState> state;
    private final Executor io;
    private final FleetJournal journal;
    private final Operator operator = Operator.ofThisWorkstation();
    private final Clock clock = Clock.systemUTC();

    /** @param state the fleet as watched now, for the router's members' states during a rolling apply */
    public PushService(NodeAgents agents, Supplier<FleetState> state, Executor io) {
        this(agents, state, io, FleetJournal.NONE);
    }

    /** @param journal hears every push and restore carried out: who, the diff, each step, the outcome (the history) */
    public PushService(NodeAgents agents, Supplier<FleetState> state, Executor io, FleetJournal journal) {
        this.agents = agents;
        this.state = state;
        this.io = io;
        this.journal = journal;
    }

    /**
     * Pushes every changed file of one node through config.apply with {@code reason} for the audit log, as one
     * apply when several changed (checked together, one reload and health watch, all put back on failure);
     * {@code steps} hears each apply.step as the agent reports it.
     */
    public CompletableFuture<PushOutcome> pushNode(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> heard = Collections.synchronizedList(new ArrayList<>());
            Instant at = clock.instant();
            PushOutcome outcome = pushNodeNow(target, draft, reason, step -> {
                heard.add(describe(step));
                steps.accept(step);
            });
            if (!draft.changes().isEmpty()) {
                String diff = String.join("\n", draft.changes().stream().map(c -> FleetAction.unifiedDiff(c.path(), c.before(),
                        c.after(), "as read", "as pushed")).toList());
                journal.action(new FleetAction(at, FleetAction.Kind.PUSH, target.node(), target.daemon(), Optional.empty(),
                        operator, "pushed " + String.join(", ", NodeConfigService.paths(draft.changes())), reason, diff, heard,
                        outcome instanceof PushOutcome.Applied, describe(outcome), written(outcome)));
            }
            return outcome;
        }, io);
    }

    /**
     * Pushes every changed member of a router as a rolling apply: every member checked first, backups before the
     * master, each back in the election before the next, the first failure stopping the rest. A member whose edit
     * spans several files is refused before anything runs: a rolling apply writes one file per member.
     */
    public CompletableFuture<RouterOutcome> pushRouter(RouterDraft draft, Consumer<RollingApply.Progress> progress,
                                                       BiConsumer<String, ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> {
            List<RollingApply.Change> changes = new ArrayList<>();
            for (RouterDraft.Member member : draft.members()) {
                List<FileChange> files = member.draft().changes();
                if (files.size() > 1) {
                    throw new IllegalStateException(member.node() + ": the edit changes " + files.size() + " files ("
                            + String.join(", ", files.stream().map(FileChange::path).toList())
                            + "); a rolling apply writes one file per member, push it from " + member.node() + "'s own editor");
                }
                files.forEach(f -> changes.add(new RollingApply.Change(member.node(), member.target().daemon(),
                        Optional.of(f.path()), f.baseSha256(), f.after())));
            }
            List<Runnable> stops = new ArrayList<>();
            for (RouterDraft.Member member : draft.members()) {
                stops.add(agents.listen(member.node(), event -> ApplyStep.of(event)
                        .filter(s -> s.daemon().equals(member.target().daemon()))
                        .ifPresent(s -> steps.accept(member.node(), s))));
            }
            try {
                Instant at = clock.instant();
                RollingApply.Result result = new RollingApply(agents::session, state.get(), HEALTH_TIMEOUT)
                        .run(draft.key(), changes, progress);
                RouterOutcome outcome = new RouterOutcome(result, rebased(draft, result));
                journalRouterPush(at, draft, outcome);
                return outcome;
            } finally {
                stops.forEach(Runnable::run);
            }
        }, io);
    }

    /**
     * Puts a backup back on one node: the agent's config.restore, the same steps as an apply (lock, compare, check,
     * backup, write, reload, health, rollback on trouble, audit) heard by {@code steps}, and the same outcomes as a
     * push. {@code baseSha256} is the file's hash as the operator saw it: a file changed since is a conflict, and
     * nothing is written. An applied restore carries the daemon's configuration as read afterwards.
     */
    public CompletableFuture<PushOutcome> restore(EditTarget target, String path, String backup, String baseSha256, String reason,
                                                  Consumer<ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> {
            List<String> heard = Collections.synchronizedList(new ArrayList<>());
            Instant at = clock.instant();
            PushOutcome outcome = restoreNow(target, path, backup, baseSha256, reason, step -> {
                heard.add(describe(step));
                steps.accept(step);
            });
            journal.action(new FleetAction(at, FleetAction.Kind.RESTORE, target.node(), target.daemon(), Optional.empty(), operator,
                    "restored backup " + backup + " of " + path, reason, "", heard, outcome instanceof PushOutcome.Applied,
                    describe(outcome), written(outcome)));
            return outcome;
        }, io);
    }

    /**
     * What the election will do once this node's draft is pushed, for every router whose instance it changes (empty
     * when the fleet is not watched).
     */
    public List<ElectionForecast.Forecast> election(EditTarget target, ConfigDraft draft) {
        FleetState fleet = state.get();
        return fleet == null ? List.of() : ElectionForecast.ofNode(fleet.routers(), target, draft);
    }

    /** What the election will do once a router's draft is pushed to its members (empty when the router is not watched). */
    public Optional<ElectionForecast.Forecast> election(RouterDraft draft) {
        FleetState fleet = state.get();
        return fleet == null ? Optional.empty() : fleet.router(draft.key()).map(r -> ElectionForecast.ofRouter(r, draft));
    }

    private PushOutcome restoreNow(EditTarget target, String path, String backup, String baseSha256, String reason,
                                   Consumer<ApplyStep> steps) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return new PushOutcome.Failed(List.of(), path, target.node() + " is not connected: its agent must be online "
                    + "to restore a backup");
        }
        ConfigOps ops = new ConfigOps(session.get());
        Runnable stop = agents.listen(target.node(), event -> ApplyStep.of(event)
                .filter(s -> s.daemon().equals(target.daemon()) && s.paths().equals(List.of(path)))
                .ifPresent(steps));
        String why = reason == null || reason.isBlank() ? "Keepwatch: restore " + backup + " of " + path : reason.trim();
        try {
            ApplyResult result = ops.restore(target.daemon(), Optional.of(path), backup, baseSha256, why).get();
            List<String> written = result.applied() ? List.of(path) : List.of();
            try {
                Optional<String> keepalived = session.get().hello().keepalivedVersion();
                ConfigDraft now = ops.read(target.daemon()).thenCombine(ops.configId(target.daemon()),
                        (files, id) -> ConfigDraft.of(files, id, keepalived)).get();
                return new PushOutcome.Applied(written, now, result.backups());
            } catch (ExecutionException unread) {
                // restored all the same: said as such, with what it is and that it could not be read back
                return new PushOutcome.Failed(written, path, target.label() + ": " + backup + " was restored as " + path
                        + " (written, reloaded and healthy), but reading the configuration back failed: "
                        + unread.getCause().getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PushOutcome.Failed(List.of(), path, target.label() + ": interrupted while restoring " + backup + " of " + path);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AgentException agent && agent.code().equals("conflict")) {
                String theirs = agent.details().map(d -> d.path("current_text").asText()).orElse("");
                String sha = agent.details().map(d -> d.path("current_sha256").asText()).orElse("");
                String mine = ops.backup(target.daemon(), Optional.of(path), backup).thenApply(b -> b.text()).exceptionally(x -> "").join();
                return new PushOutcome.Conflict(List.of(), path, theirs, mine, theirs, sha);
            }
            FileChange change = new FileChange(path, "", "", baseSha256);
            return failure(target, List.of(change), e.getCause(), "restoring " + backup + " of " + path);
        } finally {
            stop.run();
        }
    }

    private PushOutcome pushNodeNow(EditTarget target, ConfigDraft draft, String reason, Consumer<ApplyStep> steps) {
        List<FileChange> changes = draft.changes();
        Optional<String> unwritable = draft.unwritable();
        if (unwritable.isPresent()) {
            return new PushOutcome.Failed(List.of(), unwritable.get(), target.label() + ": " + unwritable.get()
                    + " holds bytes that are not UTF-8; Keepwatch cannot write it back unchanged. Edit that file on the node.");
        }
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return new PushOutcome.Failed(List.of(), draft.mainPath(), NodeConfigService.notConnected(target).getMessage());
        }
        if (changes.isEmpty()) {
            return new PushOutcome.Applied(List.of(), draft, List.of());
        }
        ConfigOps ops = new ConfigOps(session.get());
        List<String> paths = NodeConfigService.paths(changes);
        Runnable stop = agents.listen(target.node(), event -> ApplyStep.of(event)
                .filter(s -> s.daemon().equals(target.daemon()) && s.paths().equals(paths))
                .ifPresent(steps));
        try {
            FileChange first = changes.get(0);
            ApplyResult result = (changes.size() == 1
                    ? ops.apply(target.daemon(), NodeConfigService.pathArgument(draft, first.path()), first.after(), first.baseSha256(), reason)
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
            return failure(target, changes, e.getCause(), "applying " + String.join(", ", NodeConfigService.paths(changes)));
        } finally {
            stop.run();
        }
    }

    /** How an apply that was not applied ended; nothing of it stays written (the agent puts every file back). */
    private static PushOutcome failure(EditTarget target, List<FileChange> changes, Throwable cause, String doing) {
        List<String> paths = NodeConfigService.paths(changes);
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
        return new PushOutcome.Failed(List.of(), paths.get(0),
                NodeConfigService.explained(target, doing, cause).getMessage());
    }

    /** Each member's part of a rolling apply, as the history keeps it: one action per member, the router named. */
    private void journalRouterPush(Instant at, RouterDraft draft, RouterOutcome outcome) {
        for (RouterDraft.Member member : draft.members()) {
            List<FileChange> files = member.draft().changes();
            Optional<RollingApply.MemberResult> result = outcome.result().members().stream()
                    .filter(m -> m.node().equals(member.node())).findFirst();
            if (files.isEmpty() || result.isEmpty()) {
                continue;
            }
            boolean applied = result.get().outcome() == RollingApply.Outcome.APPLIED;
            List<FleetAction.FileVersion> written = new ArrayList<>();
            if (applied) {
                outcome.draft().member(member.node()).ifPresent(m -> files.forEach(f -> m.draft().base().file(f.path())
                        .ifPresent(now -> written.add(new FleetAction.FileVersion(f.path(), now.sha256(), now.text())))));
            }
            String diff = String.join("\n", files.stream().map(c -> FleetAction.unifiedDiff(c.path(), c.before(), c.after(),
                    "as read", "as pushed")).toList());
            journal.action(new FleetAction(at, FleetAction.Kind.PUSH, member.node(), member.target().daemon(),
                    Optional.of(draft.key()), operator, "pushed " + String.join(", ", NodeConfigService.paths(files))
                    + " (rolling apply to " + draft.key().label() + ")", "", diff, List.of(), applied,
                    result.get().outcome().name().toLowerCase() + (result.get().message().isBlank() ? "" : ": " + result.get().message()),
                    written));
        }
    }

    private static List<FleetAction.FileVersion> written(PushOutcome outcome) {
        if (!(outcome instanceof PushOutcome.Applied applied)) {
            return List.of();
        }
        List<FleetAction.FileVersion> files = new ArrayList<>();
        for (String path : applied.written()) {
            applied.draft().base().file(path).ifPresent(f -> files.add(new FleetAction.FileVersion(path, f.sha256(), f.text())));
        }
        return files;
    }

    private static String describe(ApplyStep step) {
        return step.step() + ": " + step.status().name().toLowerCase() + (step.detail() == null || step.detail().isBlank() ? "" : ": " + step.detail());
    }

    /** How a push ended, in words, for the history. */
    static String describe(PushOutcome outcome) {
        if (outcome instanceof PushOutcome.Applied applied) {
            return applied.written().isEmpty() ? "nothing to write" : "applied (written: " + String.join(", ", applied.written())
                    + (applied.backups().isEmpty() ? "" : "; backups: " + String.join(", ", applied.backups())) + ")";
        }
        if (outcome instanceof PushOutcome.Refused refused) {
            return "refused by keepalived -t: " + refused.check().errors() + " error(s) in " + refused.path()
                    + refused.check().diagnostics().stream().filter(CheckResult.Message::error).findFirst().map(m -> ": " + m).orElse("");
        }
        if (outcome instanceof PushOutcome.Conflict conflict) {
            return "conflict: " + conflict.path() + " changed on the node since it was read; nothing written";
        }
        if (outcome instanceof PushOutcome.RolledBack rolledBack) {
            return "rolled back: " + rolledBack.reason() + (rolledBack.daemonAlive() ? "" : " (keepalived is not running)");
        }
        return "failed: " + ((PushOutcome.Failed) outcome).message();
    }

    /** Members that were applied now start from what they have. */
    private static RouterDraft rebased(RouterDraft draft, RollingApply.Result result) {
        RouterDraft out = draft;
        for (RollingApply.MemberResult member : result.members()) {
            if (member.outcome() != RollingApply.Outcome.APPLIED && member.outcome() != RollingApply.Outcome.UNCHANGED) {
                continue;
            }
            Optional<RouterDraft.Member> m = out.member(member.node());
            Optional<JsonNode> details = member.details();
            if (m.isEmpty() || details.isEmpty()) {
                continue;
            }
            ApplyResult applied = ApplyResult.of(details.get());
            ConfigDraft d = m.get().draft();
            for (FileChange change : d.changes()) {
                d = d.rebase(change.path(), change.after(), applied.newSha256());
            }
            out = out.withMember(new RouterDraft.Member(m.get().target(), m.get().instance(), d));
        }
        return out;
    }
}
