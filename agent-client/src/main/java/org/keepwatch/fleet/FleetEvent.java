package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What changed in the fleet, in the order it changed. Consumers take them in batches. */
public sealed interface FleetEvent {

    Instant at();

    /** An instance's state, priority, VIPs or counters changed (or it appeared). */
    record InstanceChanged(Instant at, RouterKey router, Optional<InstanceObservation> before,
                           InstanceObservation after, String cause) implements FleetEvent {
    }

    /** An instance is gone from its daemon's configuration. */
    record InstanceRemoved(Instant at, RouterKey router, InstanceId instance) implements FleetEvent {
    }

    /** A router's members, VIP holders or verdict changed. */
    record RouterChanged(Instant at, RouterStatus router) implements FleetEvent {
    }

    /** A router left the fleet (its last member is gone). */
    record RouterRemoved(Instant at, RouterKey router) implements FleetEvent {
    }

    /** A node's connection changed. */
    record NodeChanged(Instant at, NodeStatus status) implements FleetEvent {
    }

    /** A node's keepalived daemons changed: one started, stopped, died, hung or answered again. */
    record DaemonsChanged(Instant at, String node, List<DaemonObservation> daemons) implements FleetEvent {
        public DaemonsChanged {
            daemons = List.copyOf(daemons);
        }
    }

    /** A daemon's configuration files changed on its node, as its agent saw them (not what the daemon runs). */
    record ConfigChanged(Instant at, String node, String daemon) implements FleetEvent {
    }

    /** An alarming verdict was confirmed (raised) or ended (cleared): once per incident. */
    record Alarm(Instant at, RouterKey router, Verdict verdict, boolean raised, List<String> reasons)
            implements FleetEvent {
    }
}
