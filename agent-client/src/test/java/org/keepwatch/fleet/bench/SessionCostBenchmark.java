package org.keepwatch.fleet.bench;

import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.lab.Lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Target: 500 live sessions (100 per lab node, each a real agent sending heartbeats every 2 s)
 * cost this JVM under 5% of one core: its own CPU time over a steady window, divided by the
 * window's wall time. Events are drained once a second: a view's frame-rate drain costs the same
 * with or without sessions, so it is no part of what the sessions cost.
 */
final class SessionCostBenchmark {

    private final Lab lab;
    private final int copies;
    private final Duration settle;
    private final Duration window;
    private final Duration slice;
    private final AtomicLong events = new AtomicLong();
    private final AtomicInteger online = new AtomicInteger();
    private final AtomicInteger leftOnline = new AtomicInteger();

    SessionCostBenchmark(Lab lab, int copies, Duration settle, Duration window, Duration slice) {
        this.lab = lab;
        this.copies = copies;
        this.settle = settle;
        this.window = window;
        this.slice = slice;
    }

    void run() throws Exception {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(60));
        RemoteAgents.awaitAtMost(0, Duration.ofSeconds(30));
        Fleet fleet = LabFleets.replicated(lab.fleetFile(), copies);
        int size = fleet.nodes().size();
        FleetState state = BenchMonitors.newState();
        try (EventTap tap = new EventTap(state, Duration.ofSeconds(1), r -> count(r.event(), size));
             FleetMonitor monitor = BenchMonitors.create(state)) {
            long start = System.nanoTime();
            monitor.watch(fleet);
            BenchReport.await(Duration.ofSeconds(300), size + " nodes ONLINE", () -> onlineNow(state) == size);
            BenchReport.line("%d sessions ONLINE after %.1f s; remote: %s", size, (System.nanoTime() - start) / 1e9,
                    RemoteAgents.census());
            Thread.sleep(settle.toMillis());
            BenchReport.line("steady: threads %d %s", JvmUsage.threadCount(), JvmUsage.threadsByKind());
            BenchReport.line("steady: live heap %.1f MB (committed %.0f MB)", JvmUsage.liveHeapMb(), JvmUsage.committedHeapMb());
            Thread.sleep(2000); // the collection's own CPU falls outside the window
            long events0 = events.get();
            int left0 = leftOnline.get();
            double percent = measure();
            BenchReport.line("window: %d fleet events, %d times a node left ONLINE, ONLINE at the end: %d of %d",
                    events.get() - events0, leftOnline.get() - left0, onlineNow(state), size);
            BenchReport.line("target < 5%% of a core: %s", percent < 5 ? "met" : "MISSED");
            if (tap.overflowed()) {
                throw new IllegalStateException("the tap fell behind: events were dropped");
            }
        }
    }

    /** This JVM's CPU over the window, in slices to show the spread, and by thread kind; returns percent of a core. */
    private double measure() throws Exception {
        List<String> slices = new ArrayList<>();
        Map<String, Long> threadsBefore = JvmUsage.cpuByKind();
        MachineCpu machineBefore = MachineCpu.now();
        long cpuBefore = JvmUsage.processCpuNanos();
        long wallBefore = System.nanoTime();
        long sliceCpu = cpuBefore;
        long sliceWall = wallBefore;
        while (sliceWall - wallBefore < window.toNanos()) {
            Thread.sleep(slice.toMillis());
            long cpu = JvmUsage.processCpuNanos();
            long wall = System.nanoTime();
            slices.add(String.format(Locale.ROOT, "%.2f", 100.0 * (cpu - sliceCpu) / (wall - sliceWall)));
            sliceCpu = cpu;
            sliceWall = wall;
        }
        MachineCpu machine = MachineCpu.now();
        Map<String, Long> threadsAfter = JvmUsage.cpuByKind();
        long cpu = sliceCpu - cpuBefore;
        long wall = sliceWall - wallBefore;
        double percent = 100.0 * cpu / wall;
        BenchReport.line("window %.1f s: CPU %.2f s = %.2f%% of one core; per %d s slice: %s; machine %.0f%% busy, load %s",
                wall / 1e9, cpu / 1e9, percent, slice.toSeconds(), slices, machine.busyPercentSince(machineBefore),
                BenchReport.loadAverage());
        Map<String, Long> byKind = new HashMap<>();
        threadsAfter.forEach((kind, nanos) -> byKind.put(kind, (nanos - threadsBefore.getOrDefault(kind, 0L)) / 1_000_000));
        // What no Java thread accounts for: garbage collection, the JIT, the VM's own threads.
        byKind.put("(GC, JIT, VM)", cpu / 1_000_000 - byKind.values().stream().mapToLong(Long::longValue).sum());
        BenchReport.line("window: CPU by thread kind (ms): %s", byKind.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).map(e -> e.getKey() + "=" + e.getValue())
                .toList());
        return percent;
    }

    private void count(FleetEvent event, int size) {
        events.incrementAndGet();
        if (event instanceof FleetEvent.NodeChanged n) {
            if (n.status().connection() == ConnectionState.ONLINE) {
                online.incrementAndGet();
            } else if (online.get() >= size) {
                leftOnline.incrementAndGet();
            }
        }
    }

    private static long onlineNow(FleetState state) {
        return state.nodes().stream().filter(s -> s.connection() == ConnectionState.ONLINE).count();
    }
}
