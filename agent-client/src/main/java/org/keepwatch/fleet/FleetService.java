package org.keepwatch.fleet;

import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The open fleet of a long-running front end (the app): its file, its state and the monitor that keeps the nodes
 * connected, a new monitor for every file opened. Reading and writing files and connecting happen on the I/O
 * executor; a user interface reads {@link #state()} on its own rhythm (the app's pulse).
 */
public final class FleetService implements AutoCloseable {

    private final Clock clock;
    private final Executor io;
    private final Supplier<FleetMonitor.Parts> parts;
    private final FleetJournal journal;
    private volatile FleetState state;
    private volatile FleetMonitor monitor;
    private volatile Fleet fleet = Fleet.empty();
    private volatile Path file;

    /** @param parts what the monitor needs (SSH config, prompts, agent); null for a state fed by hand (tests) */
    public FleetService(Clock clock, Executor io, Supplier<FleetMonitor.Parts> parts) {
        this(clock, io, parts, FleetJournal.NONE);
    }

    /** @param journal where every fleet watched tells its events, and the services acting on it their actions */
    public FleetService(Clock clock, Executor io, Supplier<FleetMonitor.Parts> parts, FleetJournal journal) {
        this.clock = clock;
        this.io = io;
        this.parts = parts;
        this.journal = journal;
        this.state = new FleetState(clock, FleetSettings.DEFAULTS, journal);
    }

    /** The history's ear, for the services that act on this fleet. */
    public FleetJournal journal() {
        return journal;
    }

    public FleetState state() {
        return state;
    }

    public Fleet fleet() {
        return fleet;
    }

    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public boolean isOpen() {
        return file != null;
    }

    /** Reads a fleet file and starts watching its nodes; completes (on the I/O thread) with the fleet. */
    public CompletableFuture<Fleet> open(Path path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return FleetFile.read(path);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, io).thenApply(read -> {
            watch(read, path);
            return read;
        });
    }

    /** Watches a fleet given in memory (a test, or nodes added before the first save). */
    public synchronized void watch(Fleet newFleet, Path path) {
        FleetMonitor old = monitor;
        if (old != null) {
            old.close();
        }
        FleetState fresh = new FleetState(clock, FleetSettings.DEFAULTS, journal);
        FleetMonitor.Parts p = parts == null ? null : parts.get();
        FleetMonitor created = p == null ? null : new FleetMonitor(fresh, p);
        if (created != null) {
            created.watch(newFleet);
        } else {
            newFleet.nodes().forEach(n -> fresh.addNode(n.name(), n.group().isEmpty() ? FleetMonitor.UNGROUPED : n.group()));
        }
        state = fresh;
        monitor = created;
        fleet = newFleet;
        file = path;
    }

    /** Writes the fleet (atomically) and applies the change to the connections. */
    public CompletableFuture<Void> save(Fleet changed) {
        Path target = file;
        return CompletableFuture.runAsync(() -> {
            try {
                if (target != null) {
                    FleetFile.write(target, changed);
                }
            } catch (IOException e) {
                throw new CompletionException(e);
            }
            synchronized (this) {
                fleet = changed;
                if (monitor != null) {
                    monitor.watch(changed);
                } else {
                    changed.nodes().forEach(n -> state.addNode(n.name(), n.group().isEmpty() ? FleetMonitor.UNGROUPED : n.group()));
                }
            }
        }, io);
    }

    public void reconnect(String node) {
        FleetMonitor current = monitor;
        if (current != null) {
            io.execute(() -> current.supervisor(node).ifPresent(NodeSupervisor::retry));
        }
    }

    /** The live agent session of a node, for the config editor. */
    public Optional<AgentSession> session(String node) {
        FleetMonitor current = monitor;
        return current == null ? Optional.empty() : current.supervisor(node).flatMap(NodeSupervisor::session);
    }

    /** Hears a node's apply.step events (the editor's push progress); returns how to stop hearing them. */
    public Runnable listenToAgent(String node, Consumer<AgentEvent> listener) {
        FleetMonitor current = monitor;
        if (current == null) {
            return () -> { };
        }
        Optional<NodeSupervisor> supervisor = current.supervisor(node);
        supervisor.ifPresent(s -> s.addSessionListener(listener));
        return () -> supervisor.ifPresent(s -> s.removeSessionListener(listener));
    }

    /** The nodes' sessions by name, for a rolling apply. */
    public Function<String, Optional<AgentSession>> sessions() {
        return this::session;
    }

    @Override
    public synchronized void close() {
        if (monitor != null) {
            monitor.close();
        }
    }
}
