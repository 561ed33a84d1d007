package org.keepwatch.agent;

import java.util.Optional;

/**
 * A virtual address on an interface of the node, with the instance that claims it. {@code orphan}:
 * the agent found no MASTER instance holding it (after a grace period).
 */
public record VipPresence(String address, int prefix, Optional<String> ifname, Optional<String> netns,
                          Optional<String> daemon, Optional<String> instance, boolean orphan,
                          Optional<String> reason) {
}
