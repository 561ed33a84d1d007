package org.keepwatch.maintenance;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.DaemonOps;
import org.keepwatch.agent.DaemonOutcome;
import org.keepwatch.agent.MaintenanceOps;
import org.keepwatch.agent.MaintenanceRecord;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditor;
import org.keepwatch.config.SourceFile;
import org.keepwatch.config.Statement;
import org.keepwatch.config.TextEdit;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Planned failover through the maintenance weight, whichever front end asks: the plan ({@link MaintenancePlanner}),
 * carrying it out (each weight written through the node's agent, then the fleet watched until every router's master
 * is where the plan said, or the time is up and the routers that did not move are named), and the one-time set-up of
 * the weight on a node (a push that adds the track_file, through {@link PushService}: checked, backed up, reloaded,
 * health-watched). Futures complete on the I/O executor.
 */
public final class MaintenanceService {

    /** How long the routers get to move after the weights are written (keepalived's election, preempt_delay aside). */
    public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(20);
    /** The track_file block Keepwatch adds. */
    public static final String BLOCK_NAME = "keepwatch_maintenance";
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_MS = 100;
    private static final Set<String> BEFORE = Set.of("vrrp_instance", "vrrp_sync_group", "include");

    /** How a plan ended: every router where the plan said ({@code done}), or which did not move. */
    public record Outcome(boolean done, List<String> moved, List<String> notMoved, List<String> log) {
        public Outcome {
            moved = List.copyOf(moved);
            notMoved = List.copyOf(notMoved);
            log = List.copyOf(log);
        }
    }

    private final NodeAgents agents;
    private final Supplier<FleetState> state;
    private final NodeConfigService configs;
    private final PushService pushes;
    private final Executor io;

    public MaintenanceService(NodeAgents agents, Supplier<FleetState> state, NodeConfigService configs, PushService pushes,
                              Executor io) {
        this.agents = agents;
        this.state = state;
        this.configs = configs;
        this.pushes = pushes;
        this.io = io;
    }

    public MaintenancePlan planDrain(String node) {
        return MaintenancePlanner.drain(state.get(), node);
    }

    /** A drain by the weight or, the fallback without its wiring, by stopping the node's keepalived. */
    public MaintenancePlan planDrain(String node, MaintenanceWeight.Method method) {
        return MaintenancePlanner.drain(state.get(), node, method);
    }

    public MaintenancePlan planUndrain(String node) {
        return MaintenancePlanner.undrain(state.get(), node);
    }

    public MaintenancePlan planFailover(RouterKey router, String target) {
        return MaintenancePlanner.failover(state.get(), router, target);
    }

    public MaintenancePlan planFailover(RouterKey router, String target, MaintenanceWeight.Method method) {
        return MaintenancePlanner.failover(state.get(), router, target, method);
    }

    public MaintenancePlan planMoveAway(RouterKey router) {
        return MaintenancePlanner.moveAway(state.get(), router);
    }

    public MaintenancePlan planMoveAway(RouterKey router, MaintenanceWeight.Method method) {
        return MaintenancePlanner.moveAway(state.get(), router, method);
    }

    /**
     * Carries out a plan that is not refused: each weight written (a write that fails puts back those written before
     * it and fails the whole), then the routers watched until each master is where the plan said, at most
     * {@code settle}. {@code progress} hears each step in words as it happens.
     */
    public CompletableFuture<Outcome> execute(MaintenancePlan plan, String reason, Duration settle, Consumer<String> progress) {
        return CompletableFuture.supplyAsync(() -> executeNow(plan, reason, settle, progress), io);
    }

