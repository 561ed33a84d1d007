package org.keepwatch.app.bench;

import javafx.application.Platform;
import javafx.scene.control.TabPane;
import javafx.stage.Stage;
import org.keepwatch.app.AppWindow;
import org.keepwatch.app.pulse.PulseStatistics;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.NodeReport;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.VipObservation;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The app's scale target (issue 6): 500 nodes with 10,000 VRRP instances in one real window, 1,000
 * state events a second pouring in; the FX thread must stay under 30% busy, no pulse may take over
 * 50 ms, the heap under 512 MB. Not a test: run it under a display (Xvfb) with the command in
 * docs/benchmarks.md. The events come from a feeder thread into a real FleetState, exactly as the
 * node supervisors feed it; everything after that is the app's real code path.
 *
 * <p>With {@code --history sqlite|postgresql} (issue 17) the fleet records into a real history store, as the app
 * does, and every update the feeder sends is a state transition, so the store takes at least that many events a
 * second (each also changes its router's verdict): the pulse target must hold while it does.
 *
 * {@code --history none} sends the same transitions into a fleet that records nothing: the baseline.
 *
 * <pre>UiScaleBenchmark [EVENTS_PER_SECOND [SECONDS]] [--history none|sqlite|postgresql]</pre>
 */
public final class UiScaleBenchmark {

    private static final int NODES = 500;
    private static final int INSTANCES_PER_NODE = 20;
    private static final int EVENTS_PER_SECOND = 1000;
    private static final Duration WARMUP = Duration.ofSeconds(15);
    private static final Duration MEASURE = Duration.ofSeconds(60);

    private UiScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Optional<String> historyKind = Optional.empty();
        for (int a = 0; a < args.length; a++) {
            if (args[a].equals("--history") && a + 1 < args.length) {
                historyKind = Optional.of(args[++a]);
            } else {
                positional.add(args[a]);
            }
        }
        int eventsPerSecond = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : EVENTS_PER_SECOND;
        Duration measure = positional.size() > 1 ? Duration.ofSeconds(Long.parseLong(positional.get(1))) : MEASURE;
        // "none": the same transitions, recorded nowhere (the baseline the store's cost is read against)
        Optional<HistoryStore> history = historyKind.filter(k -> !k.equals("none")).map(UiScaleBenchmark::openHistory);
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        // The app's theme, as KeepwatchApp sets it: the app's stylesheet looks up its colours there.
        Platform.runLater(() -> javafx.application.Application.setUserAgentStylesheet(
                new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet()));

        Clock clock = Clock.systemUTC();
        FleetService service = history.isPresent()
                ? new FleetService(clock, Runnable::run, null, history.get())
                : new FleetService(clock, Runnable::run, null);
        Fleet fleet = Fleet.empty();
        for (int n = 0; n < NODES; n++) {
            // A pair of nodes per network: each pair runs its own 20 routers.
            fleet = fleet.withNode(FleetNode.of(node(n), "pair" + (n / 2), ConnectionSettings.NONE));
        }
        service.watch(fleet, null);
        FleetState state = service.state();
        populate(state, clock);
        System.out.printf("fleet: %d nodes, %d instances, %d routers%n", state.nodes().size(),
                state.instances().size(), state.routers().size());

        PulseClock pulseClock = new PulseClock();
        AtomicReference<AppWindow> window = new AtomicReference<>();
        AtomicReference<Thread> fxThread = new AtomicReference<>();
        CountDownLatch shown = new CountDownLatch(1);
        Platform.runLater(() -> {
            AppWindow w = new AppWindow(service, clock, Runnable::run, alarm -> { }, node -> { },
                    new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
            Stage stage = new Stage();
            stage.setScene(w.scene());
            stage.setTitle("Keepwatch scale benchmark");
            stage.show();
            w.model().fleetOpened("scale");
            ((TabPane) w.scene().lookup(".tab-pane")).getSelectionModel().select(1); // Instances: 10,000 rows
            pulseClock.install(w.scene());  // before the app's pulse handler, so it times that too
            w.pulse().start();
            window.set(w);
            fxThread.set(Thread.currentThread());
            shown.countDown();
        });
        shown.await();

        Feeder feeder = new Feeder(state, clock, eventsPerSecond, historyKind.isPresent());
        Thread feed = new Thread(feeder, "event-feeder");
        feed.setDaemon(true);
        feed.start();

        Thread.sleep(WARMUP.toMillis());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long fxId = fxThread.get().getId();
        long cpuBefore = threads.getThreadCpuTime(fxId);
        long eventsBefore = feeder.sent();
        long writtenBefore = history.map(h -> h.status().written()).orElse(0L);
        window.get().pulse().statistics().snapshotAndReset();
        pulseClock.reset();
        long wallBefore = System.nanoTime();
        Thread.sleep(measure.toMillis());
        long wall = System.nanoTime() - wallBefore;
        long cpu = threads.getThreadCpuTime(fxId) - cpuBefore;
        long events = feeder.sent() - eventsBefore;
        PulseStatistics.Snapshot pulses = window.get().pulse().statistics().snapshotAndReset();
        List<long[]> pulseTimes = pulseClock.reset();
        feeder.stop();
        long writtenDuring = history.map(h -> h.status().written()).orElse(0L) - writtenBefore;

        System.gc();
        Thread.sleep(500);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        ThreadInfo info = threads.getThreadInfo(fxId);
        System.out.printf("measured %.1f s: %d events fed (%.0f/s), %d pulses%n", wall / 1e9, events, events / (wall / 1e9),
                pulses.pulses());
        System.out.printf("FX thread busy: %.1f%% of one core (CPU time %.2f s)%n", 100.0 * cpu / wall, cpu / 1e9);
        System.out.printf("fleet batches applied on the FX thread: %.1f%% of wall time, longest %.1f ms%n",
                100.0 * pulses.workNanos() / wall, pulses.longestWorkNanos() / 1e6);
        System.out.printf("longest gap between pulses: %.1f ms%n", pulses.longestGapNanos() / 1e6);
        System.out.println(PulseClock.summary("FX part of each pulse (animation, CSS, layout), wall", pulseTimes, 0));
        System.out.println(PulseClock.summary("FX part of each pulse, FX thread CPU", pulseTimes, 1));
        System.out.printf("load average at the end: %s%n", loadAverage());
        System.out.printf("heap after GC: %.0f MB (max %d MB)%n", heap / 1024.0 / 1024.0,
                Runtime.getRuntime().maxMemory() / 1024 / 1024);
        System.out.printf("FX thread state at the end: %s%n", info == null ? "?" : info.getThreadState());
        if (history.isPresent()) {
            HistoryStore store = history.get();
            long lagStart = System.nanoTime();
            boolean caughtUp = store.flush(Duration.ofMinutes(2));
            HistoryStore.Status status = store.status();
            System.out.printf("history (%s): %d events written while measured (%.0f/s), %d dropped in all, "
                            + "writer %s %.0f ms after the feeder stopped, %d events in the store%n",
                    status.where(), writtenDuring, writtenDuring / (wall / 1e9), status.dropped(),
                    caughtUp ? "caught up" : "still behind", (System.nanoTime() - lagStart) / 1e6,
                    status.written());
            store.close();
        }
        Platform.exit();
        System.exit(0);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /**
     * Times the FX thread's share of each pulse: from the first animation timer (this one, started
     * before the app's) to the scene's post-layout listener; rendering runs on its own thread after.
     * Wall time includes the thread being preempted on a busy machine; its CPU time does not.
     */
    private static final class PulseClock {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final List<long[]> times = new ArrayList<>();
        private long startWall;
        private long startCpu;

        void install(javafx.scene.Scene scene) {
            new javafx.animation.AnimationTimer() {
                @Override
                public void handle(long now) {
                    startWall = System.nanoTime();
                    startCpu = threads.getCurrentThreadCpuTime();
                }
            }.start();
            scene.addPostLayoutPulseListener(() -> {
                if (startWall != 0) {
                    long[] t = {System.nanoTime() - startWall, threads.getCurrentThreadCpuTime() - startCpu};
                    synchronized (times) {
                        times.add(t);
                    }
                    startWall = 0;
                }
            });
        }

        List<long[]> reset() {
            synchronized (times) {
                List<long[]> copy = new ArrayList<>(times);
                times.clear();
                return copy;
            }
        }

        static String summary(String what, List<long[]> times, int index) {
            long[] sorted = times.stream().mapToLong(t -> t[index]).sorted().toArray();
            if (sorted.length == 0) {
                return what + ": no pulses";
            }
            long over = java.util.Arrays.stream(sorted).filter(v -> v > 50_000_000L).count();
            return String.format("%s: n=%d p50=%.1f p99=%.1f max=%.1f ms, over 50 ms: %d", what, sorted.length,
                    sorted[sorted.length / 2] / 1e6, sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6,
                    sorted[sorted.length - 1] / 1e6, over);
        }
    }

    /** A store in a throwaway place: a SQLite file in a temporary directory, or a database of a throwaway server. */
    private static HistoryStore openHistory(String kind) {
        try {
            String url = switch (kind) {
                case "sqlite" -> "jdbc:sqlite:" + java.nio.file.Files.createTempDirectory("kw-ui-history-").resolve("history.db");
                case "postgresql" -> org.keepwatch.testing.PostgresServer.newDatabase();
                default -> throw new IllegalArgumentException("--history takes sqlite or postgresql, not " + kind);
            };
            return HistoryStore.openNow(HistorySettings.of(url), Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String node(int n) {
        return "node" + n;
    }

    /** Nodes in pairs; each pair runs 20 routers, one instance on each node, masters split between the two. */
    static void populate(FleetState state, Clock clock) {
        Instant now = clock.instant();
        for (int n = 0; n < NODES; n++) {
            state.nodeStatus(new NodeStatus(node(n), ConnectionState.ONLINE, now, Optional.empty(), Optional.of("2.2.7"),
                    Optional.of("0.1.0")));
            List<InstanceObservation> instances = new ArrayList<>();
            List<VipObservation> vips = new ArrayList<>();
            for (int i = 0; i < INSTANCES_PER_NODE; i++) {
                boolean master = (n % 2 == 0) == (i % 2 == 0);
                String vip = vip(n / 2, i);
                instances.add(instance(node(n), i, master ? VrrpState.MASTER : VrrpState.BACKUP, master ? 150 : 100, vip, 0));
                if (master) {
                    vips.add(new VipObservation(node(n), "", vip, "eth0", Optional.of("keepalived"), Optional.of("VI_" + i), false));
                }
            }
            state.applyReport(new NodeReport(node(n), now, List.of(new DaemonObservation(node(n), "keepalived", "", org.keepwatch.fleet.DaemonStatus.RUNNING,
                    Optional.empty())), instances, vips));
        }
        state.drainEvents();
    }

    static String vip(int pair, int instance) {
        return "10." + (pair / 250) + "." + (pair % 250) + "." + (instance + 1);
    }

    static InstanceObservation instance(String node, int i, VrrpState state, int priority, String vip, long adverts) {
        return new InstanceObservation(node, "keepalived", "", "VI_" + i, 1 + i, "eth0", state, priority, priority,
                List.of(vip), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.of(Instant.now()),
                new InstanceStats(adverts, adverts, 1, 0, 0));
    }

    /** 1,000 events a second: mostly counters and priorities, some state changes, like a busy fleet. */
    private static final class Feeder implements Runnable {
        private final FleetState state;
        private final int perSecond;
        private final Random random = new Random(42);
        private final boolean everyUpdateATransition;
        private final boolean[][] flipped = new boolean[NODES][INSTANCES_PER_NODE];
        private volatile boolean running = true;
        private volatile long sent;

        Feeder(FleetState state, Clock clock, int perSecond, boolean everyUpdateATransition) {
            this.state = state;
            this.perSecond = perSecond;
            this.everyUpdateATransition = everyUpdateATransition;
        }

        long sent() {
            return sent;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            long interval = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            long adverts = 0;
            while (running) {
                int n = random.nextInt(NODES);
                int i = random.nextInt(INSTANCES_PER_NODE);
                boolean master = (n % 2 == 0) == (i % 2 == 0);
                boolean flip;
                if (everyUpdateATransition) {
                    // each update turns the instance over: MASTER ↔ BACKUP, so the history records every one
                    flipped[n][i] = !flipped[n][i];
                    flip = flipped[n][i];
                } else {
                    flip = random.nextInt(20) == 0;
                }
                VrrpState s = master != flip ? VrrpState.MASTER : VrrpState.BACKUP;
                state.applyInstance(instance(node(n), i, s, (master ? 150 : 100) - random.nextInt(3), vip(n / 2, i), ++adverts),
                        flip ? "flap" : "advert");
                sent++;
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }
}
