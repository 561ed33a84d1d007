package org.keepwatch.fleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/** What the benchmarks print, and the waiting they share. */
public final class BenchReport {

    private BenchReport() {
    }

    public static void line(String format, Object... args) {
        System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "  " + String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    /** The machine's load (two cores, shared): 1, 5 and 15 minute averages. */
    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2] + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Waits for {@code condition}, polling every 10 ms; fails with {@code what} after {@code timeout}. */
    public static Duration await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + timeout + ": " + what);
            }
            Thread.sleep(10);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
