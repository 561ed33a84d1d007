package org.keepwatch.fleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The whole machine's CPU time from /proc/stat: how busy the shared cores were over a span. */
final class MachineCpu {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final long busy;
    private final long total;

    private MachineCpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    static MachineCpu now() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= 8; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        return new MachineCpu(total - idle, total);
    }

    /** Busy CPU seconds of all cores between {@code earlier} and this. */
    double busySecondsSince(MachineCpu earlier) {
        return (busy - earlier.busy) / TICKS_PER_SECOND;
    }

    /** How busy all cores together were between {@code earlier} and this, in percent. */
    double busyPercentSince(MachineCpu earlier) {
        long span = total - earlier.total;
        return span == 0 ? 0 : 100.0 * (busy - earlier.busy) / span;
    }
}
