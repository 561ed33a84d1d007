package org.keepwatch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.maintenance.MaintenancePlan;
import org.keepwatch.maintenance.MaintenanceService;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code keepwatch drain NODE}, {@code keepwatch undrain NODE} and {@code keepwatch failover ROUTER --to NODE}: planned
 * failover through the maintenance weight. The plan is printed first (which router moves from whom to whom, who is
 * left as backup, or why it is refused), then asked (or {@code --yes}); then the weights are written and the routers
 * watched until each master is where the plan said. A router left without a healthy backup needs
 * {@code --without-backup} as well. Without the weight's wiring, {@code --fallback stop} drains (or fails over) by
 * stopping keepalived on the nodes in the way, and undrain starts it again (the plan says so). Exit: 0 done and seen done, 1 failed or not seen in time, 2 refused or not
 * confirmed, 3 unreachable.
 */
final class MaintenanceCommand implements Command {

    /** Which of the three. */
    enum Verb { DRAIN, UNDRAIN, FAILOVER, SETUP }

    private static final String WITHOUT_BACKUP = "--without-backup";
    private static final String FALLBACK = "--fallback";

    private final Verb verb;
    private final Function<Arguments, FleetConnection> connect;
    private final Confirmation confirmation;

    MaintenanceCommand(Verb verb) {
        this(verb, FleetConnection::open, Confirmation.ofThisProcess());
    }

    MaintenanceCommand(Verb verb, Function<Arguments, FleetConnection> connect, Confirmation confirmation) {
        this.verb = verb;
        this.connect = connect;
        this.confirmation = confirmation;
    }

    @Override
    public String synopsis() {
        if (verb == Verb.SETUP) {
            return "NODE [DAEMON] " + FleetConnection.SYNOPSIS + " [--reason TEXT]";
        }
        return (verb == Verb.FAILOVER ? "ROUTER --to NODE " : "NODE ") + FleetConnection.SYNOPSIS + " [--reason TEXT] [" + WITHOUT_BACKUP + "]"
                + (verb == Verb.UNDRAIN ? "" : " [" + FALLBACK + " stop]");
    }

