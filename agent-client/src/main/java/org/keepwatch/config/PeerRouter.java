package org.keepwatch.config;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One VRRP router as the members' configurations describe it: a VRID in an address family, and the
 * instance each member runs for it (at most one per member). See {@link PeerChecker} for how instances
 * of different members are recognised as one router.
 */
public record PeerRouter(int vrid, boolean ipv6, List<Member> members) {

    /** A member's instance of this router. */
    public record Member(PeerMember member, VrrpInstance instance) {
        public String name() {
            return member.name();
        }
    }

    public PeerRouter {
        members = List.copyOf(members);
    }

    /** The instance name most members use (the first one on a tie); names need not agree. */
    public String name() {
        Map<String, Long> counts = members.stream()
            .collect(Collectors.groupingBy(m -> m.instance().name(), LinkedHashMap::new, Collectors.counting()));
        return counts.entrySet().stream().max(Comparator.comparingLong(Map.Entry::getValue))
            .map(Map.Entry::getKey).orElse("");
    }

    /** What an operator calls it: {@code VI_1 (VRID 51)}, {@code VI_6 (VRID 51, IPv6)}. */
    public String label() {
        return name() + " (VRID " + vrid + (ipv6 ? ", IPv6" : "") + ")";
    }

    public List<String> memberNames() {
        return members.stream().map(Member::name).toList();
    }

    public Optional<VrrpInstance> instance(String member) {
        return members.stream().filter(m -> m.name().equals(member)).map(Member::instance).findFirst();
    }

    /** Members grouped by a value of their instance, in member order. */
    <V> Map<V, List<Member>> groupBy(Function<Member, V> value) {
        return Disagreement.group(members, value);
    }
}
