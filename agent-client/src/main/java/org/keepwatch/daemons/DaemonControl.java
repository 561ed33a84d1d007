package org.keepwatch.daemons;

import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.DaemonOps;
import org.keepwatch.agent.DaemonOutcome;
import org.keepwatch.agent.DaemonStep;
import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetJournal;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.push.NodeAgents;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Start, stop, restart and reload of a node's keepalived through its agent, whichever front end asks, with the
 * guard: a stop or restart of the last live member of a router (no other member MASTER or BACKUP) runs only when
 * the operator confirmed it naming every such router, since it leaves the router with no master. The plan is
 * computed from the fleet as watched ({@link FleetState}) and computed again just before the request goes out.
 * Futures complete on the I/O executor.
 */
public final class DaemonControl {

    private final NodeAgents agents;
    private final Supplier<FleetState> state;
    private final Executor io;
    private final FleetJournal journal;
    private final Operator operator = Operator.ofThisWorkstation();

    public DaemonControl(NodeAgents agents, Supplier<FleetState> state, Executor io) {
        this(agents, state, io, FleetJournal.NONE);
    }

    /** @param journal hears every action run: who, its steps and how it ended, refused ones included (the history) */
    public DaemonControl(NodeAgents agents, Supplier<FleetState> state, Executor io, FleetJournal journal) {
        this.agents = agents;
        this.state = state;
        this.io = io;
        this.journal = journal;
    }

    /** The daemon named, or the node's only one; IllegalArgumentException naming the node's daemons otherwise. */
    public String daemonOf(String node, Optional<String> named) {
        // a node whose agent is not root can neither start nor stop anything: said up front, not after a plan
        Optional<String> readOnly = state.get().readOnly(node);
        if (readOnly.isPresent()) {
            throw new IllegalArgumentException(readOnly.get());
        }
        List<String> names = state.get().daemons(node).stream().map(DaemonObservation::name).sorted().toList();
        if (named.isPresent()) {
            if (!names.isEmpty() && !names.contains(named.get())) {
                throw new IllegalArgumentException(node + " has no keepalived daemon named " + named.get() + " (it has "
                        + String.join(", ", names) + ")");
            }
            return named.get();
        }
        if (names.size() == 1) {
            return names.get(0);
        }
        throw new IllegalArgumentException(names.isEmpty()
                ? node + ": no keepalived daemon is known there (is the node online?)"
                : node + " runs " + names.size() + " keepalived daemons (" + String.join(", ", names) + "); name one");
    }

    /** What the action would do, now. */
    public DaemonPlan plan(String node, String daemon, DaemonAction action) {
        return plan(state.get().routers(), node, daemon, action);
    }

    /**
     * The plan against these routers: a stop or restart leaves with no master each router whose member on this
     * node and daemon is live (MASTER or BACKUP, current) while no other member is.
     */
    public static DaemonPlan plan(List<RouterStatus> routers, String node, String daemon, DaemonAction action) {
        List<RouterStatus> orphaned = new ArrayList<>();
        if (action.takesMembersDown()) {
            for (RouterStatus router : routers) {
                boolean ours = false;
                boolean others = false;
                for (RouterMember member : router.members()) {
                    boolean live = member.state().participating();
                    if (member.node().equals(node) && member.daemon().map(d -> d.name().equals(daemon)).orElse(true)) {
                        ours |= live;
                    } else {
                        others |= live;
                    }
                }
                if (ours && !others) {
                    orphaned.add(router);
                }
            }
        }
        return new DaemonPlan(node, daemon, action, orphaned);
    }

    /**
     * Runs the action with {@code confirmed}, the routers the operator agreed to leave with no master (their names):
     * planned again now, refused with {@link NoMasterRefusal} when a router it would leave with no master is not
     * among them; then the agent's request, its steps to {@code steps}, and the outcome it verified.
     */
    public CompletableFuture<DaemonOutcome> run(String node, String daemon, DaemonAction action, Set<String> confirmed,
                                                String reason, Consumer<DaemonStep> steps) {
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        Instant at = Instant.now();
        Consumer<DaemonStep> hearing = step -> {
            heard.add(step.describe());
            steps.accept(step);
        };
        return runNow(node, daemon, action, confirmed, reason, hearing).whenComplete((outcome, failure) -> {
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            String how = failure == null ? outcome.result() + (outcome.running() ? ", running" : ", not running")
                    + outcome.pid().map(p -> " (pid " + p + ")").orElse("") : cause.getMessage();
            journal.action(new FleetAction(at, FleetAction.Kind.DAEMON, node, daemon, Optional.empty(), operator,
                    action.word() + " keepalived", reason, "", heard, failure == null, how, List.of()));
        });
    }

    private CompletableFuture<DaemonOutcome> runNow(String node, String daemon, DaemonAction action, Set<String> confirmed,
                                                    String reason, Consumer<DaemonStep> steps) {
        return CompletableFuture.supplyAsync(() -> {
            DaemonPlan plan = plan(node, daemon, action);
            List<String> unconfirmed = plan.routerNames().stream().filter(r -> !confirmed.contains(r)).toList();
            if (!unconfirmed.isEmpty()) {
                throw new NoMasterRefusal(plan, unconfirmed);
            }
            AgentSession session = agents.session(node).orElseThrow(() -> new IllegalStateException(
                    node + " is not online: its agent cannot " + action.word() + " keepalived now"));
            Runnable stop = agents.listen(node, event -> {
                if (event instanceof AgentEvent.Other other && other.name().equals("daemon.step")
                        && other.raw().path("daemon").asText().equals(daemon)) {
                    steps.accept(DaemonStep.of(other.raw()));
                }
            });
            try {
                return new DaemonOps(session).control(daemon, action.word(), reason).get();
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } finally {
                stop.run();
            }
        }, io);
    }
}
