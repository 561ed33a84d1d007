package org.keepwatch.fleet;

import java.util.Objects;
import java.util.Optional;

/**
 * A keepalived daemon on a node: whether it runs and answers, in which namespace, and what is wrong with it.
 *
 * @param problem the agent's own words on what is wrong with it (a failed dump), if it said any; the status
 *                itself is said by {@link DaemonStatus#describe()}
 * @param maintenance its maintenance weight as last reported (empty: not reported, e.g. an older agent)
 * @param kind        what kind of keepalived it is (version, container, Neutron), as last reported
 */
public record DaemonObservation(String node, String name, String netns, DaemonStatus status, Optional<String> problem,
                                Optional<MaintenanceWeight> maintenance, DaemonKind kind) {

    /** A daemon whose kind is not known. */
    public DaemonObservation(String node, String name, String netns, DaemonStatus status, Optional<String> problem,
                             Optional<MaintenanceWeight> maintenance) {
        this(node, name, netns, status, problem, maintenance, DaemonKind.UNKNOWN);
    }

    /** A daemon whose maintenance weight is not known. */
    public DaemonObservation(String node, String name, String netns, DaemonStatus status, Optional<String> problem) {
        this(node, name, netns, status, problem, Optional.empty());
    }

    public DaemonObservation {
        maintenance = maintenance == null ? Optional.empty() : maintenance;
        Objects.requireNonNull(status, "status");
        netns = netns == null ? "" : netns;
        problem = problem == null ? Optional.empty() : problem;
        kind = kind == null ? DaemonKind.UNKNOWN : kind;
    }

    public DaemonObservation withMaintenance(Optional<MaintenanceWeight> weight) {
        return new DaemonObservation(node, name, netns, status, problem, weight, kind);
    }

    public DaemonObservation withKind(DaemonKind newKind) {
        return new DaemonObservation(node, name, netns, status, problem, maintenance, newKind);
    }

    /** Drained by Keepwatch now: by its maintenance weight, or by stopping it (the fallback). */
    public boolean drained() {
        return maintenance.filter(MaintenanceWeight::drained).isPresent();
    }

    /** Not running because a drain stopped it on purpose: expected, not a fault. */
    public boolean stoppedToDrain() {
        return status != DaemonStatus.RUNNING && maintenance.map(MaintenanceWeight::drainedByStopping).orElse(false);
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
