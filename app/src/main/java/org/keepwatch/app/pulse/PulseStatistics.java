package org.keepwatch.app.pulse;

/**
 * How much of the FX thread the fleet's updates take: time spent applying batches, events applied,
 * and the longest gap between two pulses (a long gap is a frame the user saw late). Read by the
 * benchmark; cheap enough to keep on always.
 */
public final class PulseStatistics {

    private long pulses;
    private long lastPulseNanos;
    private long longestGapNanos;
    private long workNanos;
    private long longestWorkNanos;
    private long events;

    synchronized void pulse(long now) {
        if (lastPulseNanos != 0) {
            longestGapNanos = Math.max(longestGapNanos, now - lastPulseNanos);
        }
        lastPulseNanos = now;
        pulses++;
    }

    synchronized void work(long nanos, int applied) {
        workNanos += nanos;
        longestWorkNanos = Math.max(longestWorkNanos, nanos);
        events += applied;
    }

    public synchronized Snapshot snapshotAndReset() {
        Snapshot snapshot = new Snapshot(pulses, longestGapNanos, workNanos, longestWorkNanos, events);
        pulses = 0;
        longestGapNanos = 0;
        workNanos = 0;
        longestWorkNanos = 0;
        events = 0;
        return snapshot;
    }

    public record Snapshot(long pulses, long longestGapNanos, long workNanos, long longestWorkNanos, long events) {
    }
}
