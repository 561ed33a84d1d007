package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;

/** Everything one node's agent knows at one moment: a full snapshot that replaces what was known. */
public record NodeReport(String node, Instant takenAt, List<DaemonObservation> daemons,
                         List<InstanceObservation> instances, List<VipObservation> vips) {

    public NodeReport {
        daemons = List.copyOf(daemons);
        instances = List.copyOf(instances);
        vips = List.copyOf(vips);
    }
}
