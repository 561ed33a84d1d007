package org.keepwatch.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.config.KeepalivedConfig;
import org.keepwatch.config.SharedSettingChange;
import org.keepwatch.config.SharedSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One configuration change pushed to every member of a VRRP router, the way an operator would do
 * it by hand: check every member's candidate first (nothing is written if any fails), then apply to
 * the backups and the master last, each through the agent's safe apply (lock, hash compare, check,
 * backup, atomic write, reload, health watch, rollback), waiting until the member is back in the
 * election before the next. The first failure stops the push; the members after it are untouched.
 *
 * <p>A change of a setting every member must share (authentication, virtual_router_id, advert_int,
 * VRRP version, the VIPs) cannot be pushed member by member: the first member changed stops hearing the
 * master and becomes MASTER too, and the agent's health check on that member passes. Such a change is
 * named before anything is written ({@link Phase#PLAN}, {@link Result#splitWarning()}), and after every
 * member's apply the router is watched until keepalived would have declared the master down: a second
 * MASTER stops the push and that member is restored from the backup its apply made
 * ({@link Outcome#SPLIT_ROLLED_BACK}).
 */
public final class RollingApply {

    /** What to write on one member: the candidate text of one file, and the hash it was edited from. */
    public record Change(String node, String daemon, Optional<String> path, String baseSha256, String text) {
    }

    /** PLAN is about the whole push (its node is empty); ROLLBACK undoes a member that split the router. */
    public enum Phase { CHECK, PLAN, APPLY, HEALTH, ROLLBACK }

    public enum Outcome {
        APPLIED, UNCHANGED, CHECK_FAILED, CONFLICT, ROLLED_BACK,
        /** The member became a second MASTER after its apply; it was restored and the router has one MASTER again. */
        SPLIT_ROLLED_BACK,
        /** The member became a second MASTER after its apply and restoring it did not end the split. */
        SPLIT,
        FAILED, NOT_ATTEMPTED
    }

    /** One step as it happens, for a progress view. */
    public record Progress(String node, Phase phase, boolean done, boolean ok, String message) {
    }

    public record MemberResult(String node, Outcome outcome, String message, Optional<JsonNode> details) {
    }

    /** {@code sharedChanges}: what the change alters that every member must share, found before anything was written. */
    public record Result(boolean success, List<MemberResult> members, List<SharedSettingChange> sharedChanges) {
        public Result {
            members = List.copyOf(members);
            sharedChanges = List.copyOf(sharedChanges);
        }

        public Optional<MemberResult> failure() {
            return members.stream().filter(m -> m.outcome() != Outcome.APPLIED && m.outcome() != Outcome.UNCHANGED
                    && m.outcome() != Outcome.NOT_ATTEMPTED).findFirst();
        }

        public Optional<String> splitWarning() {
            return RollingApply.splitWarning(sharedChanges);
        }
    }

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(120);
    private static final long POLL_MILLIS = 100;
    private static final String SAFE_WAY = "A setting every member must share cannot be changed member by member: apply it on"
            + " every member at the same time, in a maintenance window, accepting a split of a few seconds while they reload.";

    /** A member's candidate as checked: what it changes that every member must share, and its parsed text. */
    private record Checked(Change change, List<SharedSettingChange> shared, Optional<KeepalivedConfig> candidate) {
    }

    /** A step that failed, as the member's result. */
    private static final class StepFailed extends Exception {
        private final transient MemberResult result;

        StepFailed(MemberResult result) {
            super(result.message(), null, false, false);
            this.result = result;
        }
    }

    private final Function<String, Optional<AgentSession>> sessions;
    private final FleetState state;
    private final Duration healthTimeout;

    public RollingApply(Function<String, Optional<AgentSession>> sessions, FleetState state, Duration healthTimeout) {
        this.sessions = sessions;
        this.state = state;
        this.healthTimeout = healthTimeout;
    }

    public Result run(RouterKey router, List<Change> changes, Consumer<Progress> progress) {
        List<Change> ordered = order(router, changes);
        List<MemberResult> results = new ArrayList<>();
        // 1. Every candidate checked before anything is written anywhere.
        Map<Change, Checked> checked = new LinkedHashMap<>();
        for (Change change : ordered) {
            progress.accept(new Progress(change.node(), Phase.CHECK, false, true, "keepalived -t on " + change.node()));
            try {
                checked.put(change, check(change));
            } catch (StepFailed failed) {
                progress.accept(new Progress(change.node(), Phase.CHECK, true, false, failed.result.message()));
                results.add(failed.result);
                return stopped(results, ordered, change, sharedChanges(checked.values()));
            }
            progress.accept(new Progress(change.node(), Phase.CHECK, true, true, "the candidate passes"));
        }
        List<SharedSettingChange> shared = sharedChanges(checked.values());
        splitWarning(shared).ifPresent(warning -> progress.accept(new Progress("", Phase.PLAN, true, false, warning)));
        // 2. Backups first, the master last, each back in the election (and not a second MASTER) before the next.
        for (Change change : ordered) {
            Checked member = checked.get(change);
            SplitWatch watch = new SplitWatch(state, router, change.node(), advertInt(router, member));
            boolean splitBefore = !watch.otherMastersNow().isEmpty();
            progress.accept(new Progress(change.node(), Phase.APPLY, false, true, "applying on " + change.node()));
            MemberResult applied = apply(change);
            progress.accept(new Progress(change.node(), Phase.APPLY, true, isSuccess(applied), applied.message()));
            results.add(applied);
            if (!isSuccess(applied)) {
                return stopped(results, ordered, change, shared);
            }
            progress.accept(new Progress(change.node(), Phase.HEALTH, false, true, "waiting for " + change.node()
                    + " to rejoin the election"));
            boolean healthy = awaitParticipating(watch);
            progress.accept(new Progress(change.node(), Phase.HEALTH, true, healthy, healthy
                    ? change.node() + " is back as " + watch.memberState()
                    : change.node() + " did not rejoin within " + healthTimeout.toSeconds() + " s"));
            if (!healthy) {
                results.set(results.size() - 1, new MemberResult(change.node(), Outcome.FAILED, change.node()
                        + " was applied but did not rejoin the election within " + healthTimeout.toSeconds() + " s",
                        Optional.empty()));
                return stopped(results, ordered, change, shared);
            }
            if (applied.outcome() == Outcome.APPLIED && splitBefore) {
                // rolling back would only restore a split that was there already
                progress.accept(new Progress(change.node(), Phase.HEALTH, true, false, label(router) + " already had "
                        + change.node() + " as a second MASTER before its apply: not watched for a split"));
            } else if (applied.outcome() == Outcome.APPLIED) {
                Optional<MemberResult> split = watchForSplit(router, member, watch, applied, ordered, progress);
                if (split.isPresent()) {
                    results.set(results.size() - 1, split.get());
                    return stopped(results, ordered, change, shared);
                }
            }
        }
        return new Result(true, results, shared);
    }

    /**
     * The warning to show before anything is written when a change alters a setting every member must share;
     * empty when it alters none.
     */
    public static Optional<String> splitWarning(List<SharedSettingChange> changes) {
        if (changes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("This change alters " + describe(changes) + " on every member: a member with the new value and"
                + " one with the old stop hearing each other, so a rolling push makes the first member changed a second"
                + " MASTER within a few seconds (both answer for the router's addresses). Keepwatch watches every member"
                + " after its apply and, on a second MASTER, stops the push and rolls that member back. " + SAFE_WAY);
    }

    /** Backups (lowest priority first), the current master last. */
    List<Change> order(RouterKey router, List<Change> changes) {
        Optional<RouterStatus> view = state.router(router);
        Comparator<Change> masterLast = Comparator.comparing(c -> view.flatMap(v -> v.member(c.node()))
                .map(m -> m.lastKnown().state() == VrrpState.MASTER).orElse(false));
        Comparator<Change> byPriority = Comparator.comparingInt(c -> view.flatMap(v -> v.member(c.node()))
                .map(m -> m.lastKnown().effectivePriority()).orElse(0));
        return changes.stream().sorted(masterLast.thenComparing(byPriority)).toList();
    }

    /**
     * The file as the member has it now (it must still be what the change was edited from, or nothing is
     * written anywhere), what the change alters that every member must share, and keepalived -t of the candidate.
     */
    private Checked check(Change change) throws StepFailed {
        AgentSession session = session(change);
        ConfigOps ops = new ConfigOps(session);
        ConfigFiles files = await(ops.read(change.daemon()), READ_TIMEOUT, change, "reading the configuration");
        String path = change.path().orElse(files.main());
        Optional<ConfigFiles.File> file = files.file(path);
        if (file.isPresent() && !file.get().sha256().equals(change.baseSha256())) {
            throw new StepFailed(new MemberResult(change.node(), Outcome.CONFLICT, change.node() + ": " + path
                    + " changed since it was read (sha256 " + abbreviated(file.get().sha256()) + ", expected "
                    + abbreviated(change.baseSha256()) + "); read it again", Optional.empty()));
        }
        String configId = await(ops.configId(change.daemon()), READ_TIMEOUT, change, "asking for the config id");
        List<SharedSettingChange> shared = file.map(f -> SharedSettings.changed(path, f.text(), change.text(), configId))
                .orElse(List.of());
        Optional<KeepalivedConfig> candidate = Optional.of(SharedSettings.model(path, change.text(), configId));
        ObjectNode args = arguments(session, change);
        args.remove("base_sha256");
        JsonNode result = await(session.call("config.check", args, CHECK_TIMEOUT), CHECK_TIMEOUT, change, "the check");
        if (!result.path("ok").asBoolean(false)) {
            throw new StepFailed(new MemberResult(change.node(), Outcome.CHECK_FAILED, change.node() + ": keepalived -t rejects it ("
                    + result.path("errors").asInt() + " error(s)" + firstError(result) + ")", Optional.of(result)));
        }
        return new Checked(change, shared, candidate);
    }

    private MemberResult apply(Change change) {
        try {
            AgentSession session = session(change);
            ObjectNode args = arguments(session, change);
            args.put("reason", "Keepwatch rolling apply");
            JsonNode result = await(session.call("config.apply", args, APPLY_TIMEOUT), APPLY_TIMEOUT, change, "the apply");
            return result.path("result").asText().equals("unchanged")
                    ? new MemberResult(change.node(), Outcome.UNCHANGED, change.node() + " already has this configuration", Optional.of(result))
                    : new MemberResult(change.node(), Outcome.APPLIED, change.node() + ": applied and reloaded", Optional.of(result));
        } catch (StepFailed failed) {
            return failed.result;
        }
    }

    /** After an applied member is back: a second MASTER within the watch window stops the push and restores it. */
    private Optional<MemberResult> watchForSplit(RouterKey router, Checked member, SplitWatch watch, MemberResult applied,
                                                 List<Change> ordered, Consumer<Progress> progress) {
        Change change = member.change();
        progress.accept(new Progress(change.node(), Phase.HEALTH, false, true, "watching " + label(router)
                + " for a second MASTER for " + watch.window().toSeconds() + " s"));
        try {
            Optional<SplitWatch.Split> split = watch.watch();
            if (split.isEmpty()) {
                progress.accept(new Progress(change.node(), Phase.HEALTH, true, true, "no second MASTER within "
                        + watch.window().toSeconds() + " s"));
                return Optional.empty();
            }
            return Optional.of(rollBack(router, member, watch, split.get(), applied, ordered, progress));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new MemberResult(change.node(), Outcome.FAILED, "interrupted while watching " + label(router)
                    + " after the apply on " + change.node(), applied.details()));
        }
    }

    private MemberResult rollBack(RouterKey router, Checked member, SplitWatch watch, SplitWatch.Split split,
                                  MemberResult applied, List<Change> ordered, Consumer<Progress> progress)
            throws InterruptedException {
        Change change = member.change();
        String what = change.node() + " became a second MASTER of " + label(router) + " next to "
                + String.join(", ", split.otherMasters()) + " after its apply (both MASTER for " + split.lasted().toSeconds() + " s): "
                + because(member.shared());
        progress.accept(new Progress(change.node(), Phase.ROLLBACK, false, false, what + " Restoring " + change.node()
                + "'s previous configuration."));
        ApplyResult written = ApplyResult.of(applied.details().orElseThrow());
        String untouched = untouched(ordered, change);
        if (written.backup().isEmpty()) {
            return splitLeft(change, what + " The agent named no backup of the previous configuration, so " + change.node()
                    + " was not rolled back: restore it by hand" + untouched + " " + SAFE_WAY, progress);
        }
        JsonNode restored;
        try {
            AgentSession session = session(change);
            ObjectNode args = session.json().createObjectNode().put("daemon", change.daemon());
            args.put("path", written.path());
            args.put("backup", written.backup().get());
            args.put("base_sha256", written.newSha256());
            args.put("reason", "Keepwatch rolling apply: " + change.node() + " split " + label(router) + ", rolled back");
            restored = await(session.call("config.restore", args, APPLY_TIMEOUT), APPLY_TIMEOUT, change, "the rollback");
        } catch (StepFailed failed) {
            return splitLeft(change, what + " Restoring its previous configuration (backup " + written.backup().get()
                    + ") failed: " + failed.result.message() + untouched + " " + SAFE_WAY, progress);
        }
        if (!watch.awaitOneMaster(healthTimeout)) {
            return splitLeft(change, what + " Its previous configuration was restored (backup " + written.backup().get()
                    + ") but " + label(router) + " still does not have exactly one MASTER after " + healthTimeout.toSeconds()
                    + " s (MASTER: " + String.join(", ", watch.masters()) + ")" + untouched + " " + SAFE_WAY, progress);
        }
        String message = what + " The push was stopped and " + change.node() + " rolled back to its previous configuration"
                + " (backup " + written.backup().get() + "); " + label(router) + " has one MASTER again ("
                + String.join(", ", watch.masters()) + ")" + untouched + " " + SAFE_WAY;
        progress.accept(new Progress(change.node(), Phase.ROLLBACK, true, true, change.node() + " rolled back; "
                + label(router) + " has one MASTER again"));
        return new MemberResult(change.node(), Outcome.SPLIT_ROLLED_BACK, message, Optional.of(restored));
    }

    private static MemberResult splitLeft(Change change, String message, Consumer<Progress> progress) {
        progress.accept(new Progress(change.node(), Phase.ROLLBACK, true, false, message));
        return new MemberResult(change.node(), Outcome.SPLIT, message, Optional.empty());
    }

    /** Why the members stopped hearing each other, from what the change alters. */
    private static String because(List<SharedSettingChange> shared) {
        if (shared.isEmpty()) {
            return "the members stopped hearing each other, though the edited file shows no change of a setting they"
                    + " must share (compare the members with keepwatch peers).";
        }
        return "the members stopped hearing each other, because the change alters " + describe(shared)
                + ", which every member must share, and the members not yet changed still have the old value.";
    }

    private static String describe(List<SharedSettingChange> changes) {
        return changes.stream().map(SharedSettingChange::describe).collect(Collectors.joining(", "));
    }

    /** " n2, n1 were left untouched." for the members after {@code at}, or "". */
    private static String untouched(List<Change> ordered, Change at) {
        List<String> after = ordered.subList(ordered.indexOf(at) + 1, ordered.size()).stream().map(Change::node).toList();
        return after.isEmpty() ? "." : ". " + String.join(", ", after) + (after.size() == 1 ? " was" : " were") + " left untouched.";
    }

    /** The longest advert interval the member's candidate gives its instance in this router, if known. */
    private Optional<Double> advertInt(RouterKey router, Checked member) {
        Optional<String> instance = state.router(router).flatMap(v -> v.member(member.change().node()))
                .map(m -> m.lastKnown().name());
        return member.candidate().flatMap(c -> instance.flatMap(c::instance))
                .filter(i -> i.advertInt().isPresent()).map(i -> i.advertInt().getAsDouble());
    }

    /** The changes of shared settings found on any member, each (instance, setting) once. */
    private static List<SharedSettingChange> sharedChanges(Iterable<Checked> checked) {
        Map<String, SharedSettingChange> distinct = new LinkedHashMap<>();
        for (Checked member : checked) {
            member.shared().forEach(s -> distinct.putIfAbsent(s.instance() + "\0" + s.setting(), s));
        }
        return List.copyOf(distinct.values());
    }

    /** Whether the member is back in an election within the health timeout (in another router if its VRID changed). */
    private boolean awaitParticipating(SplitWatch watch) {
        long deadline = System.nanoTime() + healthTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (watch.memberParticipating()) {
                return true;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private String label(RouterKey router) {
        return state.router(router).filter(v -> router.kind() == RouterKey.Kind.VRRP)
                .map(v -> v.name() + " (" + router.label() + ")").orElse(router.label());
    }

    private AgentSession session(Change change) throws StepFailed {
        return sessions.apply(change.node()).orElseThrow(() -> new StepFailed(new MemberResult(change.node(), Outcome.FAILED,
                change.node() + " is not connected", Optional.empty())));
    }

    /** The answer of a call, or the member's failure in words. */
    private static <T> T await(CompletableFuture<T> call, Duration timeout, Change change, String what) throws StepFailed {
        try {
            return call.get(timeout.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new StepFailed(failure(change, e.getCause()));
        } catch (TimeoutException e) {
            throw new StepFailed(new MemberResult(change.node(), Outcome.FAILED, change.node() + ": " + what
                    + " did not finish within " + timeout.toSeconds() + " s", Optional.empty()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed(new MemberResult(change.node(), Outcome.FAILED, "interrupted", Optional.empty()));
        }
    }

    private static ObjectNode arguments(AgentSession session, Change change) {
        ObjectNode args = session.json().createObjectNode();
        args.put("daemon", change.daemon());
        change.path().ifPresent(p -> args.put("path", p));
        args.put("text", change.text());
        args.put("base_sha256", change.baseSha256());
        return args;
    }

    private static MemberResult failure(Change change, Throwable cause) {
        if (cause instanceof AgentException agent) {
            Outcome outcome = switch (agent.code()) {
                case "conflict" -> Outcome.CONFLICT;
                case "check_failed" -> Outcome.CHECK_FAILED;
                case "rolled_back" -> Outcome.ROLLED_BACK;
                default -> Outcome.FAILED;
            };
            return new MemberResult(change.node(), outcome, change.node() + ": " + agent.getMessage(), agent.details());
        }
        return new MemberResult(change.node(), Outcome.FAILED, change.node() + ": " + cause.getMessage(), Optional.empty());
    }

    private static boolean isSuccess(MemberResult result) {
        return result.outcome() == Outcome.APPLIED || result.outcome() == Outcome.UNCHANGED;
    }

    private static String abbreviated(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
    }

    private static String firstError(JsonNode check) {
        for (JsonNode diagnostic : check.path("diagnostics")) {
            if ("error".equals(diagnostic.path("severity").asText())) {
                String line = diagnostic.path("line").isNumber() ? "line " + diagnostic.path("line").asInt() + ": " : "";
                return "; " + line + diagnostic.path("message").asText();
            }
        }
        return "";
    }

    private static Result stopped(List<MemberResult> results, List<Change> ordered, Change at, List<SharedSettingChange> shared) {
        boolean after = false;
        for (Change change : ordered) {
            if (after) {
                results.add(new MemberResult(change.node(), Outcome.NOT_ATTEMPTED, change.node() + " left untouched", Optional.empty()));
            }
            after |= change == at;
        }
        // Members checked before the failing one were not written either.
        List<String> seen = results.stream().map(MemberResult::node).toList();
        for (Change change : ordered) {
            if (!seen.contains(change.node())) {
                results.add(new MemberResult(change.node(), Outcome.NOT_ATTEMPTED, change.node() + " left untouched", Optional.empty()));
            }
        }
        return new Result(false, results, shared);
    }
}
