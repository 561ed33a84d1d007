package org.keepwatch.app.pulse;

import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.EventBatch;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Coalesces a drained event batch: the last word on each router, instance and node wins. Pure. */
public final class FleetBatcher {

    private FleetBatcher() {
    }

    public static FleetBatch coalesce(EventBatch batch) {
        Map<RouterKey, RouterStatus> routers = new LinkedHashMap<>();
        Set<RouterKey> removedRouters = new HashSet<>();
        Map<InstanceId, FleetEvent.InstanceChanged> instances = new LinkedHashMap<>();
        Set<InstanceId> removedInstances = new HashSet<>();
        Map<String, NodeStatus> nodes = new HashMap<>();
        Map<String, List<DaemonObservation>> daemons = new HashMap<>();
        for (FleetEvent event : batch.events()) {
            if (event instanceof FleetEvent.RouterChanged changed) {
                routers.put(changed.router().key(), changed.router());
                removedRouters.remove(changed.router().key());
            } else if (event instanceof FleetEvent.RouterRemoved removed) {
                routers.remove(removed.router());
                removedRouters.add(removed.router());
            } else if (event instanceof FleetEvent.InstanceChanged changed) {
                instances.put(changed.after().id(), changed);
                removedInstances.remove(changed.after().id());
            } else if (event instanceof FleetEvent.InstanceRemoved removed) {
                instances.remove(removed.instance());
                removedInstances.add(removed.instance());
            } else if (event instanceof FleetEvent.NodeChanged changed) {
                nodes.put(changed.status().node(), changed.status());
            } else if (event instanceof FleetEvent.DaemonsChanged changed) {
                daemons.put(changed.node(), changed.daemons());
            }
        }
        return new FleetBatch(batch.events(), routers, removedRouters, instances, removedInstances, nodes, daemons,
                batch.overflowed());
    }
}
