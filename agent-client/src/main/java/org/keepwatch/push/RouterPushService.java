package org.keepwatch.push;

import com.fasterxml.jackson.databind.JsonNode;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.RouterDraft;
import org.keepwatch.fleet.FleetState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Opens a router's members for editing and pushes the edit to all of them as a rolling apply: every
 * member checked first, backups before the master, each back in the election before the next, the
 * first failure stopping the rest. Each member's apply steps are reported as they happen.
 */
public final class RouterPushService {

    /** How the push ended, and the router's draft on top of what the members now have. */
    public record Outcome(RollingApply.Result result, RouterDraft draft) {
    }

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);

    private final NodeConfigService nodes;
    private final Supplier<FleetState> state;
    private final Executor io;

    public RouterPushService(NodeConfigService nodes, Supplier<FleetState> state, Executor io) {
        this.nodes = nodes;
        this.state = state;
        this.io = io;
    }

    /** Reads every member's configuration; fails naming the first member that cannot be read. */
    public CompletableFuture<RouterDraft> open(org.keepwatch.fleet.RouterKey key, String label, List<EditTarget> members) {
        List<CompletableFuture<RouterDraft.Member>> reads = new ArrayList<>();
        for (EditTarget target : members) {
            String instance = target.instance().orElseThrow(() -> new IllegalArgumentException(target.node() + ": no instance named"));
            reads.add(nodes.open(target).thenApply(draft -> new RouterDraft.Member(target, instance, draft)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> new RouterDraft(key, label, reads.stream().map(CompletableFuture::join).toList()));
    }

    /**
     * Pushes every changed member. A member whose edit spans several files is refused before anything
     * runs: a rolling apply writes one file per member.
     */
    public CompletableFuture<Outcome> push(RouterDraft draft, Consumer<RollingApply.Progress> progress,
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
                stops.add(nodes.agents().listen(member.node(), event -> ApplyStep.of(event)
                        .filter(s -> s.daemon().equals(member.target().daemon()))
                        .ifPresent(s -> steps.accept(member.node(), s))));
            }
            try {
                RollingApply.Result result = new RollingApply(nodes.agents()::session, state.get(), HEALTH_TIMEOUT)
                        .run(draft.key(), changes, progress);
                return new Outcome(result, rebased(draft, result));
            } finally {
                stops.forEach(Runnable::run);
            }
        }, io);
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
