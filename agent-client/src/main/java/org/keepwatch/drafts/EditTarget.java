package org.keepwatch.drafts;

import java.util.Optional;

/**
 * One keepalived to edit: the fleet node it runs on, the agent's name for the daemon there (a
 * Neutron router id, a namespace, or "keepalived"), and the instance to show first.
 */
public record EditTarget(String node, String daemon, Optional<String> instance) {

    /** "n1" for a node's only keepalived, "n1 · qrouter-…" where the node runs several. */
    public String label() {
        return daemon.equals("keepalived") ? node : node + " · " + daemon;
    }
}
