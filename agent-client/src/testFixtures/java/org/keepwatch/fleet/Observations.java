package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Builders for what agents report, so tests read like the lab. */
public final class Observations {
    private Observations() {
    }

    public static InstanceObservation instance(String node, String name, int vrid, VrrpState state, int priority,
                                        String... vips) {
        return new InstanceObservation(node, "keepalived", "", name, vrid, "eth0", state, priority, priority,
                List.of(vips), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.empty(), InstanceStats.NONE);
    }

    public static InstanceObservation neutron(String node, String routerId, int vrid, VrrpState state) {
        return new InstanceObservation(node, routerId, "qrouter-" + routerId, "VR_" + vrid, vrid, "ha-x", state, 50, 50,
                List.of("169.254.0." + vrid), List.of(), 2.0, 2, "none", true, List.of(), Optional.empty(),
                InstanceStats.NONE);
    }

    public static VipObservation vip(String node, String address) {
        return new VipObservation(node, "", address, "eth0", Optional.empty(), Optional.empty(), false);
    }

    public static VipObservation vip(String node, String netns, String address) {
        return new VipObservation(node, netns, address, "ha-x", Optional.empty(), Optional.empty(), false);
    }

    public static DaemonObservation daemon(String node, boolean alive) {
        return daemon(node, alive ? DaemonStatus.RUNNING : DaemonStatus.STOPPED);
    }

    public static DaemonObservation daemon(String node, DaemonStatus status) {
        return new DaemonObservation(node, "keepalived", "", status, status == DaemonStatus.RUNNING ? Optional.empty()
                : Optional.of("keepalived " + status.describe()));
    }

    public static NodeReport report(String node, List<InstanceObservation> instances, List<VipObservation> vips) {
        return new NodeReport(node, Instant.parse("2026-11-26T10:00:00Z"), List.of(daemon(node, true)), instances, vips);
    }

    public static NodeStatus online(String node) {
        return new NodeStatus(node, ConnectionState.ONLINE, Instant.parse("2026-11-26T10:00:00Z"), Optional.empty(),
                Optional.of("2.2.7"), Optional.of("0.1.0"));
    }

    public static NodeStatus stale(String node) {
        return new NodeStatus(node, ConnectionState.STALE, Instant.parse("2026-11-26T10:00:05Z"),
                Optional.of("no heartbeat for 6 s"), Optional.of("2.2.7"), Optional.of("0.1.0"));
    }
}
