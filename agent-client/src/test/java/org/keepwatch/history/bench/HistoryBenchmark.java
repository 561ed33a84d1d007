package org.keepwatch.history.bench;

import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.testing.PostgresServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The history's targets (issue 17), on SQLite and on PostgreSQL side by side (docs/benchmarks.md, "History"):
 * <ol>
 *   <li>2,000 events a second sustained for 30 s, offered at that pace as the fleet engine offers them: none dropped,
 *       and how far behind the writer fell;</li>
 *   <li>a month of a 500-node fleet's typical events (the assumption below) written as fast as the store takes them:
 *       the rate, and the size on disk;</li>
 *   <li>one router's day of timeline (transitions, verdicts, alarms), read 50 times for random routers;</li>
 *   <li>the fleet as of a moment, 10,000 instances, read 20 times at random moments.</li>
 * </ol>
 * The month assumed: 500 nodes, 20 instances each (10,000 instances, 5,000 routers of two members); a day has two
 * transitions per instance (failovers, maintenance, flaps: 20,000), the first state of every instance at each of
 * two app starts (20,000), a verdict change for every failover (10,000), 3 connection changes per node per reconnect
 * and 4 reconnects (6,000), 500 daemon events, 200 alarms and 50 actions with a 2 KB diff: 56,750 events a day,
 * 1.7 million a month.
 *
 * <p>{@code --keep FILE} (SQLite only) writes the history into FILE and keeps it: a history of a known size for
 * measuring the app's launch with it (docs/benchmarks.md).
 *
 * <pre>java -cp $CP org.keepwatch.history.bench.HistoryBenchmark [sqlite|postgresql|both] [--days N] [--keep FILE]</pre>
 */
public final class HistoryBenchmark {

    private static final int NODES = 500;
    private static final int PER_NODE = 20;
    private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    private static final String DIFF = ("-    priority 100\n+    priority 120\n    advert_int 1\n").repeat(40);

