package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.EventBatch;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * keepwatch status: every router of a fleet with its members, states and verdict, from the nodes'
 * agents over SSH. Exits like a monitoring check: 0 all healthy, 1 warnings (drift, no redundancy,
 * degraded, stale, a node that could not be read, a keepalived hung, stopped or dead), 2 critical (split
 * brain, orphan VIP, no master), 3 unknown (no node reachable, or no fleet). Never prompts: unknown host
 * keys are refused, as with ssh -o BatchMode=yes. README's "keepwatch status" section lists the codes.
 */
final class StatusCommand implements Command {

    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;
    static final int UNKNOWN = 3;
    private static final Duration SETTLE_POLL = Duration.ofMillis(100);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Override
    public String synopsis() {
        return "[--fleet FILE] [--json] [--watch] [--timeout SECONDS]";
    }

    @Override
    public String summary() {
        return "routers, members, states and verdicts of a fleet; exit 0 healthy, 1 warning, 2 critical, 3 unknown";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Arguments parsed = new Arguments(args, Set.of("--json", "--watch"), Set.of("--fleet", "--timeout"));
        if (!parsed.operands().isEmpty()) {
            throw new UsageException("unexpected " + parsed.operands().get(0));
        }
        Path fleetFile = parsed.value("--fleet").map(Path::of).orElseGet(FleetConnection::defaultFleetFile);
        Duration timeout = Duration.ofSeconds(parsed.value("--timeout").map(StatusCommand::seconds).orElse(20L));
        Keepwatch keepwatch = Keepwatch.forCurrentUser(TerminalPrompts.forThisProcess(), Clock.systemUTC());
        Fleet fleet;
        FleetMonitor.Parts parts;
        try {
            fleet = FleetFile.read(fleetFile);
            parts = keepwatch.parts();
        } catch (NoSuchFileException e) {
            err.println("keepwatch status: no fleet file " + fleetFile + " (give one with --fleet, e.g. /var/lib/kw-lab/fleet.json)");
            return UNKNOWN;
        } catch (IOException e) {
            err.println("keepwatch status: " + e.getMessage());
            return UNKNOWN;
        }
        if (fleet.nodes().isEmpty()) {
            err.println("keepwatch status: " + fleetFile + " lists no nodes");
            return UNKNOWN;
        }
        FleetState state = keepwatch.newState();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (FleetMonitor monitor = new FleetMonitor(state, parts)) {
            monitor.watch(fleet);
            FleetConnection.settle(state, fleet.nodes().size(), timeout, keepwatch.fleetSettings().confirmAfter());
            state.drainEvents();
            if (parsed.has("--json")) {
                out.println(json.valueToTree(toJson(json, state)).toPrettyString());
            } else {
                printTable(out, state);
            }
            if (parsed.has("--watch")) {
                watch(out, state, parsed.has("--json"), json);
            }
            return exitStatus(state);
        }
    }

    static int exitStatus(FleetState state) {
        List<NodeStatus> nodes = state.nodes();
        if (nodes.stream().noneMatch(n -> n.connection() == ConnectionState.ONLINE)) {
            return UNKNOWN;
        }
        List<RouterStatus> routers = state.routers();
        if (routers.stream().anyMatch(r -> r.verdict().alarming())) {
            return CRITICAL;
        }
        boolean anyWarning = routers.stream().anyMatch(r -> r.verdict() != Verdict.HEALTHY)
                || nodes.stream().anyMatch(n -> n.connection() != ConnectionState.ONLINE)
                || nodes.stream().anyMatch(n -> daemonsDown(state, n.node()));
        return anyWarning ? WARNING : OK;
    }

    /** A node online whose keepalived is hung, stopped or dead is not a healthy node, router or not. */
    private static boolean daemonsDown(FleetState state, String node) {
        return state.daemons(node).stream().anyMatch(d -> d.status() != DaemonStatus.RUNNING);
    }

    private static void printTable(PrintStream out, FleetState state) {
        List<RouterStatus> routers = state.routers();
        int width = Math.max(6, routers.stream().mapToInt(r -> label(r).length()).max().orElse(6));
        String row = "%-" + width + "s  %-13s  %-8s  %s%n";
        out.printf(row, "ROUTER", "VERDICT", "MASTER", "MEMBERS (state priority, * holds a VIP)");
        for (RouterStatus router : routers) {
            out.printf(row, label(router), router.verdict(), router.masters().isEmpty() ? "-" : String.join(",", router.masters()),
                    router.members().stream().map(StatusCommand::member).collect(Collectors.joining("  ")));
            if (router.verdict() != Verdict.HEALTHY) {
                router.reasons().forEach(reason -> out.printf("%" + (width + 2) + "s  ! %s%n", "", reason));
            }
        }
        out.println();
        out.println("NODES");
        for (NodeStatus node : state.nodes()) {
            out.printf("  %-10s %-17s %s%n", node.node(), node.connection(),
                    node.lastError().orElseGet(() -> node.keepalivedVersion().map(v -> "keepalived " + v).orElse("")));
            for (DaemonObservation daemon : state.daemons(node.node())) {
                if (daemon.status() != DaemonStatus.RUNNING) {
                    out.printf("  %-10s ! %s %s%s%n", "", daemon.label(), daemon.status().describe(),
                            daemon.problem().map(p -> ": " + p).orElse(""));
                }
            }
        }
        long healthy = routers.stream().filter(r -> r.verdict() == Verdict.HEALTHY).count();
        out.printf("%n%d routers, %d healthy%n", routers.size(), healthy);
    }

