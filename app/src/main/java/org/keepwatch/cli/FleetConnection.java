package org.keepwatch.cli;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetJournal;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.settings.SettingsStore;
import org.keepwatch.ssh.SshException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The fleet an action command acts on (drain, daemon, logs, restore, diagnose, ...): the fleet file read, every node
 * connected and watched as {@code keepwatch status} watches them (never prompting: unknown host keys are refused, as
 * with ssh -o BatchMode=yes), and the nodes' agents at hand once they are online. Every node is watched, not only
 * the one acted on, since a guard needs the whole router: who else is MASTER, who is left as backup.
 */
final class FleetConnection implements AutoCloseable {

    /** The options every action command takes beside its own. */
    static final Set<String> FLAGS = Set.of("--json", "--yes");
    static final Set<String> VALUED = Set.of("--fleet", "--timeout");
    static final String SYNOPSIS = "[--fleet FILE] [--json] [--yes] [--timeout SECONDS]";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    private final Keepwatch keepwatch;
    private final Path fleetFile;
    private final Fleet fleet;
    private final FleetState state;
    private final FleetMonitor monitor;
    private final ExecutorService io;
    private final Duration timeout;

    private FleetConnection(Keepwatch keepwatch, Path fleetFile, Fleet fleet, FleetMonitor.Parts parts, Duration timeout) {
        this.keepwatch = keepwatch;
        this.fleetFile = fleetFile;
        this.fleet = fleet;
        this.timeout = timeout;
        this.state = keepwatch.newState();
        this.io = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "keepwatch-cli-io");
            thread.setDaemon(true);
            return thread;
        });
        this.monitor = new FleetMonitor(state, parts);
        monitor.watch(fleet);
        keepwatch.recordConfigurations(this::session);
    }

    /** Where the services this command uses tell what they did (the history, if there is one). */
    FleetJournal journal() {
        return keepwatch.journal();
    }

    /** The fleet of {@code --fleet} (else the app's), watched; {@code --timeout} bounds every wait. */
    static FleetConnection open(Arguments arguments) {
        Path fleetFile = arguments.value("--fleet").map(Path::of).orElseGet(FleetConnection::defaultFleetFile);
        Duration timeout = arguments.value("--timeout").map(FleetConnection::seconds).orElse(DEFAULT_TIMEOUT);
        return open(withHistory(Keepwatch.forCurrentUser(TerminalPrompts.forThisProcess(), Clock.systemUTC())), fleetFile, timeout);
    }

    /**
     * The library recording into the workstation's history (the app's, or the team's PostgreSQL the settings name), so
     * what a command does and sees is kept as the app keeps it. A history that cannot be opened is logged and the
     * command runs without it.
     */
    static Keepwatch withHistory(Keepwatch keepwatch) {
        return Keepwatch.openHistory(SettingsStore.defaultDirectory(), Clock.systemUTC(), problem -> { })
                .map(keepwatch::withHistory).orElse(keepwatch);
    }

    static FleetConnection open(Keepwatch keepwatch, Path fleetFile, Duration timeout) {
        Fleet fleet;
        FleetMonitor.Parts parts;
        try {
            fleet = FleetFile.read(fleetFile);
            parts = keepwatch.parts();
        } catch (NoSuchFileException e) {
            throw new CommandFailure(ActionExit.UNREACHABLE, "no fleet file " + fleetFile
                    + " (give one with --fleet, e.g. /var/lib/kw-lab/fleet.json)");
        } catch (SshException.BadConfig e) {
            throw new CommandFailure(ActionExit.UNREACHABLE, e.getMessage());
        } catch (IOException e) {
            throw new CommandFailure(ActionExit.UNREACHABLE, fleetFile + ": " + e.getMessage());
        }
        if (fleet.nodes().isEmpty()) {
            throw new CommandFailure(ActionExit.UNREACHABLE, fleetFile + " lists no nodes");
        }
        return new FleetConnection(keepwatch, fleetFile, fleet, parts, timeout);
    }

    /** The app's fleet file, the one its window opened last. */
    static Path defaultFleetFile() {
        return new SettingsStore(SettingsStore.defaultDirectory()).fleetFile();
    }

    Fleet fleet() {
        return fleet;
    }

    FleetState state() {
        return state;
    }

    Duration timeout() {
        return timeout;
    }

    /** Where the library's futures complete; threads that do not keep the command alive. */
    ExecutorService io() {
        return io;
    }

    /** The node of the fleet with this name; a name the fleet file does not list fails naming those it does. */
    FleetNode node(String name) {
        return fleet.node(name).orElseThrow(() -> new UsageException(
                "no node " + name + " in " + fleetFile + " (its nodes: "
                        + fleet.nodes().stream().map(FleetNode::name).collect(Collectors.joining(", ")) + ")"));
    }

    /** The agents of the watched nodes, for the library's services (push, maintenance, daemons, ...). */
    NodeAgents agents() {
        return NodeAgents.of(this::session, (node, listener) -> {
            Optional<NodeSupervisor> supervisor = monitor.supervisor(node);
            supervisor.ifPresent(s -> s.addSessionListener(listener));
            return () -> supervisor.ifPresent(s -> s.removeSessionListener(listener));
        });
    }

    /** The supervisor of a watched node (Reconnect, as the app's button does). */
    Optional<NodeSupervisor> supervisor(String node) {
        return monitor.supervisor(node);
    }

    Optional<AgentSession> session(String node) {
        return monitor.supervisor(node).flatMap(NodeSupervisor::session);
    }

    /**
     * Waits until each named node is online, within the timeout; fails naming the first that is not and why (its
     * connection state and last error), at once for a node that cannot come online (host key refused, login failed).
     */
    void awaitOnline(List<String> nodes) {
        nodes.forEach(this::node);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String name : nodes) {
            while (!online(name)) {
                NodeStatus status = status(name);
                if (status != null && hopeless(status.connection()) || System.nanoTime() >= deadline) {
                    throw notOnline(name, status);
                }
                sleep(POLL);
            }
        }
    }

    /**
     * Refuses, before anything is planned or asked, an action on a node whose session is read-only (a login without
     * sudo): the failure says so in the session's words.
     */
    void requireWritable(String node) {
        Optional<String> readOnly = session(node).flatMap(AgentSession::readOnly);
        if (readOnly.isPresent()) {
            throw new CommandFailure(ActionExit.REFUSED, node + ": " + readOnly.get());
        }
    }

    /**
     * Until every node is online or has failed for good, then until no alarm is held back any more, so the state a
     * plan is made from says what the fleet is (a split of a second is not yet a split; see StatusCommand).
     */
    void settle() {
        settle(state, fleet.nodes().size(), timeout, keepwatch.fleetSettings().confirmAfter());
    }

    static void settle(FleetState state, int nodes, Duration timeout, Duration confirmAfter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<NodeStatus> statuses = state.nodes();
            boolean done = statuses.size() == nodes && statuses.stream().allMatch(s -> s.connection() == ConnectionState.ONLINE
                    || hopeless(s.connection()));
            if (done) {
                break;
            }
            sleep(POLL);
        }
        long confirmed = Math.max(deadline, System.nanoTime() + confirmAfter.plus(POLL.multipliedBy(3)).toNanos());
        state.tick();
        while (state.alarmsHeldUntil().isPresent() && System.nanoTime() < confirmed) {
            sleep(POLL);
            state.tick();
        }
    }

    @Override
    public void close() {
        monitor.close();
        io.shutdownNow();
        keepwatch.history().ifPresent(h -> h.close()); // writes what is queued first
    }

    private boolean online(String node) {
        NodeStatus status = status(node);
        return status != null && status.connection() == ConnectionState.ONLINE && session(node).isPresent();
    }

    private NodeStatus status(String node) {
        return state.nodes().stream().filter(s -> s.node().equals(node)).findFirst().orElse(null);
    }

    private static boolean hopeless(ConnectionState connection) {
        return connection == ConnectionState.AUTH_FAILED || connection == ConnectionState.HOST_KEY_REJECTED;
    }

    private CommandFailure notOnline(String node, NodeStatus status) {
        String why = status == null ? "not connected yet"
                : status.connection() + status.lastError().map(e -> ": " + e).orElse("");
        String when = status != null && hopeless(status.connection()) ? "" : " after " + timeout.toSeconds() + " s";
        return new CommandFailure(ActionExit.UNREACHABLE, node + " is not online" + when + " (" + why + ")");
    }

    private static Duration seconds(String text) {
        try {
            return Duration.ofSeconds(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new UsageException("--timeout takes whole seconds, not " + text);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure(ActionExit.FAILED, "interrupted");
        }
    }
}
