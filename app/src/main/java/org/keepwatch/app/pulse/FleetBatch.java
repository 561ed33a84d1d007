package org.keepwatch.app.pulse;

import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed since the last pulse, coalesced: for rows only the latest state of each router,
 * instance and node counts; the timeline gets every event in order.
 *
 * @param daemons each node's keepalived daemons, where they changed
 * @param rebuild the event queue overflowed: views should reload everything from the fleet state
 */
public record FleetBatch(List<FleetEvent> events, Map<RouterKey, RouterStatus> routers, Set<RouterKey> removedRouters,
                         Map<InstanceId, FleetEvent.InstanceChanged> instances, Set<InstanceId> removedInstances,
                         Map<String, NodeStatus> nodes, Map<String, List<DaemonObservation>> daemons,
                         boolean rebuild) {

    public boolean isEmpty() {
        return events.isEmpty() && !rebuild;
    }
}