    private HistoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 && !args[0].startsWith("--") ? args[0] : "both";
        int days = 30;
        Optional<Path> keep = Optional.empty();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--days")) {
                days = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--keep")) {
                keep = Optional.of(Path.of(args[i + 1]).toAbsolutePath());
            }
        }
        if (keep.isPresent() && !which.equals("sqlite")) {
            throw new IllegalArgumentException("--keep keeps a SQLite file: run it with sqlite");
        }
        List<String> kinds = which.equals("both") ? List.of("sqlite", "postgresql") : List.of(which);
        List<String> rows = new ArrayList<>();
        for (String kind : kinds) {
            rows.add(run(kind, days, keep));
        }
        System.out.println();
        System.out.println("| store | 2,000/s for 30 s: dropped, writer behind at most | fastest sustained (events/s) | "
                + days + " days: events, size | a router's day: median, p95 | as of, 10,000 instances: median, p95 |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    private static String run(String kind, int days, Optional<Path> keep) throws Exception {
        String url;
        Path directory = null;
        if (keep.isPresent()) {
            Files.createDirectories(keep.get().getParent());
            url = "jdbc:sqlite:" + keep.get();
        } else if (kind.equals("sqlite")) {
            directory = Files.createTempDirectory("kw-history-bench-");
            url = "jdbc:sqlite:" + directory.resolve("history.db");
        } else {
            url = PostgresServer.newDatabase();
        }
        HistorySettings settings = HistorySettings.of(url).withLimits(Duration.ofDays(3650), 100L * 1024 * 1024 * 1024);
        try (HistoryStore store = HistoryStore.openNow(settings, Clock.systemUTC())) {
            // 1. sustained at 2,000 a second, paced
            int rate = 2_000;
            int seconds = 30;
            long lagMax = 0;
            long begin = System.nanoTime();
            Random random = new Random(17);
            for (int s = 0; s < seconds; s++) {
                for (int i = 0; i < rate; i++) {
                    long due = begin + (long) ((s * (double) rate + i) * 1e9 / rate);
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    store.event(transition(random, START.minusSeconds(3600).plusMillis(s * 1000L + i)));
                }
                long before = System.nanoTime();
                store.flush(Duration.ofSeconds(30));
                lagMax = Math.max(lagMax, (System.nanoTime() - before) / 1_000_000);
                begin += System.nanoTime() - before; // the flush's wait is not the producer's time
            }
            long droppedPaced = store.status().dropped();
            // 2. a month, as fast as it takes it
            long written = 0;
            long t0 = System.nanoTime();
            int perDay = 56_750;
            for (int d = 0; d < days; d++) {
                Instant day = START.plus(Duration.ofDays(d));
                for (int i = 0; i < perDay; i++) {
                    Instant at = day.plusMillis((long) i * 86_400_000L / perDay);
                    offer(store, random, at, i);
                    written++;
                    if (written % 20_000 == 0) {
                        store.flush(Duration.ofMinutes(5)); // the bulk load waits instead of dropping
                    }
                }
            }
            store.flush(Duration.ofMinutes(10));
            double seconds2 = (System.nanoTime() - t0) / 1e9;
            long size = store.size();
            long fileSize = keep.isPresent() ? Files.size(keep.get())
                    : directory == null ? size : Files.size(directory.resolve("history.db"));
            // 3. a router's day
            List<Double> timeline = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String router = "dc1:" + (1 + random.nextInt(NODES * PER_NODE / 2));
                Instant day = START.plus(Duration.ofDays(random.nextInt(days)));
                long q0 = System.nanoTime();
                int n = store.query(HistoryQuery.all().oldestFirst().router(router).between(Optional.of(day), Optional.of(day.plus(Duration.ofDays(1))))
                        .kinds(Set.of(HistoryEvent.Kind.TRANSITION, HistoryEvent.Kind.VERDICT, HistoryEvent.Kind.ALARM))
                        .limit(HistoryQuery.MAX_LIMIT)).events().size();
                timeline.add((System.nanoTime() - q0) / 1e6);
                if (n == 0 && i == 0) {
                    System.out.println("(note: router " + router + " had no events that day)");
                }
            }
            // 4. as of
            List<Double> asOf = new ArrayList<>();
            int instances = 0;
            for (int i = 0; i < 20; i++) {
                Instant moment = START.plus(Duration.ofMinutes(random.nextInt(days * 1440)));
                long q0 = System.nanoTime();
                instances = store.asOf(moment).size();
                asOf.add((System.nanoTime() - q0) / 1e6);
            }
            String row = String.format(Locale.ROOT, "| %s | %d, %d ms | %,.0f | %,d, %s | %.1f ms, %.1f ms | %.0f ms, %.0f ms (%,d instances) |",
                    kind, droppedPaced, lagMax, written / seconds2, written, megabytes(size) + (directory == null && keep.isEmpty() ? "" : " (file " + megabytes(fileSize) + ")"),
                    percentile(timeline, 50), percentile(timeline, 95), percentile(asOf, 50), percentile(asOf, 95), instances);
            System.out.println(row);
            return row;
        } finally {
            if (directory != null) {
                try (var files = Files.walk(directory)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** One event of the month's mix, by its place in the day (see the class comment for the shares). */
    private static void offer(HistoryStore store, Random random, Instant at, int i) {
        int slot = i % 227; // 56,750 / 250: the day's mix repeated in blocks of 227
        if (slot < 160) {
            store.event(transition(random, at));
        } else if (slot < 200) {
            int router = 1 + random.nextInt(NODES * PER_NODE / 2);
            store.record(HistoryEvent.of(at, HistoryEvent.Kind.VERDICT, null, "VRID " + router + " (dc1): healthy → no redundancy")
                    .withRouter("dc1:" + router).withStates("HEALTHY", "NO_REDUNDANCY")
                    .withDetail("only n" + random.nextInt(NODES) + " is up (n" + random.nextInt(NODES) + " FAULT)"));
        } else if (slot < 224) {
            String node = "node-" + random.nextInt(NODES);
            store.record(HistoryEvent.of(at, HistoryEvent.Kind.CONNECTION, node, node + " offline: connection reset by peer")
                    .withStates("ONLINE", "OFFLINE"));
        } else if (slot < 226) {
            String node = "node-" + random.nextInt(NODES);
            store.record(HistoryEvent.of(at, HistoryEvent.Kind.DAEMON, node, node + " keepalived restarted").withDaemon("keepalived"));
        } else if (random.nextInt(4) == 0) {
            String node = "node-" + random.nextInt(NODES);
            store.record(HistoryEvent.of(at, HistoryEvent.Kind.PUSH, node, "alice@desk-7 pushed /etc/keepalived/keepalived.conf on "
                    + node + " (keepalived): done (applied)").withOperator("alice@desk-7").withDetail(DIFF));
        } else {
            int router = 1 + random.nextInt(NODES * PER_NODE / 2);
            store.record(HistoryEvent.of(at, HistoryEvent.Kind.ALARM, null, "VRID " + router + " (dc1): no master raised")
                    .withRouter("dc1:" + router).withStates(null, "NO_MASTER"));
        }
    }

    /** A state change of a random instance, as FleetState emits it (so the store learns the instance and its router). */
    private static FleetEvent transition(Random random, Instant at) {
        int node = random.nextInt(NODES);
        int instance = random.nextInt(PER_NODE);
        int vrid = 1 + (node / 2) * PER_NODE + instance; // nodes 2k and 2k+1 share their routers
        VrrpState[] states = {VrrpState.MASTER, VrrpState.BACKUP, VrrpState.FAULT};
        VrrpState from = states[random.nextInt(3)];
        VrrpState to = states[(Arrays.asList(states).indexOf(from) + 1 + random.nextInt(2)) % 3];
        InstanceObservation before = observation(node, instance, vrid, from, at);
        InstanceObservation after = observation(node, instance, vrid, to, at);
        return new FleetEvent.InstanceChanged(at, new RouterKey(RouterKey.Kind.VRRP, "dc1", Integer.toString(vrid)),
                Optional.of(before), after, "vrrp");
    }

    private static InstanceObservation observation(int node, int instance, int vrid, VrrpState state, Instant at) {
        return new InstanceObservation("node-" + node, "keepalived", "", "VI_" + instance, vrid, "eth0", state, 100, 100,
                List.of("10.1." + (vrid / 250) + "." + (vrid % 250)), List.of(), 1.0, 2, "PASS", false, List.of(),
                Optional.of(at.minusMillis(200)), InstanceStats.NONE);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1024.0 / 1024.0);
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
