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
 */
public record InstanceObservation(String node, String daemon, String netns, String name, int vrid,
                                  String interfaceName, VrrpState state, int basePriority, int effectivePriority,
                                  List<String> vips, List<String> excludedVips, double advertInt, int version,
                                  String authType, boolean nopreempt, List<String> unicastPeers,
                                  Optional<Instant> lastTransition, InstanceStats stats) {

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
    }

    /** Identity of this instance on its node: the same name can run in several daemons (Neutron). */
    public InstanceId id() {
        return new InstanceId(node, daemon, name);
    }

    public InstanceObservation withState(VrrpState newState) {
        return new InstanceObservation(node, daemon, netns, name, vrid, interfaceName, newState, basePriority,
                effectivePriority, vips, excludedVips, advertInt, version, authType, nopreempt, unicastPeers,
                lastTransition, stats);
    }
}
