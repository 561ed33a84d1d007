package org.keepwatch.fleet;

import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.SudoPasswords;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshPrompts;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches a whole fleet: one {@link NodeSupervisor} per node feeding one {@link FleetState}, a
 * bounded pool for the blocking work of connecting, and the tick that confirms alarms. The app and
 * {@code keepwatch status} each build one of these.
 */
public final class FleetMonitor implements AutoCloseable {

    public static final String UNGROUPED = "default";
    private static final Duration TICK = Duration.ofMillis(250);
    private static final int CONNECT_THREADS = 16;

    /** What every supervisor shares. */
    public record Parts(SshConfig sshConfig, SshConnector connector, SshPrompts prompts, AgentScript script,
                        AgentSession.Options agentOptions, NodeSupervisor.Settings settings, Clock clock) {
    }

    private final FleetState state;
    private final Parts parts;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService io;
    private final Random random = new Random();
    private final Map<String, NodeSupervisor> supervisors = new LinkedHashMap<>();
    /** sudo passwords typed in this monitor's life, for its reconnects; never written anywhere. */
    private final SudoPasswords sudoPasswords;
    private Fleet fleet = Fleet.empty();

    public FleetMonitor(FleetState state, Parts parts) {
        this.state = state;
        this.parts = parts;
        // Prompts that never ask get no sudo passwords either: sudo that wants one fails at once, as sudo -n.
        this.sudoPasswords = parts.prompts() == SshPrompts.BATCH ? SudoPasswords.NONE : new SudoPasswords(parts.prompts());
        this.scheduler = Executors.newScheduledThreadPool(2, daemonThreads("fleet-timer"));
        this.io = Executors.newFixedThreadPool(CONNECT_THREADS, daemonThreads("fleet-connect"));
        scheduler.scheduleAtFixedRate(state::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public FleetState state() {
        return state;
    }

    /** Watches exactly the nodes of {@code newFleet}: new ones are connected, removed ones dropped, changed ones reconnected. */
    public synchronized void watch(Fleet newFleet) {
        Fleet old = fleet;
        fleet = newFleet;
        for (String name : Map.copyOf(supervisors).keySet()) {
            Optional<FleetNode> now = newFleet.node(name);
            boolean changed = now.isEmpty() || !settingsOf(old, old.node(name).orElseThrow()).equals(settingsOf(newFleet, now.get()))
                    || !groupOf(old.node(name).orElseThrow()).equals(groupOf(now.get()));
            if (changed) {
                supervisors.remove(name).close();
                if (now.isEmpty()) {
                    state.removeNode(name);
                }
            }
        }
        for (FleetNode node : newFleet.nodes()) {
            if (!supervisors.containsKey(node.name())) {
                state.addNode(node.name(), groupOf(node));
                NodeSupervisor supervisor = supervisor(newFleet, node);
                supervisors.put(node.name(), supervisor);
                supervisor.start();
            }
        }
    }

    public synchronized Optional<NodeSupervisor> supervisor(String node) {
        return Optional.ofNullable(supervisors.get(node));
    }

    @Override
    public synchronized void close() {
        supervisors.values().forEach(NodeSupervisor::close);
        supervisors.clear();
        scheduler.shutdownNow();
        io.shutdown();
        sudoPasswords.clear();
    }

    private NodeSupervisor supervisor(Fleet source, FleetNode node) {
        ConnectionSettings settings = settingsOf(source, node);
        // A login that cannot become root is watched read-only, and the node says so (AgentSession#readOnly).
        AgentSession.Options options = parts.agentOptions().withSudo(settings.sudo().orElse(false)).readOnlyAllowed();
        return new NodeSupervisor(node.name(), () -> NodeRoutes.resolve(parts.sshConfig(), settings, node.name()),
                parts.connector(), parts.prompts(), parts.script(), options, sudoPasswords, state, scheduler, io,
                parts.settings(), parts.clock(), random);
    }

    private static ConnectionSettings settingsOf(Fleet source, FleetNode node) {
        return source.effectiveSettings(node);
    }

    private static String groupOf(FleetNode node) {
        return node.group().isEmpty() ? UNGROUPED : node.group();
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
