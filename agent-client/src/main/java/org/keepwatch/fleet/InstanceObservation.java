package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One VRRP instance as one node's agent reported it: keepalived's own view from its dump.
 *
 * @param node      the fleet node it runs on
 * @param daemon    the keepalived daemon on that node (a Neutron router id, or "keepalived")
 * @param netns     the network namespace the daemon runs in, "" for the node's own
 * @param name      the vrrp_instance name
 * @param vips      virtual addresses without prefix length, in keepalived's order
 * @param shape     what else the instance is made of: VMAC, tracking, sync group, preempt delay
 */
public record InstanceObservation(String node, String daemon, String netns, String name, int vrid,
                                  String interfaceName, VrrpState state, int basePriority, int effectivePriority,
                                  List<String> vips, List<String> excludedVips, double advertInt, int version,
                                  String authType, boolean nopreempt, List<String> unicastPeers,
                                  Optional<Instant> lastTransition, InstanceStats stats, InstanceShape shape) {

    /** An instance of no particular shape (no VMAC, tracking or sync group): observations made by hand, tests. */
    public InstanceObservation(String node, String daemon, String netns, String name, int vrid,
                               String interfaceName, VrrpState state, int basePriority, int effectivePriority,
                               List<String> vips, List<String> excludedVips, double advertInt, int version,
                               String authType, boolean nopreempt, List<String> unicastPeers,
                               Optional<Instant> lastTransition, InstanceStats stats) {
        this(node, daemon, netns, name, vrid, interfaceName, state, basePriority, effectivePriority, vips, excludedVips,
                advertInt, version, authType, nopreempt, unicastPeers, lastTransition, stats, InstanceShape.PLAIN);
    }

    public InstanceObservation {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(daemon, "daemon");
        netns = netns == null ? "" : netns;
        Objects.requireNonNull(name, "name");
        interfaceName = interfaceName == null ? "" : interfaceName;
        state = state == null ? VrrpState.UNKNOWN : state;
        vips = List.copyOf(vips);
        excludedVips = List.copyOf(excludedVips);
        authType = authType == null ? "none" : authType;
        unicastPeers = List.copyOf(unicastPeers);
        stats = stats == null ? InstanceStats.NONE : stats;
        shape = shape == null ? InstanceShape.PLAIN : shape;
    }

    /**
     * The instance's shape in a few words, for a table cell: "v3 · IPv6 · unicast to 10.0.0.2 · VMAC vrrp.51 ·
     * sync group G1 · tracks eth1, script chk · nopreempt · preempt delay 5 s · 40 VIPs (+11 excluded)"; empty
     * for a plain VRRPv2 multicast instance.
     */
    public String shapeWords() {
        List<String> words = new java.util.ArrayList<>();
        if (version == 3) {
            words.add("v3");
        }
        if (vips.stream().anyMatch(v -> v.contains(":"))) {
            words.add("IPv6");
        }
        if (!unicastPeers.isEmpty()) {
            words.add("unicast to " + String.join(", ", unicastPeers));
        }
        shape.vmacInterface().ifPresent(v -> words.add("VMAC " + v));
        shape.syncGroup().ifPresent(g -> words.add("sync group " + g));
        List<String> tracked = new java.util.ArrayList<>(shape.trackInterfaces());
        shape.trackScripts().forEach(script -> tracked.add("script " + script));
        if (!tracked.isEmpty()) {
            words.add("tracks " + String.join(", ", tracked));
        }
        if (nopreempt) {
            words.add("nopreempt");
        }
        if (shape.preemptDelay() > 0) {
            words.add("preempt delay " + InstanceShape.seconds(shape.preemptDelay()));
        }
        if (vips.size() > 3 || !excludedVips.isEmpty()) {
            words.add(vips.size() + " VIPs" + (excludedVips.isEmpty() ? "" : " (+" + excludedVips.size() + " excluded)"));
        }
        return String.join(" · ", words);
    }

    /** Identity of this instance on its node: the same name can run in several daemons (Neutron). */
    public InstanceId id() {
        return new InstanceId(node, daemon, name);
    }

    public InstanceObservation withState(VrrpState newState) {
        return new InstanceObservation(node, daemon, netns, name, vrid, interfaceName, newState, basePriority,
                effectivePriority, vips, excludedVips, advertInt, version, authType, nopreempt, unicastPeers,
                lastTransition, stats, shape);
    }
}
