package org.keepwatch.history;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.push.ElectionForecast;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A node's configuration history for a front end: every version the history kept of a daemon's files with who made
 * it, any version's text to compare, the live file, and "restore this version": the version's text pushed through
 * {@link PushService#pushNode} like any edit (lock, compare with the file as reviewed, keepalived -t, backup, write,
 * reload, health, rollback on trouble, audit), reviewed first against the live file with what the election will do.
 * The push is recorded in the history as every push is, with the reason "restored version HASH of TIME". Futures
 * complete on the I/O executor.
 */
public final class ConfigHistory {

    /**
     * What a restore would do, shown before anything happens; {@link #refusal} says why it cannot be done at all
     * ({@code draft} is null when a read-only session could not read the live file).
     */
    public record Review(EditTarget target, ConfigChange version, String path, String liveText, String versionText,
                         ConfigDraft draft, List<ElectionForecast.Forecast> election, Optional<String> refusal) {

        /** The live file already has this version's text: nothing to push. */
        public boolean unchanged() {
            return liveText.equals(versionText);
        }
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private final Optional<HistoryStore> store;
    private final String whyNone;
    private final NodeAgents agents;
    private final NodeConfigService configs;
    private final PushService pushes;
    private final Executor io;

    /**
     * @param store   the history; empty when there is none
     * @param whyNone what to say when there is none ("the history is turned off in ...")
     */
    public ConfigHistory(Optional<HistoryStore> store, String whyNone, NodeAgents agents, NodeConfigService configs,
                         PushService pushes, Executor io) {
        this.store = store;
        this.whyNone = whyNone;
        this.agents = agents;
        this.configs = configs;
        this.pushes = pushes;
        this.io = io;
    }

    /** Why there is no history to read, when there is none (turned off, or it could not be opened). */
    public Optional<String> unavailable() {
        if (store.isEmpty()) {
            return Optional.of(whyNone);
        }
        HistoryStore.Status status = store.get().status();
        if (status.state() == HistoryStore.State.FAILED) {
            return Optional.of("The history could not be opened: " + status.problem().orElse(status.where()));
        }
        return Optional.empty();
    }

    /** Every kept version of the node's daemon's files (all daemons' when empty), oldest first, with who made it. */
    public CompletableFuture<List<ConfigChange>> versions(String node, Optional<String> daemon) {
        return CompletableFuture.supplyAsync(() -> store().configChanges(node, daemon, Optional.empty()), io);
    }

    /** A version's text. */
    public CompletableFuture<String> text(ConfigChange version) {
        return CompletableFuture.supplyAsync(() -> store().configText(version.version().sha256())
                .orElseThrow(() -> new HistoryException(version.version().path() + " version " + version.shortHash() + " of "
                        + version.version().node() + ": its text is no longer kept")), io);
    }

    /** The daemon's configuration as it is on the node now (its agent must be online). */
    public CompletableFuture<ConfigDraft> live(EditTarget target) {
        return configs.open(target);
    }

    /**
     * What restoring {@code version} would do: the live file and the version side by side, the configuration it would
     * make, what the election will do, and, when it cannot be done, why (a read-only session, a file no longer part of
     * the configuration).
     */
    public CompletableFuture<Review> review(ConfigChange version) {
        ConfigVersion v = version.version();
        EditTarget target = new EditTarget(v.node(), v.daemon(), Optional.empty());
        // a read-only session is refused whatever else is found (it may not even be let read the file)
        Optional<String> readOnly = agents.session(v.node()).flatMap(AgentSession::readOnly)
                .map(why -> "Restoring is refused on " + v.node() + ": the session is " + why);
        CompletableFuture<Optional<ConfigDraft>> live = configs.open(target).thenApply(Optional::of);
        if (readOnly.isPresent()) {
            live = live.exceptionally(unread -> Optional.empty());
        }
        return text(version).thenCombine(live, (text, read) -> {
            if (read.isEmpty()) {
                return new Review(target, version, v.path(), "", text, null, List.of(), readOnly);
            }
            ConfigDraft now = read.get();
            if (!now.paths().contains(v.path())) {
                return new Review(target, version, v.path(), "", text, now, List.of(), readOnly.or(() -> Optional.of(v.path()
                        + " is no longer part of " + target.label() + "'s configuration (its files now: "
                        + String.join(", ", now.paths()) + "); restoring cannot write it. Edit the configuration instead.")));
            }
            String liveText = now.text(v.path());
            ConfigDraft restored = now.withText(v.path(), text);
            List<ElectionForecast.Forecast> election = pushes.election(target, restored);
            Optional<String> refusal = readOnly.or(() -> liveText.equals(text) ? Optional.of(v.path() + " on " + v.node()
                    + " already is version " + version.shortHash() + ": nothing to restore") : Optional.empty());
            return new Review(target, version, v.path(), liveText, text, restored, election, refusal);
        });
    }

    /**
     * Pushes the reviewed version: a push like any other (the file must still be as reviewed, or it is a conflict and
     * nothing is written), recorded with the reason {@link #reason}. A review that was refused is not pushed.
     */
    public CompletableFuture<PushOutcome> restore(Review review, String typedReason, Consumer<ApplyStep> steps) {
        if (review.refusal().isPresent()) {
            return CompletableFuture.completedFuture(new PushOutcome.Failed(List.of(), review.path(), review.refusal().get()));
        }
        return pushes.pushNode(review.target(), review.draft(), reason(review.version(), typedReason), steps);
    }

    /** "restored version 3f2a9c1d0b7e of 2026-12-05 15:02:11 UTC", and the operator's words after a colon. */
    public static String reason(ConfigChange version, String typed) {
        String said = "restored version " + version.shortHash() + " of " + WHEN.format(version.version().at());
        return typed == null || typed.isBlank() ? said : said + ": " + typed.strip();
    }

    private HistoryStore store() {
        return store.orElseThrow(() -> new HistoryException(whyNone));
    }
}