    @Override
    public String summary() {
        return switch (verb) {
            case DRAIN -> "moves every master off NODE (maintenance weight, no reload); shows the plan, then asks";
            case UNDRAIN -> "gives a drained NODE its priorities back; shows the plan, then asks";
            case FAILOVER -> "makes NODE the master of ROUTER (name or VRID); shows the plan, then asks";
            case SETUP -> "sets up the maintenance weight on NODE: a push adding a track_file (checked, backed up, reloaded)";
        };
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Set<String> flags = new HashSet<>(FleetConnection.FLAGS);
        flags.add(WITHOUT_BACKUP);
        Set<String> valued = new HashSet<>(FleetConnection.VALUED);
        valued.add("--reason");
        if (verb == Verb.FAILOVER) {
            valued.add("--to");
        }
        if (verb == Verb.DRAIN || verb == Verb.FAILOVER) {
            valued.add(FALLBACK);
        }
        Arguments arguments = new Arguments(args, flags, valued);
        if (arguments.operands().size() != 1 && !(verb == Verb.SETUP && arguments.operands().size() == 2)) {
            throw new UsageException("keepwatch " + name() + " " + synopsis());
        }
        String operand = arguments.operands().get(0);
        String reason = arguments.value("--reason").orElse("keepwatch " + name() + " " + operand);
        boolean json = arguments.has("--json");
        PrintStream words = json ? err : out;
        MaintenanceWeight.Method method = arguments.value(FALLBACK).map(f -> {
            if (!f.equals("stop")) {
                throw new UsageException("keepwatch " + name() + ": " + FALLBACK + " takes \"stop\" (drain by stopping "
                        + "keepalived), not \"" + f + "\"");
            }
            return MaintenanceWeight.Method.STOP;
        }).orElse(MaintenanceWeight.Method.WEIGHT);
        try (FleetConnection connection = connect.apply(arguments)) {
            String node = verb == Verb.FAILOVER ? arguments.value("--to").orElseThrow(
                    () -> new UsageException("keepwatch failover " + synopsis() + ": --to NODE is missing")) : operand;
            connection.node(node);
            connection.awaitOnline(List.of(node));
            connection.settle();
            NodeAgents agents = connection.agents();
            MaintenanceService service = new MaintenanceService(agents, connection::state,
                    new NodeConfigService(agents, connection.io()), new PushService(agents, connection::state, connection.io(), connection.journal()),
                    connection.io());
            if (verb == Verb.SETUP) {
                return setUp(arguments, service, node, reason, words, err);
            }
            MaintenancePlan plan = switch (verb) {
                case SETUP -> throw new IllegalStateException("the set-up has no plan of moves");
                case DRAIN -> service.planDrain(node, method);
                case UNDRAIN -> service.planUndrain(node);
                case FAILOVER -> service.planFailover(router(connection, operand), node, method);
            };
            ObjectNode report = json ? planJson(plan) : null;
            plan.lines().forEach(words::println);
            if (plan.refused()) {
                return finish(report, out, "refused", ActionExit.REFUSED);
            }
            if (!plan.confirmations().isEmpty() && !arguments.has(WITHOUT_BACKUP)) {
                words.println("nothing done: give " + WITHOUT_BACKUP + " to go on although "
                        + String.join("; ", plan.confirmations()));
                return finish(report, out, "refused", ActionExit.REFUSED);
            }
            if (!confirmation.confirmed(arguments, "Carry out this plan?", err)) {
                return finish(report, out, "not confirmed", ActionExit.REFUSED);
            }
            MaintenanceService.Outcome outcome;
            try {
                outcome = service.execute(plan, reason, MaintenanceService.SETTLE_TIMEOUT.plus(connection.timeout()),
                        line -> words.println("  " + line)).get();
            } catch (ExecutionException e) {
                words.println(name() + " failed: " + e.getCause().getMessage());
                return finish(report, out, "failed: " + e.getCause().getMessage(), ActionExit.FAILED);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return finish(report, out, "interrupted", ActionExit.FAILED);
            }
            if (report != null) {
                ArrayNode moved = report.putArray("moved");
                outcome.moved().forEach(moved::add);
                ArrayNode notMoved = report.putArray("not_moved");
                outcome.notMoved().forEach(notMoved::add);
            }
            words.println(outcome.done() ? name() + " " + operand + ": done, every router where the plan said"
                    : name() + " " + operand + ": not seen done: " + String.join("; ", outcome.notMoved()));
            return finish(report, out, outcome.done() ? "done" : "not seen done", outcome.done() ? ActionExit.DONE : ActionExit.FAILED);
        }
    }

    private String name() {
        return verb == Verb.SETUP ? "drain-setup" : verb.name().toLowerCase(Locale.ROOT);
    }

