package org.keepwatch.fleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The remote ends of the lab's sessions, seen from the root PID namespace (the nodes' PID
 * namespaces are its children, so their processes are in this /proc too): the agents and the
 * sshd processes serving them, with their resident memory and CPU time (their reaped children
 * included, e.g. the agent's keepalived probes and sshd's pre-authentication process).
 */
final class RemoteAgents {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    /** How many agents and session sshd processes run, their memory, and the CPU they used so far. */
    record Census(int agents, long agentRssKb, double agentCpuSeconds, int sshds, double sshdCpuSeconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d agents (%.0f MB RSS, %.1f s CPU), %d session sshd (%.1f s CPU)", agents,
                    agentRssKb / 1024.0, agentCpuSeconds, sshds, sshdCpuSeconds);
        }
    }

    private RemoteAgents() {
    }

    static Census census() throws IOException {
        int agents = 0;
        long rss = 0;
        double agentCpu = 0;
        int sshds = 0;
        double sshdCpu = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                try {
                    String cmdline = new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains("keepwatch/agent-") && cmdline.endsWith("serve\0")) {
                        agents++;
                        rss += rssKb(process);
                        agentCpu += cpuSeconds(process);
                    } else if (cmdline.startsWith("sshd: root@notty")) {
                        sshds++;
                        sshdCpu += cpuSeconds(process);
                    }
                } catch (IOException | RuntimeException e) {
                    // ended while we looked
                }
            }
        }
        return new Census(agents, rss, agentCpu, sshds, sshdCpu);
    }

    /** Waits until at most {@code count} agents run (sessions closed by a previous run have ended). */
    static void awaitAtMost(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (census().agents() > count && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static long rssKb(Path process) throws IOException {
        for (String line : Files.readAllLines(process.resolve("status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return 0;
    }

    /** utime + stime + cutime + cstime from /proc/PID/stat. */
    private static double cpuSeconds(Path process) throws IOException {
        String stat = Files.readString(process.resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is the state (field 3); utime is field 14
        long ticks = 0;
        for (int field = 14; field <= 17; field++) {
            ticks += Long.parseLong(fields[field - 3]);
        }
        return ticks / TICKS_PER_SECOND;
    }
}
