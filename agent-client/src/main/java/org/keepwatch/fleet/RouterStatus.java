package org.keepwatch.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A VRRP router as the tables show it: members side by side, who holds each VIP, the verdict and
 * why. {@code vipHolders} is ground truth from the nodes' interfaces.
 */
public record RouterStatus(RouterKey key, String name, int vrid, List<String> vips, List<RouterMember> members,
                         Map<String, List<String>> vipHolders, Verdict verdict, List<String> reasons,
                         Instant lastChange) {

    public RouterStatus {
        vips = List.copyOf(vips);
        members = List.copyOf(members);
        vipHolders = Map.copyOf(vipHolders);
        reasons = List.copyOf(reasons);
    }

    public List<String> masters() {
        return members.stream().filter(m -> m.state() == VrrpState.MASTER).map(RouterMember::node).toList();
    }

    /**
     * The router's last transition as keepalived reports it: the latest time any member last changed state (each
     * member's {@code last_transition}), not when Keepwatch first saw it. Empty when no member's keepalived says.
     */
    public Optional<Instant> lastTransition() {
        return members.stream().flatMap(m -> m.lastKnown().lastTransition().stream()).max(Instant::compareTo);
    }

    public Optional<RouterMember> member(String node) {
        return members.stream().filter(m -> m.node().equals(node)).findFirst();
    }
}
