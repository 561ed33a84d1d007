package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.DaemonOutcome;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonPlan;
import org.keepwatch.daemons.NoMasterRefusal;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * keepwatch daemon start|stop|restart|reload NODE [DAEMON]: a node's keepalived through its agent (systemctl for a
 * systemd unit, else the daemon's own way), planned first: a stop or restart of the last live member of a router
 * names the routers it leaves with no master and asks; without --yes every action asks. The outcome is the one the
 * agent verified on the node.
 */
final class DaemonCommand implements Command {

    private static final long ACTION_TIMEOUT_S = 150;
    private static final Set<String> VALUED = union(FleetConnection.VALUED, Set.of("--reason"));

    private final Confirmation confirmation;
    private final Function<Arguments, FleetConnection> connect;

    DaemonCommand() {
        this(Confirmation.ofThisProcess(), FleetConnection::open);
    }

    DaemonCommand(Confirmation confirmation, Function<Arguments, FleetConnection> connect) {
        this.confirmation = confirmation;
        this.connect = connect;
    }

    @Override
    public String synopsis() {
        return "start|stop|restart|reload NODE [DAEMON] [--reason TEXT] " + FleetConnection.SYNOPSIS;
    }

    @Override
    public String summary() {
        return "start, stop, restart or reload a node's keepalived; a stop of a router's last live member names the "
                + "routers left with no master and asks";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, FleetConnection.FLAGS, VALUED);
        List<String> operands = parsed.operands();
        if (operands.size() < 2 || operands.size() > 3) {
            throw new UsageException("give an action and a node (and the daemon, on a node that runs several)");
        }
        DaemonAction action;
        try {
            action = DaemonAction.parse(operands.get(0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String node = operands.get(1);
        boolean json = parsed.has("--json");
        ObjectMapper mapper = new ObjectMapper();
        try (FleetConnection fleet = connect.apply(parsed)) {
            fleet.node(node);
            fleet.awaitOnline(List.of(node));
            fleet.requireWritable(node);
            fleet.settle();
            DaemonControl control = new DaemonControl(fleet.agents(), fleet::state, fleet.io(), fleet.journal());
            String daemon;
            try {
                daemon = control.daemonOf(node, operands.size() == 3 ? Optional.of(operands.get(2)) : Optional.empty());
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ActionExit.REFUSED, e.getMessage());
            }
            DaemonPlan plan = control.plan(node, daemon, action);
            err.println(plan.describe());
            String question = plan.needsConfirmation()
                    ? "Leave " + String.join(", ", plan.routerNames()) + " with no master and " + action.word() + "?"
                    : action.word().substring(0, 1).toUpperCase(Locale.ROOT) + action.word().substring(1) + "?";
            if (!confirmation.confirmed(parsed, question, err)) {
                if (json) {
                    out.println(refusedJson(mapper, plan, "not confirmed").toPrettyString());
                }
                return ActionExit.REFUSED;
            }
            ArrayNode steps = mapper.createArrayNode();
            DaemonOutcome outcome;
            try {
                outcome = control.run(node, daemon, action, new HashSet<>(plan.routerNames()),
                        parsed.value("--reason").orElse("keepwatch daemon " + action.word()), step -> {
                            synchronized (steps) {
                                steps.add(step.raw());
                            }
                            if (!json) {
                                out.println("  " + step.describe());
                            }
                        }).get(ACTION_TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                return failed(e.getCause(), plan, json, mapper, out, err);
            } catch (TimeoutException e) {
                throw new CommandFailure(ActionExit.FAILED, node + ": no answer to " + action.word() + " within "
                        + ACTION_TIMEOUT_S + " s; look at the node");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure(ActionExit.FAILED, "interrupted");
            }
            if (json) {
                ObjectNode result = planJson(mapper, plan).put("result", outcome.result()).put("method", outcome.method())
                        .put("running", outcome.running()).put("duration_ms", outcome.durationMs());
                outcome.pid().ifPresentOrElse(p -> result.put("pid", p), () -> result.putNull("pid"));
                outcome.previousPid().ifPresentOrElse(p -> result.put("previous_pid", p), () -> result.putNull("previous_pid"));
                outcome.unit().ifPresent(u -> result.put("unit", u));
                result.set("steps", steps);
                out.println(result.toPrettyString());
            } else {
                out.println(summary(node, outcome));
            }
            return ActionExit.DONE;
        }
    }

    private static String summary(String node, DaemonOutcome outcome) {
        String label = outcome.daemon().equals("keepalived") ? "keepalived" : "keepalived " + outcome.daemon();
        if (!outcome.changed()) {
            return node + ": " + label + " was already " + (outcome.running() ? "running" : "stopped") + "; nothing done";
        }
        return node + ": " + label + " " + switch (outcome.action()) {
            case "stop" -> "stopped";
            case "reload" -> "reloaded";
            default -> outcome.action() + "ed";
        } + (outcome.running() ? ", running as pid " + outcome.pid().map(String::valueOf).orElse("?")
                + outcome.vrrpPid().map(v -> " (VRRP process " + v + ")").orElse("") : "")
                + " (" + outcome.method() + ", " + outcome.durationMs() + " ms)";
    }

    private static int failed(Throwable cause, DaemonPlan plan, boolean json, ObjectMapper mapper, PrintStream out,
                              PrintStream err) {
        int status = ActionExit.FAILED;
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof NoMasterRefusal) {
            status = ActionExit.REFUSED;
        } else if (cause instanceof AgentException agent) {
            message = plan.node() + ": " + message;
            if (agent.code().equals("neutron_managed") || agent.code().equals("untrusted")) {
                status = ActionExit.REFUSED;
            }
        }
        if (json) {
            ObjectNode result = status == ActionExit.REFUSED ? refusedJson(mapper, plan, message)
                    : planJson(mapper, plan).put("result", "failed").put("reason", message);
            if (cause instanceof AgentException agent) {
                result.put("code", agent.code());
            }
            out.println(result.toPrettyString());
        }
        err.println("keepwatch daemon: " + message);
        return status;
    }

    private static ObjectNode planJson(ObjectMapper mapper, DaemonPlan plan) {
        ObjectNode node = mapper.createObjectNode().put("node", plan.node()).put("daemon", plan.daemon())
                .put("action", plan.action().word());
        ArrayNode routers = node.putArray("left_without_master");
        plan.routerNames().forEach(routers::add);
        return node;
    }

    private static ObjectNode refusedJson(ObjectMapper mapper, DaemonPlan plan, String reason) {
        return planJson(mapper, plan).put("result", "refused").put("reason", reason);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
