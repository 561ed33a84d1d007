package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One node's instance of a router. {@code current} is false when the node is not ONLINE: then
 * {@code lastKnown} is history, never to be shown as the present. {@code daemon} is its keepalived as last
 * reported: a hung, stopped or dead daemon makes the member HUNG, STOP or DEAD whatever keepalived said last.
 */
public record RouterMember(String node, InstanceObservation lastKnown, boolean current, Instant lastSeen,
                           List<String> vipsHeld, Optional<DaemonObservation> daemon) {

    public RouterMember {
        vipsHeld = List.copyOf(vipsHeld);
        daemon = daemon == null ? Optional.empty() : daemon;
    }

    /** The state to show: UNKNOWN when not current, else what its daemon's status makes it, else keepalived's. */
    public VrrpState state() {
        if (!current) {
            return VrrpState.UNKNOWN;
        }
        return daemon.flatMap(d -> d.status().instanceState()).orElse(lastKnown.state());
    }

    /** Why the member is down, in words, when its keepalived is not running and answering. */
    public Optional<String> problem() {
        return daemon.filter(d -> d.status() != DaemonStatus.RUNNING).flatMap(DaemonObservation::problem);
    }
}
