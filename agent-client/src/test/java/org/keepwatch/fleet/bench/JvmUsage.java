package org.keepwatch.fleet.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.TreeMap;

/** This JVM's own cost: CPU time, threads and heap. */
final class JvmUsage {

    private JvmUsage() {
    }

    /** CPU time of every thread of this process, user and system, in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static int threadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Live threads by kind (their name without the session's address or number). */
    static Map<String, Integer> threadsByKind() {
        Map<String, Integer> kinds = new TreeMap<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            kinds.merge(kind(thread.getName()), 1, Integer::sum);
        }
        return kinds;
    }

    /** CPU time so far of every live thread, summed by kind, in nanoseconds. */
    static Map<String, Long> cpuByKind() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> kinds = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    kinds.merge(kind(info.getThreadName()), cpu, Long::sum);
                }
            }
        }
        return kinds;
    }

    private static String kind(String name) {
        return name.replaceAll("\\d+", "#").replaceAll("^agent-.*-log$", "agent-*-log")
                .replaceAll("^agent-(?!\\*).*$", "agent-*").replaceAll("^sshj-Reader-.*$", "sshj-Reader-*");
    }

    /** Heap in use after a full collection, in MB: what the sessions hold, not garbage. */
    static double liveHeapMb() {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed() / 1048576.0;
    }

    static double committedHeapMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1048576.0;
    }
}
