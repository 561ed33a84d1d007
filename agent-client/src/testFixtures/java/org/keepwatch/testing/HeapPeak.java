package org.keepwatch.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * How much the heap outside the young generation grew at its peak while a test ran: where an array of megabytes
 * lands (G1's humongous regions count as old). The young generation is left out because it fills and empties with
 * short-lived garbage whatever the test does. Measures this whole JVM, so run nothing else meanwhile.
 */
public final class HeapPeak {

    private final List<MemoryPoolMXBean> pools;
    private final long baseline;

    private HeapPeak(List<MemoryPoolMXBean> pools, long baseline) {
        this.pools = pools;
        this.baseline = baseline;
    }

    /** Collects garbage, then starts watching from what is left in use. */
    public static HeapPeak start() {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(HeapPeak::isOld)
                .toList();
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean pool : pools) {
            pool.resetPeakUsage();
            used += pool.getUsage().getUsed();
        }
        return new HeapPeak(pools, used);
    }

    private static boolean isOld(MemoryPoolMXBean pool) {
        String name = pool.getName();
        return pool.getType() == MemoryType.HEAP && !name.contains("Eden") && !name.contains("Survivor");
    }

    /** The highest use seen since {@link #start()}, less what was in use then, in bytes. */
    public long growth() {
        long peak = 0;
        for (MemoryPoolMXBean pool : pools) {
            peak += pool.getPeakUsage().getUsed();
        }
        return Math.max(0, peak - baseline);
    }
}
