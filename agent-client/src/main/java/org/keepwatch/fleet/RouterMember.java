package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;

/**
 * One node's instance of a router. {@code current} is false when the node is not ONLINE or its
 * keepalived does not answer: then {@code lastKnown} is history, never to be shown as the present.
 */
public record RouterMember(String node, InstanceObservation lastKnown, boolean current, Instant lastSeen,
                           List<String> vipsHeld) {

    public RouterMember {
        vipsHeld = List.copyOf(vipsHeld);
    }

    /** The state to show: keepalived's when current, UNKNOWN otherwise. */
    public VrrpState state() {
        return current ? lastKnown.state() : VrrpState.UNKNOWN;
    }
}
