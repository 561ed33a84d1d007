package org.keepwatch.app.bench.soak;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * What the soak's clients and the nodes' agents hold, sampled: this JVM (the app) by heap after a full GC, threads,
 * file descriptors and RSS; the status watcher's JVM by RSS, threads and descriptors; every agent process on the
 * machine (the lab's nodes are namespaces of it) by RSS, each followed by pid for as long as it lives.
 */
final class ResourceSampler {

    /** One sample; minutes since the soak began. */
    record Sample(double minute, long appHeapMb, int appThreads, int appFds, long appRssMb, long statusRssMb,
                  int statusThreads, int statusFds, int agents, long agentRssTotalMb, long agentRssMaxKb) {
    }

    /** One agent's RSS when first seen settled (a minute after it appeared) and when last seen. */
    record AgentLife(long pid, double firstMinute, long settledRssKb, double lastMinute, long lastRssKb) {
        double minutes() {
            return lastMinute - firstMinute;
        }
    }

    private static final double AGENT_SETTLE_MINUTES = 1.0;
    private final long startNanos;
    private final long statusPid;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<Long, AgentLife> agents = new HashMap<>();

    ResourceSampler(long startNanos, long statusPid) {
        this.startNanos = startNanos;
        this.statusPid = statusPid;
    }

    synchronized Sample sample() {
        double minute = (System.nanoTime() - startNanos) / 60e9;
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        long self = ProcessHandle.current().pid();
        Map<Long, Long> agentRss = agentRss();
        agentRss.forEach((pid, rss) -> agents.compute(pid, (p, life) -> life == null
                ? new AgentLife(pid, minute, -1, minute, rss)
                : new AgentLife(pid, life.firstMinute(), life.settledRssKb() < 0
                        && minute - life.firstMinute() >= AGENT_SETTLE_MINUTES ? rss : life.settledRssKb(), minute, rss)));
        Sample sample = new Sample(minute, heap, ManagementFactory.getThreadMXBean().getThreadCount(), fds(self),
                status(self, "VmRSS").orElse(0) >> 10, status(statusPid, "VmRSS").orElse(0) >> 10,
                (int) status(statusPid, "Threads").orElse(0), fds(statusPid), agentRss.size(),
                agentRss.values().stream().mapToLong(Long::longValue).sum() >> 10,
                agentRss.values().stream().mapToLong(Long::longValue).max().orElse(0));
        samples.add(sample);
        return sample;
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Agents that lived long enough to say whether they grow: settled at least {@code minutes} before they were last seen. */
    synchronized List<AgentLife> longLivedAgents(double minutes) {
        return agents.values().stream().filter(a -> a.settledRssKb() > 0
                && a.lastMinute() - a.firstMinute() - AGENT_SETTLE_MINUTES >= minutes).toList();
    }

    synchronized int agentsSeen() {
        return agents.size();
    }

    /** RSS in kB of every Keepwatch agent process on this machine (any namespace), by pid. */
    private static Map<Long, Long> agentRss() {
        Map<Long, Long> found = new HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains("keepwatch/agent-") && cmdline.contains("serve")) {
                        long pid = Long.parseLong(p.getFileName().toString());
                        status(pid, "VmRSS").ifPresent(rss -> found.put(pid, rss));
                    }
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we looked
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /** A number field of /proc/PID/status (VmRSS in kB, Threads). */
    private static OptionalLong status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return OptionalLong.of(Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // ended
        }
        return OptionalLong.empty();
    }

    private static int fds(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
