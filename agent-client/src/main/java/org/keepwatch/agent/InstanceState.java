package org.keepwatch.agent;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One VRRP instance from keepalived's dump, as the agent reports it. VIPs carry their prefix ("10.0.0.1/24"). */
public record InstanceState(String instance, int vrid, String state, Optional<String> wantstate, int basePriority,
                            int effectivePriority, int masterPriority,
                            @JsonProperty("interface") Optional<String> interfaceName,
                            Optional<String> vmacInterface, double advertInt, int version, boolean nopreempt,
                            double preemptDelay, Optional<String> authType, Optional<Double> lastTransition,
                            boolean vipsSet, List<String> vips, List<String> excludedVips,
                            List<String> unicastPeers, Map<String, Long> stats, List<String> trackInterfaces,
                            List<String> trackScripts, Optional<String> syncGroup) {

    public InstanceState {
        trackInterfaces = trackInterfaces == null ? List.of() : List.copyOf(trackInterfaces);
        trackScripts = trackScripts == null ? List.of() : List.copyOf(trackScripts);
        syncGroup = syncGroup == null ? Optional.empty() : syncGroup;
        vips = vips == null ? List.of() : List.copyOf(vips);
        excludedVips = excludedVips == null ? List.of() : List.copyOf(excludedVips);
        unicastPeers = unicastPeers == null ? List.of() : List.copyOf(unicastPeers);
        stats = stats == null ? Map.of() : Map.copyOf(stats);
    }

    public long stat(String name) {
        return stats.getOrDefault(name, 0L);
    }
}
