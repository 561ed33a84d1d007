package org.keepwatch.fleet;

import java.util.Objects;
import java.util.Optional;

/**
 * A keepalived daemon on a node: whether it runs and answers, in which namespace, and what is wrong with it.
 *
 * @param problem the agent's own words on what is wrong with it (a failed dump), if it said any; the status
 *                itself is said by {@link DaemonStatus#describe()}
 */
public record DaemonObservation(String node, String name, String netns, DaemonStatus status, Optional<String> problem) {

    public DaemonObservation {
        Objects.requireNonNull(status, "status");
        netns = netns == null ? "" : netns;
        problem = problem == null ? Optional.empty() : problem;
    }

    public boolean alive() {
        return status.alive();
    }

    public boolean responsive() {
        return status == DaemonStatus.RUNNING;
    }

    /** How words name it: "keepalived" for the daemon called so, "keepalived NAME" for others (Neutron routers). */
    public String label() {
        return name.equals("keepalived") ? "keepalived" : "keepalived " + name;
    }
}
