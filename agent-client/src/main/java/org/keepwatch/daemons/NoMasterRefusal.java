package org.keepwatch.daemons;

import java.util.List;

/**
 * A stop or restart refused before anything was sent: the daemon is the last live member of routers the
 * confirmation did not name, which would be left with no master.
 */
public final class NoMasterRefusal extends IllegalStateException {

    private final transient DaemonPlan plan;

    public NoMasterRefusal(DaemonPlan plan, List<String> unconfirmed) {
        super(plan.node() + ": " + plan.action().word() + " refused: " + plan.describe().substring(
                plan.describe().indexOf(": ") + 2) + "; not confirmed for " + String.join(", ", unconfirmed)
                + " (confirm naming " + (unconfirmed.size() == 1 ? "it" : "them") + ", or move the master first)");
        this.plan = plan;
    }

    public DaemonPlan plan() {
        return plan;
    }
}