    private static String label(RouterStatus router) {
        String scope = router.key().scope();
        return router.key().kind() == RouterKey.Kind.NEUTRON
                ? router.key().label() + " [" + scope + "]"
                : router.name() + " (" + router.key().label() + ") [" + scope + "]";
    }

    private static String member(RouterMember member) {
        String held = member.vipsHeld().isEmpty() ? "" : "*";
        return member.node() + " " + member.state() + " " + member.lastKnown().effectivePriority() + held;
    }

    private static ObjectNode toJson(ObjectMapper json, FleetState state) {
        ObjectNode root = json.createObjectNode();
        root.put("status", switch (exitStatus(state)) {
            case OK -> "ok";
            case WARNING -> "warning";
            case CRITICAL -> "critical";
            default -> "unknown";
        });
        ArrayNode routers = root.putArray("routers");
        for (RouterStatus router : state.routers()) {
            ObjectNode r = routers.addObject();
            r.put("router", router.key().label()).put("kind", router.key().kind().name().toLowerCase())
                    .put("group", router.key().scope()).put("name", router.name()).put("vrid", router.vrid())
                    .put("verdict", router.verdict().name());
            r.set("vips", json.valueToTree(router.vips()));
            r.set("masters", json.valueToTree(router.masters()));
            r.set("vipHolders", json.valueToTree(router.vipHolders()));
            r.set("reasons", json.valueToTree(router.reasons()));
            ArrayNode members = r.putArray("members");
            for (RouterMember member : router.members()) {
                ObjectNode m = members.addObject().put("node", member.node()).put("instance", member.lastKnown().name())
                        .put("state", member.state().name()).put("current", member.current())
                        .put("priority", member.lastKnown().basePriority())
                        .put("effectivePriority", member.lastKnown().effectivePriority())
                        .put("netns", member.lastKnown().netns());
                m.set("vipsHeld", json.valueToTree(member.vipsHeld()));
                member.problem().ifPresent(p -> m.put("problem", p));
            }
        }
        ArrayNode nodes = root.putArray("nodes");
        for (NodeStatus node : state.nodes()) {
            ObjectNode n = nodes.addObject().put("node", node.node()).put("connection", node.connection().name());
            node.lastError().ifPresent(e -> n.put("error", e));
            node.keepalivedVersion().ifPresent(v -> n.put("keepalived", v));
            ArrayNode daemons = n.putArray("daemons");
            for (DaemonObservation daemon : state.daemons(node.node())) {
                ObjectNode d = daemons.addObject().put("name", daemon.name()).put("status", daemon.status().name());
                daemon.problem().ifPresent(p -> d.put("problem", p));
            }
        }
        return root;
    }

    /** Prints what changes, as it changes, until interrupted. */
    private static void watch(PrintStream out, FleetState state, boolean asJson, ObjectMapper json) {
        while (!Thread.currentThread().isInterrupted()) {
            sleep(SETTLE_POLL);
            EventBatch batch = state.drainEvents();
            for (FleetEvent event : batch.events()) {
                String line = describe(event);
                if (line == null) {
                    continue;
                }
                if (asJson) {
                    ObjectNode node = json.createObjectNode().put("at", event.at().toString()).put("event", line);
                    out.println(node.toString());
                } else {
                    out.println(TIME.format(event.at()) + "  " + line);
                }
            }
            out.flush();
        }
    }

    static String describe(FleetEvent event) {
        if (event instanceof FleetEvent.InstanceChanged change) {
            boolean stateChanged = change.before().map(b -> b.state() != change.after().state()).orElse(true);
            if (!stateChanged) {
                return null;
            }
            return change.after().node() + " " + change.after().name() + " " + change.before().map(b -> b.state() + " -> ").orElse("")
                    + change.after().state() + " (" + change.cause() + ")";
        }
        if (event instanceof FleetEvent.Alarm alarm) {
            return (alarm.raised() ? "ALARM " : "cleared ") + alarm.verdict() + " " + alarm.router().label()
                    + (alarm.reasons().isEmpty() ? "" : ": " + String.join("; ", alarm.reasons()));
        }
        if (event instanceof FleetEvent.DaemonsChanged changed) {
            List<String> down = changed.daemons().stream().filter(d -> d.status() != DaemonStatus.RUNNING)
                    .map(d -> d.label() + " " + d.status().describe()).toList();
            return changed.node() + " " + (down.isEmpty() ? "keepalived running" : String.join(", ", down));
        }
        if (event instanceof FleetEvent.NodeChanged node) {
            return node.status().node() + " " + node.status().connection() + node.status().lastError().map(e -> ": " + e).orElse("");
        }
        return null;
    }

    /** The fleet the app edits and opens by default: ~/.config/keepwatch/fleet.json ($XDG_CONFIG_HOME respected). */
    private static long seconds(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout takes whole seconds, not " + text);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