    private Outcome executeNow(MaintenancePlan plan, String reason, Duration settle, Consumer<String> progress) {
        if (plan.refused()) {
            throw new IllegalStateException("the plan is refused: " + String.join("; ", plan.refusals()));
        }
        List<String> log = new ArrayList<>();
        Consumer<String> say = line -> {
            log.add(line);
            progress.accept(line);
        };
        List<MaintenancePlan.WeightChange> written = new ArrayList<>();
        for (MaintenancePlan.WeightChange change : plan.changes()) {
            try {
                say.accept(change.describe() + ": " + carryOut(change, reason));
                written.add(change);
            } catch (RuntimeException e) {
                say.accept(change.describe() + " failed: " + e.getMessage());
                Collections.reverse(written);
                for (MaintenancePlan.WeightChange done : written) {
                    try {
                        carryOut(done.undo(), "put back: " + plan.kind().words() + " failed");
                        say.accept("put back: " + done.undo().describe());
                    } catch (RuntimeException again) {
                        say.accept("could not put back " + done.describe() + ": " + again.getMessage());
                    }
                }
                throw new IllegalStateException(change.describe() + " failed: " + e.getMessage(), e);
            }
        }
        return verify(plan, settle, say, log);
    }

    private Outcome verify(MaintenancePlan plan, Duration settle, Consumer<String> say, List<String> log) {
        long deadline = System.nanoTime() + settle.toNanos();
        List<MaintenancePlan.RouterMove> waiting = new ArrayList<>(plan.routers().stream().filter(m -> m.masterAfter().isPresent()).toList());
        List<String> moved = new ArrayList<>();
        while (true) {
            FleetState fleet = state.get();
            for (MaintenancePlan.RouterMove move : new ArrayList<>(waiting)) {
                List<String> masters = fleet.router(move.key()).map(RouterStatus::masters).orElse(List.of());
                if (masters.equals(List.of(move.masterAfter().get()))) {
                    waiting.remove(move);
                    String line = move.name() + (move.moves() ? ": master moved " + move.masterBefore().orElse("nowhere") + " → "
                            + move.masterAfter().get() : ": master stays on " + move.masterAfter().get());
                    moved.add(line);
                    say.accept(line);
                }
            }
            boolean marks = plan.changes().stream().allMatch(c -> fleet.daemons(c.node()).stream()
                    .filter(d -> d.name().equals(c.daemon())).anyMatch(d -> d.drained() == c.drained()));
            if (waiting.isEmpty() && marks) {
                return new Outcome(true, moved, List.of(), log);
            }
            if (System.nanoTime() > deadline) {
                List<String> notMoved = new ArrayList<>();
                for (MaintenancePlan.RouterMove move : waiting) {
                    List<String> masters = fleet.router(move.key()).map(RouterStatus::masters).orElse(List.of());
                    notMoved.add(move.name() + " did not move: master " + (masters.isEmpty() ? "none" : String.join(", ", masters))
                            + ", expected " + move.masterAfter().get() + " (after " + settle.toSeconds() + " s; the weights stay as written)");
                }
                if (!marks) {
                    notMoved.add("the fleet does not show every weight as written yet");
                }
                notMoved.forEach(say);
                return new Outcome(false, moved, notMoved, log);
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the routers to move", e);
            }
        }
    }

    /** One change through the node's agent; what was done, in words. */
    private String carryOut(MaintenancePlan.WeightChange change, String reason) {
        String node = change.node();
        AgentSession session = agents.session(node).orElseThrow(() -> new IllegalStateException(node + " is not connected"));
        if (change.method() == MaintenanceWeight.Method.STOP) {
            DaemonOps ops = new DaemonOps(session);
            DaemonOutcome outcome = join(change.drained() ? ops.stopToDrain(change.daemon(), reason)
                    : ops.control(change.daemon(), "start", reason), node);
            return change.drained() ? "keepalived stopped (" + outcome.result() + ", " + outcome.durationMs() + " ms)"
                    : "keepalived started again" + outcome.pid().map(pid -> " (pid " + pid + ")").orElse("");
        }
        MaintenanceOps.Written result = join(new MaintenanceOps(session).set(change.daemon(), change.drained(), reason), node);
        return result.value() + " written to " + result.maintenance().trackFile().orElse("its track file");
    }

    // ---- set-up ---------------------------------------------------------------------------------

