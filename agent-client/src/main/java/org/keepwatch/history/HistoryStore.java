package org.keepwatch.history;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The history: what happened to the fleet, what changed and who did it, kept in a database (SQLite by default,
 * PostgreSQL to share it), ADR 0015.
 *
 * <p>Writing never holds up the caller: {@link #event}, {@link #action} and {@link #record} put what they are given
 * in a bounded queue and return; one writer thread takes it out in batches of up to {@value #BATCH} and writes each
 * batch in one transaction. When the queue is full (the database stalls, or more comes than it takes) what does not
 * fit is dropped, counted, and the gap is written as an event of its own once there is room ("N events were not
 * kept between T1 and T2"): the fleet engine and the FX thread never wait for the disk.
 *
 * <p>Opening happens on the writer thread too, so a front end starts at once; a database that cannot be opened
 * (damaged, locked by another program, a server that does not answer) is {@link Status#problem() reported} and the
 * store keeps nothing from then on: watching the fleet goes on without history.
 */
public final class HistoryStore implements FleetJournal, AutoCloseable {

    public enum State { OPENING, OPEN, FAILED, CLOSED }

    /** How the history is doing, for a status line: where it is, whether it works and what it lost. */
    public record Status(State state, String where, Optional<String> problem, long written, long dropped) {
    }

    static final int BATCH = 2_000;
    private static final Logger log = LoggerFactory.getLogger(HistoryStore.class);
    private static final Duration RETENTION_EVERY = Duration.ofHours(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 3;

    private final HistorySettings settings;
    private final Clock clock;
    private final Consumer<String> problems;
    private final BlockingQueue<Object> queue;
    private final CompletableFuture<Database> database = new CompletableFuture<>();
    private final Thread writer;
    private final HistoryRecorder recorder = new HistoryRecorder();
    private final AtomicReference<State> state = new AtomicReference<>(State.OPENING);
    private final AtomicReference<String> problem = new AtomicReference<>();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedSinceGap = new AtomicLong();
    private final AtomicReference<Instant> gapFrom = new AtomicReference<>();
    private volatile ConfigWatch configWatch;
    private volatile boolean closing;

    private HistoryStore(HistorySettings settings, Clock clock, Consumer<String> problems) {
        this.settings = settings;
        this.clock = clock;
        this.problems = problems;
        this.queue = new ArrayBlockingQueue<>(settings.queue());
        this.writer = new Thread(this::run, "history-writer");
        writer.setDaemon(true);
    }

    /**
     * The history of these settings, opened on its own thread: returns at once. {@code problems} hears, in words
     * naming the database, why it could not be opened or written (once per problem).
     */
    public static HistoryStore open(HistorySettings settings, Clock clock, Consumer<String> problems) {
        HistoryStore store = new HistoryStore(settings, clock, problems);
        store.writer.start();
        return store;
    }

    /** Opens and waits until it is open; fails with the reason (the CLI's history and report, tests). */
    public static HistoryStore openNow(HistorySettings settings, Clock clock) {
        HistoryStore store = open(settings, clock, p -> { });
        try {
            store.ready();
            return store;
        } catch (HistoryException e) {
            store.close();
            throw e;
        }
    }

    public Status status() {
        return new Status(state.get(), Database.describe(settings.url()), Optional.ofNullable(problem.get()), written.get(),
                dropped.get());
    }

    public HistorySettings settings() {
        return settings;
    }

    // ---- writing: never blocks ----------------------------------------------------------------

    @Override
    public void event(FleetEvent event) {
        // most instance changes are counters and priorities: only state changes are history
        if (event instanceof FleetEvent.InstanceChanged changed && changed.before().isPresent()
                && changed.before().get().state() == changed.after().state()
                && changed.before().get().daemon().equals(changed.after().daemon())) {
            return;
        }
        offer(event);
        ConfigWatch watch = configWatch;
        if (watch != null) {
            watch.heard(event);
        }
    }

    @Override
    public void action(FleetAction action) {
        offer(action);
    }

    /** Keeps an event as it is (the benchmark; a front end's own note). */
    public void record(HistoryEvent event) {
        offer(event);
    }

    /** A daemon's configuration as just read from its node: a new version is kept, and reported if not Keepwatch's. */
    public void configRead(String node, ConfigFiles files) {
        offer(new HistoryRecorder.ConfigRead(clock.instant(), node, files));
    }

    private void offer(Object item) {
        State now = state.get();
        if (now == State.FAILED || now == State.CLOSED) {
            return;
        }
        offered.incrementAndGet();
        if (!queue.offer(item)) {
            dropped.incrementAndGet();
            if (droppedSinceGap.getAndIncrement() == 0) {
                gapFrom.set(clock.instant());
            }
            done.incrementAndGet();
        }
    }

    /**
     * Reads every online node's configuration at connect, when its daemons change and every
     * {@link HistorySettings#configCheck()}, through {@code sessions} (the watched fleet's agents), so versions are kept
     * and hand edits noticed. One watch per store; a new call replaces the sessions (a new fleet opened).
     */
    public synchronized void watchConfigs(Function<String, Optional<AgentSession>> sessions) {
        if (configWatch == null) {
            configWatch = new ConfigWatch(this, sessions, settings.configCheck());
        } else {
            configWatch.use(sessions);
        }
    }

    /** Waits until everything handed to the store before this call is written (or dropped); false on timeout. */
    public boolean flush(Duration timeout) {
        long target = offered.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (done.get() < target) {
            if (System.nanoTime() > deadline || state.get() == State.FAILED || state.get() == State.CLOSED) {
                return done.get() >= target;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    // ---- reading ------------------------------------------------------------------------------

    /** One page of events; waits for the store to open. */
    public HistoryPage query(HistoryQuery query) {
        Database db = ready();
        try {
            return db.query(query);
        } catch (SQLException e) {
            throw new HistoryException(db.where() + ": reading the history failed: " + Database.explain(e), e);
        }
    }

    /** Every instance the history knows and its state at {@code at}. */
    public List<InstanceAsOf> asOf(Instant at) {
        Database db = ready();
        try {
            return db.asOf(at);
        } catch (SQLException e) {
            throw new HistoryException(db.where() + ": reading the fleet as of " + at + " failed: " + Database.explain(e), e);
        }
    }

    /** Every kept version of a node's configuration files, oldest first. */
    public List<ConfigVersion> configVersions(String node, Optional<String> daemon, Optional<String> path) {
        Database db = ready();
        try {
            return db.versions(node, daemon, path);
        } catch (SQLException e) {
            throw new HistoryException(db.where() + ": reading " + node + "'s configuration versions failed: " + Database.explain(e), e);
        }
    }

    /**
     * Every kept version of a node's configuration files, oldest first, each with who made it: the push or restore that
     * wrote it (operator, workstation, reason), a change outside Keepwatch, or the text first seen at connect.
     */
    public List<ConfigChange> configChanges(String node, Optional<String> daemon, Optional<String> path) {
        Database db = ready();
        try {
            return db.changes(node, daemon, path);
        } catch (SQLException e) {
            throw new HistoryException(db.where() + ": reading " + node + "'s configuration history failed: " + Database.explain(e), e);
        }
    }

    /** A configuration version's text, by its sha256. */
    public Optional<String> configText(String sha256) {
        Database db = ready();
        try {
            return db.text(sha256, false);
        } catch (SQLException e) {
            throw new HistoryException(db.where() + ": reading configuration " + sha256 + " failed: " + Database.explain(e), e);
        }
    }

    /** What the history takes on disk now. */
    public long size() {
        Database db = ready();
        synchronized (db) {
            try {
                return db.size();
            } catch (SQLException e) {
                throw new HistoryException(db.where() + ": " + Database.explain(e), e);
            }
        }
    }

    /** Applies the retention limits now (the writer does every hour); returns how many events were deleted. */
    public long retainNow() {
        CompletableFuture<Long> result = new CompletableFuture<>();
        offer(result);
        try {
            return result.get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistoryException("interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new HistoryException(Database.describe(settings.url()) + ": retention failed: " + e.getMessage(), e);
        }
    }

    private Database ready() {
        try {
            return database.get(settings.busyTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HistoryException("interrupted while opening the history");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HistoryException h ? h : new HistoryException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new HistoryException(Database.describe(settings.url()) + ": the history did not open in time");
        }
    }

    @Override
    public void close() {
        closing = true;
        ConfigWatch watch = configWatch;
        if (watch != null) {
            watch.close();
        }
        flush(CLOSE_WAIT);
        state.set(State.CLOSED);
        writer.interrupt();
        try {
            writer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        database.thenAccept(Database::close);
    }

    // ---- the writer thread --------------------------------------------------------------------

    private void run() {
        Database db;
        try {
            db = Database.open(settings);
        } catch (HistoryException e) {
            fail(e.getMessage());
            database.completeExceptionally(e);
            return;
        }
        state.compareAndSet(State.OPENING, State.OPEN);
        database.complete(db);
        Instant nextRetention = clock.instant();
        List<Object> batch = new ArrayList<>(BATCH);
        while (state.get() == State.OPEN || !queue.isEmpty() && !Thread.currentThread().isInterrupted()) {
            try {
                if (!clock.instant().isBefore(nextRetention)) {
                    retain(db, null);
                    nextRetention = clock.instant().plus(RETENTION_EVERY);
                }
                Object first = queue.poll(500, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        break;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(db, batch);
                done.addAndGet(batch.size());
                batch.clear();
            } catch (InterruptedException e) {
                if (queue.isEmpty()) {
                    break;
                }
            }
        }
    }

    private void write(Database db, List<Object> batch) throws InterruptedException {
        HistoryRecorder.Rows rows = new HistoryRecorder.Rows();
        long gap = droppedSinceGap.getAndSet(0);
        if (gap > 0) {
            rows.events.add(HistoryEvent.of(clock.instant(), HistoryEvent.Kind.GAP, null, gap + " events were not kept between "
                    + gapFrom.get() + " and " + clock.instant() + ": more came than the history could write"));
        }
        for (Object item : batch) {
            try {
                if (item instanceof FleetEvent event) {
                    recorder.event(event, rows);
                } else if (item instanceof FleetAction action) {
                    recorder.action(action, db, rows);
                } else if (item instanceof HistoryEvent event) {
                    rows.events.add(event);
                } else if (item instanceof HistoryRecorder.ConfigRead read) {
                    recorder.configRead(read, db, rows);
                } else if (item instanceof CompletableFuture<?> retention) {
                    retain(db, retention);
                }
            } catch (SQLException | RuntimeException e) {
                log.warn("history: {} not kept: {}", item.getClass().getSimpleName(), e.getMessage());
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                db.write(rows.events, rows.instances, rows.versions, rows.corrections);
                written.addAndGet(rows.events.size());
                if (problem.get() != null && state.get() == State.OPEN) {
                    problem.set(null);
                }
                return;
            } catch (SQLException e) {
                String why = db.where() + ": writing the history failed: " + Database.explain(e);
                if (attempt >= ATTEMPTS) {
                    report(why + "; " + rows.events.size() + " events were not kept");
                    dropped.addAndGet(rows.events.size());
                    return;
                }
                Thread.sleep(RETRY.toMillis() * attempt);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void retain(Database db, CompletableFuture<?> result) {
        try {
            long deleted = db.retain(clock.instant());
            if (result != null) {
                ((CompletableFuture<Long>) result).complete(deleted);
            }
        } catch (SQLException e) {
            report(db.where() + ": applying the retention limits failed: " + Database.explain(e));
            if (result != null) {
                result.completeExceptionally(e);
            }
        }
    }

    private void fail(String why) {
        state.set(State.FAILED);
        report(why + " (watching goes on without history)");
        queue.clear();
        done.set(offered.get());
    }

    private void report(String why) {
        if (!why.equals(problem.getAndSet(why))) {
            log.warn("history: {}", why);
            problems.accept(why);
        }
    }
}
