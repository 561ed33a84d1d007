package org.keepwatch.fleet;

import java.util.Optional;

/**
 * A virtual address actually present on an interface of a node: ground truth, whatever keepalived
 * claims. {@code orphan} is the agent's verdict that no MASTER instance on that node owns it.
 */
public record VipObservation(String node, String netns, String address, String interfaceName,
                             Optional<String> ownerDaemon, Optional<String> ownerInstance, boolean orphan) {

    public VipObservation {
        netns = netns == null ? "" : netns;
        interfaceName = interfaceName == null ? "" : interfaceName;
    }
}