    /** What the set-up will add, asked, then pushed; exit 0 when the configuration is wired (now or already). */
    private int setUp(Arguments arguments, MaintenanceService service, String node, String reason, PrintStream words,
                      PrintStream err) {
        // the daemon named, else the node's only one: never a guess at "keepalived" on a node that runs several
        Map<String, Optional<MaintenanceWeight>> weights = service.weights(node);
        if (arguments.operands().size() < 2 && weights.size() > 1) {
            throw new UsageException(node + " runs " + weights.size() + " keepalived daemons; name one: "
                    + String.join(", ", weights.keySet()));
        }
        String daemon = arguments.operands().size() == 2 ? arguments.operands().get(1)
                : weights.keySet().stream().findFirst().orElse("keepalived");
        Optional<MaintenanceWeight> weight = weights.getOrDefault(daemon, Optional.empty());
        if (weight.isEmpty()) {
            words.println("nothing done: " + node + " reports no keepalived " + daemon + " with a maintenance weight "
                    + "(its daemons: " + String.join(", ", weights.keySet()) + ")");
            return ActionExit.REFUSED;
        }
        if (weight.get().refusal().isPresent()) {
            words.println("refused: " + node + " " + daemon + ": " + weight.get().refusal().get());
            return ActionExit.REFUSED;
        }
        if (weight.get().wiredFully()) {
            words.println(node + " " + daemon + ": set up already (" + String.join(", ", weight.get().wired()) + " track "
                    + weight.get().trackFile().orElse("its track file") + ")");
            return ActionExit.DONE;
        }
        words.println("drain-setup " + node + ": adds a track_file on " + weight.get().trackFile().orElse("its track file")
                + " with weight -1 to " + (daemon.equals("keepalived") ? "keepalived" : "keepalived " + daemon)
                + "'s configuration, tracked by:");
        new TreeMap<>(weight.get().unwired()).forEach((instance, why) -> words.println("  " + instance
                + (why.startsWith("does not track") ? "" : " (left alone: " + why + ")")));
        if (!confirmation.confirmed(arguments, "Push this change?", err)) {
            return ActionExit.REFUSED;
        }
        try {
            Optional<PushOutcome> outcome = service.setUp(node, daemon, reason,
                    step -> {
                        if (step.status() != ApplyStep.Status.STARTED) {
                            words.println("  " + step.step() + ": " + step.status().name().toLowerCase(Locale.ROOT));
                        }
                    }).get();
            if (outcome.isEmpty() || outcome.get() instanceof PushOutcome.Applied) {
                words.println("drain-setup " + node + ": done");
                return ActionExit.DONE;
            }
            words.println("drain-setup " + node + ": not applied: " + outcome.get());
            return ActionExit.FAILED;
        } catch (ExecutionException e) {
            words.println("drain-setup " + node + " failed: " + e.getCause().getMessage());
            return ActionExit.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionExit.FAILED;
        }
    }

    /** A router by its name (vrrp_instance), its VRID ("51", "VRID 51") or its Neutron router id. */
    private static RouterKey router(FleetConnection connection, String name) {
        List<RouterStatus> routers = connection.state().routers();
        List<RouterStatus> found = routers.stream().filter(r -> r.name().equals(name) || r.key().id().equals(name)
                || r.key().label().equals(name)).toList();
        if (found.size() == 1) {
            return found.get(0).key();
        }
        String known = routers.stream().map(r -> r.name() + " (" + r.key().label() + ")").collect(Collectors.joining(", "));
        throw new UsageException(found.isEmpty() ? "no router " + name + " in the fleet (routers: " + known + ")"
                : name + " names several routers: " + found.stream().map(r -> r.name() + " (" + r.key().label() + ")")
                .collect(Collectors.joining(", ")) + "; name it by its VRID");
    }

    private static ObjectNode planJson(MaintenancePlan plan) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("action", plan.kind().words()).put("subject", plan.subject());
        ArrayNode changes = root.putArray("changes");
        plan.changes().forEach(c -> changes.addObject().put("node", c.node()).put("daemon", c.daemon()).put("drained", c.drained())
                .put("method", c.method().name().toLowerCase(Locale.ROOT)));
        ArrayNode routers = root.putArray("routers");
        for (MaintenancePlan.RouterMove move : plan.routers()) {
            ObjectNode r = routers.addObject().put("router", move.name()).put("key", move.key().label());
            r.put("master_before", move.masterBefore().orElse(null)).put("master_after", move.masterAfter().orElse(null));
            ArrayNode backups = r.putArray("backups_after");
            move.backupsAfter().forEach(backups::add);
            r.put("words", move.words());
        }
        ArrayNode refusals = root.putArray("refusals");
        plan.refusals().forEach(refusals::add);
        ArrayNode confirmations = root.putArray("confirmations");
        plan.confirmations().forEach(confirmations::add);
        root.put("fallback", plan.fallback().orElse(null));
        return root;
    }

    private static int finish(ObjectNode report, PrintStream out, String result, int status) {
        if (report != null) {
            report.put("result", result).put("exit", status);
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return status;
    }
}