    /**
     * Adds the maintenance weight's wiring to a daemon's configuration: the agent makes the track file (0) first,
     * then one push adds a {@code track_file} block on it with weight -1 and tracks it in every vrrp_instance that
     * can be (not a priority-255 owner, not a sync group member without sync_group_tracking_weight). Empty when the
     * configuration is wired already.
     */
    public CompletableFuture<Optional<PushOutcome>> setUp(String node, String daemon, String reason, Consumer<ApplyStep> steps) {
        return CompletableFuture.supplyAsync(() -> {
            AgentSession session = agents.session(node).orElseThrow(() -> new IllegalStateException(node + " is not connected"));
            MaintenanceOps.Written prepared = join(new MaintenanceOps(session).prepare(daemon, reason), node);
            if (prepared.maintenance().refusal().isPresent()) {
                throw new IllegalStateException(node + " " + daemon + ": " + prepared.maintenance().refusal().get());
            }
            String trackFile = prepared.maintenance().trackFile().orElseThrow(
                    () -> new IllegalStateException(node + " " + daemon + ": the agent names no track file"));
            List<String> toWire = prepared.maintenance().unwired().stream()
                    .filter(u -> u.reason().startsWith("does not track")).map(MaintenanceRecord.Unwired::instance).toList();
            String keyword = trackFileKeyword(session.hello().keepalivedVersion());
            EditTarget target = new EditTarget(node, daemon, Optional.empty());
            ConfigDraft draft = join(configs.open(target), node);
            ConfigDraft edited = draft.edit(doc -> wire(doc, trackFile, keyword, prepared.maintenance().blocks().isEmpty(), toWire));
            if (!edited.changed()) {
                return Optional.<PushOutcome>empty();
            }
            return Optional.of(join(pushes.pushNode(target, edited, reason, steps), node));
        }, io);
    }

    /** The configuration with Keepwatch's track_file block (when {@code addBlock}) and each instance tracking it. */
    static ConfigDocument wire(ConfigDocument doc, String trackFile, String keyword, boolean addBlock, List<String> instances) {
        ConfigDocument out = doc;
        for (String instance : instances) {
            out = ConfigEditor.add(out, List.of("vrrp_instance", instance, "track_file", BLOCK_NAME));
        }
        if (addBlock) {
            // keepalived knows a track_file only once its block was read: the block goes before the first
            // vrrp_instance, sync group or include of the main file (else at its end)
            SourceFile main = out.file(out.mainPath()).orElseThrow();
            byte[] bytes = main.bytes();
            Optional<Statement> first = out.roots().stream().filter(r -> r.file().path().equals(main.path()))
                    .filter(r -> BEFORE.contains(r.keyword())).findFirst();
            int at = first.map(r -> main.lineStart(r.line())).orElse(bytes.length);
            String lead = at == 0 || bytes[at - 1] == '\n' ? "" : "\n";
            String block = lead + "# Keepwatch's maintenance weight: the number in this file is taken off the priority of every\n"
                    + "# instance that tracks it (253 drains this node, 0 gives its priorities back)\n"
                    + keyword + " " + BLOCK_NAME + " {\n    file \"" + trackFile + "\"\n    weight -1\n}\n"
                    + (first.isPresent() ? "\n" : "");
            out = out.apply(List.of(TextEdit.insert(main.path(), at, block)));
        }
        return out;
    }

    /** keepalived 2.1 renamed vrrp_track_file to track_file (the old name is deprecated since). */
    static String trackFileKeyword(Optional<String> version) {
        if (version.isEmpty()) {
            return "track_file";
        }
        String[] parts = version.get().split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
            return major > 2 || (major == 2 && minor >= 1) ? "track_file" : "vrrp_track_file";
        } catch (NumberFormatException e) {
            return "track_file";
        }
    }

    /** Why nothing can be set up on this node (its agent is not root), in words; empty when it can be. */
    public Optional<String> readOnly(String node) {
        return state.get().readOnly(node);
    }

    /** Which daemons of each node can carry the weight, in words, for the set-up dialog. */
    public Map<String, Optional<MaintenanceWeight>> weights(String node) {
        Map<String, Optional<MaintenanceWeight>> result = new TreeMap<>();
        for (DaemonObservation d : state.get().daemons(node)) {
            result.put(d.name(), d.maintenance());
        }
        return result;
    }

    private static <T> T join(CompletableFuture<T> future, String node) {
        try {
            return future.get(OP_TIMEOUT.toMillis() * 6, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException(node + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(node + ": no answer in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(node + ": interrupted", e);
        }
    }
}
