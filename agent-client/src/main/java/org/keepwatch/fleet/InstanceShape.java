package org.keepwatch.fleet;

import java.util.List;
import java.util.Optional;

/**
 * What an instance is made of beyond its address, priority and state, as its node's agent reported it: the VMAC
 * interface keepalived made for it ({@code use_vmac}), the interfaces and scripts it tracks (as keepalived's dump
 * lists them), the sync group whose members move with it, and its preempt delay.
 */
public record InstanceShape(Optional<String> vmacInterface, List<String> trackInterfaces, List<String> trackScripts,
                            Optional<String> syncGroup, double preemptDelay) {

    /** No VMAC, no tracking, in no sync group, no preempt delay. */
    public static final InstanceShape PLAIN = new InstanceShape(Optional.empty(), List.of(), List.of(), Optional.empty(), 0);

    public InstanceShape {
        vmacInterface = vmacInterface == null ? Optional.empty() : vmacInterface;
        trackInterfaces = trackInterfaces == null ? List.of() : List.copyOf(trackInterfaces);
        trackScripts = trackScripts == null ? List.of() : List.copyOf(trackScripts);
        syncGroup = syncGroup == null ? Optional.empty() : syncGroup;
    }

    static String seconds(double value) {
        return (value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value)) + " s";
    }
}
