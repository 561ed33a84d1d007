package org.keepwatch.agent;

import java.util.List;
import java.util.Optional;

/** The answer to {@code state.snapshot} and {@code state.subscribe}: everything the node knows now. */
public record StateSnapshot(List<DaemonState> daemons, List<VipPresence> vipsPresent, List<VipPresence> orphans,
                            boolean vipsObserved, Optional<Double> heartbeatInterval) {

    public StateSnapshot {
        daemons = daemons == null ? List.of() : List.copyOf(daemons);
        vipsPresent = vipsPresent == null ? List.of() : List.copyOf(vipsPresent);
        orphans = orphans == null ? List.of() : List.copyOf(orphans);
    }
}
