package org.keepwatch.history;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Reads the configurations of the watched nodes for the history: when a node comes online, when one of its daemons
 * changes (a restart or reload often follows an edit), when its agent says a daemon's configuration files changed
 * (an edit by hand, noticed within the agent's rescan interval), and every {@code every} while it stays online (an
 * agent before the config event), so every version is kept and one written by hand on the node is noticed. One
 * thread; one read at a time.
 */
final class ConfigWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatch.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private final HistoryStore store;
    private final Duration every;
    private final ScheduledExecutorService thread;
    private volatile Function<String, Optional<AgentSession>> sessions;
    /** The daemons each online node runs, from its last DaemonsChanged. */
    private final Map<String, List<String>> daemons = new ConcurrentHashMap<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    ConfigWatch(HistoryStore store, Function<String, Optional<AgentSession>> sessions, Duration every) {
        this.store = store;
        this.sessions = sessions;
        this.every = every;
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "history-config-watch");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::readAll, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void use(Function<String, Optional<AgentSession>> newSessions) {
        sessions = newSessions;
        daemons.clear();
    }

    /** Called with FleetState's lock held: only notes and schedules. */
    void heard(FleetEvent event) {
        if (event instanceof FleetEvent.NodeChanged changed) {
            if (changed.status().connection() == ConnectionState.ONLINE) {
                schedule(changed.status().node());
            } else if (changed.status().connection() != ConnectionState.STALE) {
                daemons.remove(changed.status().node());
            }
        } else if (event instanceof FleetEvent.DaemonsChanged changed) {
            daemons.put(changed.node(), changed.daemons().stream().filter(d -> d.problem().isEmpty() || d.alive())
                    .map(DaemonObservation::name).toList());
            schedule(changed.node());
        } else if (event instanceof FleetEvent.ConfigChanged changed && daemons.containsKey(changed.node())) {
            schedule(changed.node());
        }
    }

    private void schedule(String node) {
        if (pending.add(node)) {
            try {
                thread.schedule(() -> {
                    pending.remove(node);
                    read(node);
                }, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                pending.remove(node);
            }
        }
    }

    private void readAll() {
        daemons.keySet().forEach(this::read);
    }

    private void read(String node) {
        Optional<AgentSession> session = sessions.apply(node);
        if (session.isEmpty()) {
            return;
        }
        ConfigOps ops = new ConfigOps(session.get());
        for (String daemon : daemons.getOrDefault(node, List.of())) {
            try {
                ConfigFiles files = ops.read(daemon).get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                store.configRead(node, files);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.debug("history: reading {}'s {} configuration failed: {}", node, daemon, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
