package org.keepwatch.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recognises which instances of different members are one VRRP router. Instances are candidates for one
 * router when they share a VRID and address family (what VRRP itself keys on); among those, instances that
 * share an address (virtual or excluded, not link-local) or an instance name are joined, the strongest evidence first,
 * never so that one member would have two instances in one router. What is left apart stays apart: two
 * routers with one VRID, which {@link RouterConflicts} judges.
 */
final class RouterMatcher {
    private RouterMatcher() {
    }

    private record Candidate(int member, PeerRouter.Member seat, Set<String> addresses) {
    }

    private record Family(int vrid, boolean ipv6) {
    }

    /** The routers in VRID order, IPv4 before IPv6 for one VRID, then in the order their first member lists them. */
    static List<PeerRouter> match(List<PeerMember> members) {
        Map<Family, List<Candidate>> buckets = new LinkedHashMap<>();
        for (int m = 0; m < members.size(); m++) {
            PeerMember member = members.get(m);
            for (VrrpInstance instance : member.config().instances()) {
                if (instance.virtualRouterId().isEmpty()) continue; // lint reports it; it joins no router
                buckets.computeIfAbsent(new Family(instance.virtualRouterId().getAsInt(), instance.isIpv6()), f -> new ArrayList<>())
                    .add(new Candidate(m, new PeerRouter.Member(member, instance), addresses(instance)));
            }
        }
        List<PeerRouter> routers = new ArrayList<>();
        buckets.entrySet().stream()
            .sorted(Comparator.comparingInt((Map.Entry<Family, List<Candidate>> e) -> e.getKey().vrid())
                .thenComparing(e -> e.getKey().ipv6()))
            .forEach(e -> routers.addAll(split(e.getKey(), e.getValue())));
        return routers;
    }

    /**
     * The addresses that identify an instance's router: virtual and excluded, canonical, prefix left out.
     * Link-local ones do not count: Neutron gives every router 169.254.0.1 and IPv6 routers commonly share fe80::1.
     */
    static Set<String> addresses(VrrpInstance instance) {
        Set<String> out = new HashSet<>();
        for (VrrpInstance.VirtualAddress address : instance.allAddresses()) {
            if (!Addresses.isLinkLocal(address.address())) out.add(Addresses.canonical(address.address()));
        }
        return out;
    }

    private static List<PeerRouter> split(Family family, List<Candidate> candidates) {
        int[] parent = new int[candidates.size()];
        List<Set<Integer>> membersOf = new ArrayList<>();
        for (int i = 0; i < parent.length; i++) {
            parent[i] = i;
            membersOf.add(new HashSet<>(Set.of(candidates.get(i).member())));
        }
        for (Link link : links(candidates)) join(parent, membersOf, link.a(), link.b());
        Map<Integer, List<Candidate>> groups = new LinkedHashMap<>();
        for (int i = 0; i < parent.length; i++) groups.computeIfAbsent(root(parent, i), r -> new ArrayList<>()).add(candidates.get(i));
        return groups.values().stream().map(group -> new PeerRouter(family.vrid(), family.ipv6(), group.stream()
            .sorted(Comparator.comparingInt(Candidate::member)).map(Candidate::seat).toList())).toList();
    }

    /** Evidence that two instances of different members are one router. */
    private record Link(int a, int b, int shared, boolean sameName, boolean sameInterface) {
    }

    /**
     * Pairs of candidates with an address or a name in common, strongest evidence first: most shared
     * addresses, then a shared name, then a shared interface name. Joining in this order pairs Neutron-like
     * configurations (one link-local VIP in every router) by their other addresses, whatever the file order.
     */
    private static List<Link> links(List<Candidate> candidates) {
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            for (String address : candidates.get(i).addresses()) byKey.computeIfAbsent("a " + address, k -> new ArrayList<>()).add(i);
            byKey.computeIfAbsent("n " + candidates.get(i).seat().instance().name(), k -> new ArrayList<>()).add(i);
        }
        Set<Long> seen = new HashSet<>();
        List<Link> links = new ArrayList<>();
        for (List<Integer> sharing : byKey.values()) {
            for (int x = 0; x < sharing.size(); x++) {
                for (int y = x + 1; y < sharing.size(); y++) {
                    int a = sharing.get(x);
                    int b = sharing.get(y);
                    if (candidates.get(a).member() == candidates.get(b).member() || !seen.add((long) a << 32 | b)) continue;
                    links.add(link(candidates, a, b));
                }
            }
        }
        links.sort(Comparator.comparingInt(Link::shared).reversed().thenComparing(Link::sameName, Comparator.reverseOrder())
            .thenComparing(Link::sameInterface, Comparator.reverseOrder()).thenComparingInt(Link::a).thenComparingInt(Link::b));
        return links;
    }

    private static Link link(List<Candidate> candidates, int a, int b) {
        Candidate x = candidates.get(a);
        Candidate y = candidates.get(b);
        int shared = (int) x.addresses().stream().filter(y.addresses()::contains).count();
        VrrpInstance i = x.seat().instance();
        VrrpInstance j = y.seat().instance();
        return new Link(a, b, shared, i.name().equals(j.name()), i.interfaceName().isPresent() && i.interfaceName().equals(j.interfaceName()));
    }

    private static void join(int[] parent, List<Set<Integer>> membersOf, int a, int b) {
        int ra = root(parent, a);
        int rb = root(parent, b);
        if (ra == rb || !Collections.disjoint(membersOf.get(ra), membersOf.get(rb))) return;
        parent[rb] = ra;
        membersOf.get(ra).addAll(membersOf.get(rb));
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) i = parent[i];
        return i;
    }
}
