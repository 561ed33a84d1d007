package org.keepwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One configuration change pushed to every member of a VRRP router, the way an operator would do
 * it by hand: check every member's candidate first (nothing is written if any fails), then apply to
 * the backups and the master last, each through the agent's safe apply (lock, hash compare, check,
 * backup, atomic write, reload, health watch, rollback), waiting until the member is back in the
 * election before the next. The first failure stops the push; the members after it are untouched.
 */
public final class RollingApply {

    /** What to write on one member: the candidate text of one file, and the hash it was edited from. */
    public record Change(String node, String daemon, Optional<String> path, String baseSha256, String text) {
    }

    public enum Phase { CHECK, APPLY, HEALTH }

    public enum Outcome {
        APPLIED, UNCHANGED, CHECK_FAILED, CONFLICT, ROLLED_BACK, FAILED, NOT_ATTEMPTED
    }

    /** One step as it happens, for a progress view. */
    public record Progress(String node, Phase phase, boolean done, boolean ok, String message) {
    }

    public record MemberResult(String node, Outcome outcome, String message, Optional<JsonNode> details) {
    }

    public record Result(boolean success, List<MemberResult> members) {
        public Optional<MemberResult> failure() {
            return members.stream().filter(m -> m.outcome() != Outcome.APPLIED && m.outcome() != Outcome.UNCHANGED
                    && m.outcome() != Outcome.NOT_ATTEMPTED).findFirst();
        }
    }

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(120);
    private static final long POLL_MILLIS = 100;

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
        for (Change change : ordered) {
            progress.accept(new Progress(change.node(), Phase.CHECK, false, true, "keepalived -t on " + change.node()));
            Optional<MemberResult> failure = check(change);
            if (failure.isPresent()) {
                progress.accept(new Progress(change.node(), Phase.CHECK, true, false, failure.get().message()));
                results.add(failure.get());
                return stopped(results, ordered, change);
            }
            progress.accept(new Progress(change.node(), Phase.CHECK, true, true, "the candidate passes"));
        }
        // 2. Backups first, the master last, each back in the election before the next.
        for (Change change : ordered) {
            progress.accept(new Progress(change.node(), Phase.APPLY, false, true, "applying on " + change.node()));
            MemberResult applied = apply(change);
            progress.accept(new Progress(change.node(), Phase.APPLY, true, isSuccess(applied), applied.message()));
            results.add(applied);
            if (!isSuccess(applied)) {
                return stopped(results, ordered, change);
            }
            progress.accept(new Progress(change.node(), Phase.HEALTH, false, true, "waiting for " + change.node()
                    + " to rejoin the election"));
            boolean healthy = awaitParticipating(router, change.node());
            progress.accept(new Progress(change.node(), Phase.HEALTH, true, healthy, healthy
                    ? change.node() + " is back as " + stateOf(router, change.node())
                    : change.node() + " did not rejoin within " + healthTimeout.toSeconds() + " s"));
            if (!healthy) {
                results.set(results.size() - 1, new MemberResult(change.node(), Outcome.FAILED, change.node()
                        + " was applied but did not rejoin the election within " + healthTimeout.toSeconds() + " s",
                        Optional.empty()));
                return stopped(results, ordered, change);
            }
        }
        return new Result(true, results);
    }

    /** Backups (lowest priority first), the current master last. */
    List<Change> order(RouterKey router, List<Change> changes) {
        Optional<RouterView> view = state.router(router);
        Comparator<Change> masterLast = Comparator.comparing(c -> view.flatMap(v -> v.member(c.node()))
                .map(m -> m.lastKnown().state() == VrrpState.MASTER).orElse(false));
        Comparator<Change> byPriority = Comparator.comparingInt(c -> view.flatMap(v -> v.member(c.node()))
                .map(m -> m.lastKnown().effectivePriority()).orElse(0));
        return changes.stream().sorted(masterLast.thenComparing(byPriority)).toList();
    }

    private Optional<MemberResult> check(Change change) {
        Optional<AgentSession> session = sessions.apply(change.node());
        if (session.isEmpty()) {
            return Optional.of(new MemberResult(change.node(), Outcome.FAILED, change.node() + " is not connected", Optional.empty()));
        }
        ObjectNode args = arguments(session.get(), change);
        args.remove("base_sha256");
        try {
            JsonNode result = session.get().call("config.check", args, CHECK_TIMEOUT).get(CHECK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            if (!result.path("ok").asBoolean(false)) {
                return Optional.of(new MemberResult(change.node(), Outcome.CHECK_FAILED, change.node() + ": keepalived -t rejects it ("
                        + result.path("errors").asInt() + " error(s)" + firstError(result) + ")", Optional.of(result)));
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(failure(change, e.getCause()));
        } catch (TimeoutException e) {
            return Optional.of(new MemberResult(change.node(), Outcome.FAILED, change.node() + ": the check did not finish", Optional.empty()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new MemberResult(change.node(), Outcome.FAILED, "interrupted", Optional.empty()));
        }
    }

    private MemberResult apply(Change change) {
        Optional<AgentSession> session = sessions.apply(change.node());
        if (session.isEmpty()) {
            return new MemberResult(change.node(), Outcome.FAILED, change.node() + " is not connected", Optional.empty());
        }
        ObjectNode args = arguments(session.get(), change);
        args.put("reason", "Keepwatch rolling apply");
        try {
            JsonNode result = session.get().call("config.apply", args, APPLY_TIMEOUT).get(APPLY_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            String outcome = result.path("result").asText();
            return outcome.equals("unchanged")
                    ? new MemberResult(change.node(), Outcome.UNCHANGED, change.node() + " already has this configuration", Optional.of(result))
                    : new MemberResult(change.node(), Outcome.APPLIED, change.node() + ": applied and reloaded", Optional.of(result));
        } catch (ExecutionException e) {
            return failure(change, e.getCause());
        } catch (TimeoutException e) {
            return new MemberResult(change.node(), Outcome.FAILED, change.node() + ": the apply did not finish within "
                    + APPLY_TIMEOUT.toSeconds() + " s", Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MemberResult(change.node(), Outcome.FAILED, "interrupted", Optional.empty());
        }
    }

    private boolean awaitParticipating(RouterKey router, String node) {
        long deadline = System.nanoTime() + healthTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<RouterMember> member = state.router(router).flatMap(r -> r.member(node));
            if (member.isPresent() && member.get().current() && member.get().state().participating()) {
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

    private String stateOf(RouterKey router, String node) {
        return state.router(router).flatMap(r -> r.member(node)).map(m -> m.state().name()).orElse("unknown");
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

    private static String firstError(JsonNode check) {
        for (JsonNode diagnostic : check.path("diagnostics")) {
            if ("error".equals(diagnostic.path("severity").asText())) {
                String line = diagnostic.path("line").isNumber() ? "line " + diagnostic.path("line").asInt() + ": " : "";
                return "; " + line + diagnostic.path("message").asText();
            }
        }
        return "";
    }

    private static Result stopped(List<MemberResult> results, List<Change> ordered, Change at) {
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
        return new Result(false, results);
    }
}
