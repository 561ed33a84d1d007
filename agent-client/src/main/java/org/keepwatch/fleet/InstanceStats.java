package org.keepwatch.fleet;

/** keepalived's counters for one instance (the "stats" part of its JSON dump). */
public record InstanceStats(long advertSent, long advertReceived, long becomeMaster, long releaseMaster,
                            long authFailures) {

    public static final InstanceStats NONE = new InstanceStats(0, 0, 0, 0, 0);
}
