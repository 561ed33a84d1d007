package org.keepwatch.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.AgentStartException;
import org.keepwatch.agent.SudoPasswords;
import org.keepwatch.agent.Hello;
import org.keepwatch.agent.SessionEnd;
import org.keepwatch.ssh.SshConnection;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshPrompts;
import org.keepwatch.ssh.SshTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Keeps one node's agent session alive and its state flowing into the {@link FleetState}:
 * CONNECTING, then ONLINE (subscribed, a full snapshot applied), STALE when heartbeats stop,
 * OFFLINE with exponential backoff and jitter when the link is lost (for {@code violationBackoff} when the agent
 * broke the protocol), AUTH_FAILED and HOST_KEY_REJECTED when retrying would not help (until {@link #retry()}).
 *
 * <p>Connecting blocks, so it runs on the {@code io} executor; timers run on the scheduler; agent
 * events arrive on the session's reader thread and go straight into the fleet state in order.
 */
public final class NodeSupervisor implements AutoCloseable {

    /** Where to reach the node: resolved afresh for every attempt, so a fixed ~/.ssh/config takes effect. */
    public interface Route {
        List<SshTarget> resolve() throws SshException;
    }

    /**
     * @param staleAfter     no heartbeat for this long: STALE
     * @param dropAfter      no heartbeat for this long: the session is dropped and reconnected
     * @param initialBackoff first wait after a failure; doubled per failure up to {@code maxBackoff}
     * @param jitter         +/- fraction applied to every wait, so 500 nodes do not retry in step
     * @param violationBackoff the wait after the agent broke the protocol (a line over the limit): such a node
     *                       connects, sends, and is dropped again, so it is not retried at the pace of a lost link,
     *                       whose count starts again with every session that came online
     */
    public record Settings(Duration staleAfter, Duration dropAfter, Duration initialBackoff, Duration maxBackoff,
                           double jitter, Duration snapshotTimeout, Duration violationBackoff) {

        public static final Duration DEFAULT_VIOLATION_BACKOFF = Duration.ofMinutes(5);

        /** Settings with the default wait after a protocol violation. */
        public Settings(Duration staleAfter, Duration dropAfter, Duration initialBackoff, Duration maxBackoff,
                        double jitter, Duration snapshotTimeout) {
            this(staleAfter, dropAfter, initialBackoff, maxBackoff, jitter, snapshotTimeout, DEFAULT_VIOLATION_BACKOFF);
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(7), Duration.ofSeconds(20), Duration.ofSeconds(1),
                    Duration.ofSeconds(60), 0.2, Duration.ofSeconds(30));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(NodeSupervisor.class);
    private static final long WATCHDOG_TICK_MILLIS = 250;

    private final String node;
    private final Route route;
    private final SshConnector connector;
    private final SshPrompts prompts;
    private final AgentScript script;
    private final AgentSession.Options agentOptions;
    private final SudoPasswords sudoPasswords;
    private final FleetState fleet;
    private final ScheduledExecutorService scheduler;
    private final Executor io;
    private final Settings settings;
    private final Clock clock;
    private final Random random;

    private final Object lock = new Object();
    private ConnectionState state = ConnectionState.CONNECTING;
    private int failures;
    private boolean closed;
    private long generation;
    private SshConnection connection;
    private AgentSession session;
    private Hello hello;
    private Optional<String> unfinishedApplies = Optional.empty();   // in words, from the agent's hello
    private Optional<String> readOnly = Optional.empty();            // in words, when the agent is not root
    // An agent that is not root cannot look at keepalived's process nor ask it for its state dumps: it would report
    // a running keepalived as not running. Its reports are not applied, so the node counts as unread for its routers.
    private volatile boolean reportsHidden;
    private volatile Instant lastHeartbeat;
    private final List<Consumer<AgentEvent>> sessionListeners =
            new CopyOnWriteArrayList<>();
    private ScheduledFuture<?> watchdog;
    private ScheduledFuture<?> reconnect;

    public NodeSupervisor(String node, Route route, SshConnector connector, SshPrompts prompts, AgentScript script,
                          AgentSession.Options agentOptions, FleetState fleet, ScheduledExecutorService scheduler,
                          Executor io, Settings settings, Clock clock, Random random) {
        this(node, route, connector, prompts, script, agentOptions, SudoPasswords.NONE, fleet, scheduler, io, settings,
                clock, random);
    }

    /** @param sudoPasswords where a sudo that wants a password gets it (shared by the fleet's nodes, for reconnects) */
    public NodeSupervisor(String node, Route route, SshConnector connector, SshPrompts prompts, AgentScript script,
                          AgentSession.Options agentOptions, SudoPasswords sudoPasswords, FleetState fleet,
                          ScheduledExecutorService scheduler, Executor io, Settings settings, Clock clock,
                          Random random) {
        this.sudoPasswords = sudoPasswords;
        this.node = node;
        this.route = route;
        this.connector = connector;
        this.prompts = prompts;
        this.script = script;
        this.agentOptions = agentOptions;
        this.fleet = fleet;
        this.scheduler = scheduler;
        this.io = io;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
    }

    public String node() {
        return node;
    }

    public void start() {
        connectSoon(Duration.ZERO);
    }

    /** Reconnect now: after the operator fixed credentials or accepted a host key, or to refresh. */
    public void retry() {
        long current;
        synchronized (lock) {
            failures = 0;
            current = ++generation;
            dropSession();
        }
        connectSoon(Duration.ZERO, current);
    }

    public ConnectionState state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Hears the events the fleet view does not use (apply.step, events of newer agents), from every
     * session of this node, on the session's reader thread.
     */
    public void addSessionListener(Consumer<AgentEvent> listener) {
        sessionListeners.add(listener);
    }

    public void removeSessionListener(Consumer<AgentEvent> listener) {
        sessionListeners.remove(listener);
    }

    /** The live session, for config operations; empty unless ONLINE or STALE. */
    public Optional<AgentSession> session() {
        synchronized (lock) {
            return Optional.ofNullable(session);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            generation++;
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            dropSession();
        }
    }

    // ---- connecting ---------------------------------------------------------------------------

    private void connectSoon(Duration delay) {
        long current;
        synchronized (lock) {
            current = generation;
        }
        connectSoon(delay, current);
    }

    private void connectSoon(Duration delay, long forGeneration) {
        synchronized (lock) {
            if (closed || forGeneration != generation) {
                return;
            }
            if (reconnect != null) {
                reconnect.cancel(false);
            }
            reconnect = scheduler.schedule(() -> io.execute(() -> connect(forGeneration)), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void connect(long forGeneration) {
        if (!current(forGeneration)) {
            return;
        }
        report(ConnectionState.CONNECTING, Optional.empty());
        SshConnection newConnection = null;
        AgentSession newSession = null;
        try {
            newConnection = connector.connect(route.resolve(), prompts);
            final SshConnection opened = newConnection;
            newSession = AgentSession.open(newConnection, node, script, agentOptions, sudoPasswords,
                    event -> onEvent(event, forGeneration));
            final AgentSession started = newSession;
            reportsHidden = started.readOnly().isPresent();
            synchronized (lock) {
                if (closed || forGeneration != generation) {
                    started.close();
                    opened.close();
                    return;
                }
                connection = opened;
                session = started;
                hello = started.hello();
                unfinishedApplies = hello.unfinishedApplyWarning();
                readOnly = started.readOnly();
                lastHeartbeat = clock.instant();
            }
            // Applied on the session's reader thread, before any event that follows the answer.
            started.subscribe().thenAccept(snapshot -> {
                if (current(forGeneration) && !reportsHidden) {
                    fleet.applyReport(AgentTranslation.report(node, snapshot, clock.instant()));
                }
            }).get(settings.snapshotTimeout().toMillis(), TimeUnit.MILLISECONDS);
            synchronized (lock) {
                failures = 0;
            }
            report(ConnectionState.ONLINE, Optional.empty());
            // The session's end first: an agent that broke the protocol is cut off by us, and the server then closes
            // the connection, maybe before these lines run; the violation, not the closed link, says what happened.
            started.ended().thenAccept(end -> {
                if (end.protocolViolation()) {
                    lostToViolation(forGeneration, end.reason());
                } else {
                    lost(forGeneration, "the agent ended: " + end.reason());
                }
            });
            opened.disconnected().thenAccept(d -> {
                Optional<SessionEnd> violation = violation(started);
                if (violation.isPresent()) {
                    lostToViolation(forGeneration, violation.get().reason());
                } else {
                    lost(forGeneration, "the SSH connection ended: " + d);
                }
            });
            startWatchdog(forGeneration);
        } catch (SshException e) {
            closeQuietly(newSession, newConnection);
            failed(forGeneration, classify(e), e.getMessage(), e);
        } catch (AgentStartException e) {
            closeQuietly(newSession, newConnection);
            if (e.reason() == AgentStartException.Reason.PROTOCOL_VIOLATION) {
                violated(forGeneration, e.getMessage(), e);
            } else if (e.reason() == AgentStartException.Reason.SUDO_PASSWORD
                    || e.reason() == AgentStartException.Reason.SUDO_PASSWORD_REFUSED) {
                // Retrying would ask again, or send a refused password again and lock the account: the operator acts.
                failed(forGeneration, ConnectionState.AUTH_FAILED, e.getMessage(), e);
            } else {
                failed(forGeneration, ConnectionState.OFFLINE, e.getMessage(), e);
            }
        } catch (ExecutionException e) {
            closeQuietly(newSession, newConnection);
            Optional<SessionEnd> violation = violation(newSession);
            if (violation.isPresent()) {
                violated(forGeneration, violation.get().reason(), null);
            } else {
                failed(forGeneration, ConnectionState.OFFLINE, "the first snapshot failed: " + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            closeQuietly(newSession, newConnection);
            Optional<SessionEnd> violation = violation(newSession);
            if (violation.isPresent()) {
                violated(forGeneration, violation.get().reason(), null);
            } else {
                failed(forGeneration, ConnectionState.OFFLINE, "the first snapshot took longer than " + settings.snapshotTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(newSession, newConnection);
        } catch (IOException | RuntimeException e) {
            closeQuietly(newSession, newConnection);
            failed(forGeneration, ConnectionState.OFFLINE, String.valueOf(e.getMessage()));
            if (e instanceof RuntimeException) {
                log.warn("{}: unexpected failure while connecting", node, e);
            }
        }
    }

    /** Retrying does not fix a refused login or an unaccepted host key: the operator has to act. */
    static ConnectionState classify(SshException e) {
        Throwable cause = e instanceof SshException.JumpHostFailed && e.getCause() instanceof SshException inner ? inner : e;
        if (cause instanceof SshException.AuthenticationFailed) {
            return ConnectionState.AUTH_FAILED;
        }
        if (cause instanceof SshException.HostKeyUnknown || cause instanceof SshException.HostKeyChanged
                || cause instanceof SshException.HostKeyRevoked) {
            return ConnectionState.HOST_KEY_REJECTED;
        }
        return ConnectionState.OFFLINE;
    }

    private void failed(long forGeneration, ConnectionState outcome, String error) {
        failed(forGeneration, outcome, error, null);
    }

    /** @param cause the typed failure, kept in the status so the UI can explain it (null when there is none) */
    private void failed(long forGeneration, ConnectionState outcome, String error, Exception cause) {
        if (!current(forGeneration)) {
            return;
        }
        log.info("{}: {} ({})", node, outcome, error);
        report(outcome, Optional.of(error), Optional.ofNullable(cause));
        if (outcome == ConnectionState.OFFLINE) {
            connectSoon(nextBackoff(), forGeneration);
        }
    }

    /**
     * The agent broke the protocol: OFFLINE, and the next attempt only after {@code violationBackoff}, since such a
     * node comes online, sends it again and is dropped again; the error says so. {@link #retry()} connects at once.
     */
    private void violated(long forGeneration, String reason, Exception cause) {
        if (!current(forGeneration)) {
            return;
        }
        String error = reason + "; that breaks the agent protocol, so Keepwatch connects to this node again only after "
                + words(settings.violationBackoff());
        log.warn("{}: {}", node, error);
        report(ConnectionState.OFFLINE, Optional.of(error), Optional.ofNullable(cause));
        connectSoon(jittered(settings.violationBackoff().toMillis()), forGeneration);
    }

    /** The session's end, when it ended because the agent broke the protocol. */
    private static Optional<SessionEnd> violation(AgentSession session) {
        return session == null ? Optional.empty()
                : Optional.ofNullable(session.ended().getNow(null)).filter(SessionEnd::protocolViolation);
    }

    private Duration nextBackoff() {
        int attempt;
        synchronized (lock) {
            attempt = failures++;
        }
        double base = settings.initialBackoff().toMillis() * Math.pow(2, Math.min(attempt, 20));
        return jittered(Math.min(base, settings.maxBackoff().toMillis()));
    }

    private Duration jittered(double millis) {
        double jittered = millis * (1 + settings.jitter() * (2 * random.nextDouble() - 1));
        return Duration.ofMillis(Math.max(0, Math.round(jittered)));
    }

    /** "5 min", "90 s": a wait as a person reads it. */
    private static String words(Duration wait) {
        long seconds = wait.toSeconds();
        return seconds >= 120 && seconds % 60 == 0 ? seconds / 60 + " min" : Math.max(seconds, 1) + " s";
    }

    private void lost(long forGeneration, String why) {
        if (drop(forGeneration)) {
            failed(generation(), ConnectionState.OFFLINE, why);
        }
    }

    private void lostToViolation(long forGeneration, String reason) {
        if (drop(forGeneration)) {
            violated(generation(), reason, null);
        }
    }

    /** Drops the session of that generation; false when it is not the current one (already dropped, or closed). */
    private boolean drop(long forGeneration) {
        synchronized (lock) {
            if (closed || forGeneration != generation || session == null) {
                return false;
            }
            generation++;
            dropSession();
            return true;
        }
    }

    // ---- while connected ------------------------------------------------------------------------

    private void onEvent(AgentEvent event, long forGeneration) {
        if (!current(forGeneration)) {
            return;
        }
        if (event instanceof AgentEvent.Heartbeat) {
            lastHeartbeat = clock.instant();
            if (state() == ConnectionState.STALE) {
                report(ConnectionState.ONLINE, Optional.empty());
            }
        } else if (reportsHidden && (event instanceof AgentEvent.State || event instanceof AgentEvent.Vip
                || event instanceof AgentEvent.Daemon || event instanceof AgentEvent.Maintenance
                || event instanceof AgentEvent.Config)) {
            return;
        } else if (event instanceof AgentEvent.State change) {
            fleet.applyInstance(AgentTranslation.instance(node, change), change.cause());
        } else if (event instanceof AgentEvent.Vip vip) {
            fleet.applyVip(AgentTranslation.vip(node, vip.vip()), !vip.action().equals("removed"));
        } else if (event instanceof AgentEvent.Daemon daemon && AgentTranslation.isGone(daemon)) {
            fleet.removeDaemon(node, daemon.daemon());
        } else if (event instanceof AgentEvent.Daemon daemon) {
            fleet.applyDaemon(AgentTranslation.daemon(node, daemon));
        } else if (event instanceof AgentEvent.Maintenance maintenance) {
            fleet.applyMaintenance(node, maintenance.daemon(), AgentTranslation.maintenance(maintenance.maintenance()));
        } else if (event instanceof AgentEvent.Config config) {
            fleet.configChanged(node, config.daemon());
        } else {
            // apply.step and unknown events belong to whoever asked (the editor), not to the fleet view
            sessionListeners.forEach(listener -> listener.accept(event));
            if (event instanceof AgentEvent.ApplyStepEvent step && "audit".equals(step.step().path("step").asText())) {
                refreshUnfinishedApplies(forGeneration);
            }
        }
    }

    /** After an apply ended on the node (it may have finished an unfinished one), the agent is asked again. */
    private void refreshUnfinishedApplies(long forGeneration) {
        Optional<AgentSession> current = session();
        current.ifPresent(s -> s.call("hello", s.json().createObjectNode()).thenAccept(answer -> {
            Optional<String> words;
            try {
                words = s.json().treeToValue(answer, Hello.class).unfinishedApplyWarning();
            } catch (JsonProcessingException | IllegalArgumentException e) {
                log.debug("{}: cannot read the agent's hello again: {}", node, e.toString());
                return;
            }
            synchronized (lock) {
                if (!current(forGeneration) || words.equals(unfinishedApplies)) {
                    return;
                }
                unfinishedApplies = words;
            }
            if (state() == ConnectionState.ONLINE) {
                report(ConnectionState.ONLINE, Optional.empty());
            }
        }));
    }

    private void startWatchdog(long forGeneration) {
        scheduleCheck(forGeneration, settings.staleAfter());
    }

    /**
     * The watchdog looks again only when the node would turn STALE (or be dropped) if no heartbeat
     * came meanwhile, rounded up to the next tick of a clock shared by every supervisor, so that one
     * timer wakeup checks all the sessions due by then. (Polling every staleAfter / 4, each session
     * at its own moment, woke the timer threads 285 times a second for 500 sessions; a wakeup costs
     * tens of microseconds.)
     */
    private void scheduleCheck(long forGeneration, Duration delay) {
        long wanted = Math.max(0, Math.min(delay.toMillis(), settings.dropAfter().toMillis()));
        long nowMillis = System.nanoTime() / 1_000_000;
        long millis = wanted + WATCHDOG_TICK_MILLIS - Math.floorMod(nowMillis + wanted, WATCHDOG_TICK_MILLIS);
        synchronized (lock) {
            if (closed || forGeneration != generation) {
                return;
            }
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            watchdog = scheduler.schedule(() -> checkHeartbeat(forGeneration), millis, TimeUnit.MILLISECONDS);
        }
    }

    private void checkHeartbeat(long forGeneration) {
        if (!current(forGeneration)) {
            return;
        }
        Duration silent = Duration.between(lastHeartbeat, clock.instant());
        if (silent.compareTo(settings.dropAfter()) >= 0) {
            lost(forGeneration, "no heartbeat for " + silent.toSeconds() + " s");
            return;
        }
        if (silent.compareTo(settings.staleAfter()) >= 0) {
            if (state() == ConnectionState.ONLINE) {
                report(ConnectionState.STALE, Optional.of("no heartbeat for " + silent.toSeconds() + " s"));
            }
            scheduleCheck(forGeneration, settings.dropAfter().minus(silent));
        } else {
            scheduleCheck(forGeneration, settings.staleAfter().minus(silent));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private void report(ConnectionState newState, Optional<String> error) {
        report(newState, error, Optional.empty());
    }

    private void report(ConnectionState newState, Optional<String> error, Optional<Exception> cause) {
        Optional<Hello> greeting;
        Optional<String> shown = error;
        Optional<String> readOnlyNow;
        synchronized (lock) {
            readOnlyNow = readOnly;
            state = newState;
            greeting = Optional.ofNullable(hello);
            if (newState == ConnectionState.ONLINE && error.isEmpty()) {
                // an apply an agent left unfinished stays in the node's status while it is online: it needs the operator;
                // so does a read-only session's reason
                List<String> notes = new ArrayList<>();
                readOnly.ifPresent(notes::add);
                unfinishedApplies.ifPresent(notes::add);
                shown = notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes));
            }
        }
        fleet.nodeStatus(new NodeStatus(node, newState, clock.instant(), shown,
                greeting.flatMap(Hello::keepalivedVersion), greeting.map(Hello::agentVersion), cause, readOnlyNow));
    }

    private boolean current(long forGeneration) {
        synchronized (lock) {
            return !closed && forGeneration == generation;
        }
    }

    private long generation() {
        synchronized (lock) {
            return generation;
        }
    }

    /** Caller holds the lock. */
    private void dropSession() {
        if (watchdog != null) {
            watchdog.cancel(false);
            watchdog = null;
        }
        AgentSession oldSession = session;
        SshConnection oldConnection = connection;
        session = null;
        connection = null;
        io.execute(() -> closeQuietly(oldSession, oldConnection));
    }

    private static void closeQuietly(AgentSession session, SshConnection connection) {
        if (session != null) {
            session.close();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
