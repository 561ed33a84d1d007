package org.keepwatch.fleet.bench;

import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.lab.Lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Target: 100 node sessions connected (SSH, agent deployed or verified by hash, started, greeted,
 * subscribed) and their first snapshots applied in under 5 s, from {@link FleetMonitor#watch} until
 * every node is ONLINE (a node turns ONLINE only after its snapshot is in the FleetState).
 *
 * <p>The fleet is the lab's five nodes 20 times over. Every round is a new FleetMonitor in this
 * JVM; round 1 is the cold start an operator sees when the app opens.
 */
final class ConnectBenchmark {

    private final Lab lab;
    private final int copies;
    private final int rounds;

    ConnectBenchmark(Lab lab, int copies, int rounds) {
        this.lab = lab;
        this.copies = copies;
        this.rounds = rounds;
    }

    void run() throws Exception {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(60));
        Fleet fleet = LabFleets.replicated(lab.fleetFile(), copies);
        int size = fleet.nodes().size();
        List<Double> totals = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            RemoteAgents.awaitAtMost(0, Duration.ofSeconds(30));
            BenchReport.line("round %d: %d nodes, load %s", round, size, BenchReport.loadAverage());
            double total = connectOnce(fleet);
            totals.add(total);
        }
        BenchReport.line("all %d ONLINE, per round (ms): %s", size, totals);
        Percentiles spread = new Percentiles(totals);
        BenchReport.line("target < 5000 ms: cold (round 1) %.0f ms %s; worst %.0f ms %s", totals.get(0),
                totals.get(0) < 5000 ? "met" : "MISSED", spread.max(), spread.max() < 5000 ? "met" : "MISSED");
    }

    private double connectOnce(Fleet fleet) throws Exception {
        FleetState state = BenchMonitors.newState();
        Map<String, Long> online = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        Map<String, String> errors = new ConcurrentHashMap<>();
        int size = fleet.nodes().size();
        long start;
        // Drained once a frame, as a view would: a finer tap would cost this JVM more than connecting does.
        try (EventTap tap = new EventTap(state, Duration.ofMillis(16), r -> {
                if (r.event() instanceof FleetEvent.NodeChanged n) {
                    if (n.status().connection() == ConnectionState.ONLINE) {
                        online.putIfAbsent(n.status().node(), r.nanos());
                    } else if (n.status().connection() != ConnectionState.CONNECTING) {
                        failures.incrementAndGet();
                        n.status().lastError().ifPresent(e -> errors.putIfAbsent(n.status().node(), e));
                    }
                }
            });
             FleetMonitor monitor = BenchMonitors.create(state)) {
            RemoteAgents.Census remoteBefore = RemoteAgents.census();
            MachineCpu machineBefore = MachineCpu.now();
            long jvmBefore = JvmUsage.processCpuNanos();
            start = System.nanoTime();
            monitor.watch(fleet);
            BenchReport.await(Duration.ofSeconds(120), size + " nodes ONLINE", () -> online.size() == size);
            MachineCpu machine = MachineCpu.now();
            long jvm = JvmUsage.processCpuNanos();
            RemoteAgents.Census remote = RemoteAgents.census();
            Percentiles perNode = new Percentiles(online.values().stream().map(t -> (t - start) / 1e6).toList());
            BenchReport.line("  every node ONLINE after %.0f ms; per node: %s; failed attempts: %d", perNode.max(),
                    perNode.summary(), failures.get());
            errors.entrySet().stream().limit(5).forEach(e -> BenchReport.line("  e.g. %s: %s", e.getKey(), e.getValue()));
            // Where the time went: the lab's nodes share this machine's cores with the workstation.
            BenchReport.line("  CPU meanwhile: machine %.1f s (%.0f%% busy), this JVM %.1f s, agents %.1f s, session sshd %.1f s",
                    machine.busySecondsSince(machineBefore), machine.busyPercentSince(machineBefore), (jvm - jvmBefore) / 1e9,
                    remote.agentCpuSeconds() - remoteBefore.agentCpuSeconds(), remote.sshdCpuSeconds() - remoteBefore.sshdCpuSeconds());
            BenchReport.line("  remote: %s", remote);
            return perNode.max();
        }
    }
}
