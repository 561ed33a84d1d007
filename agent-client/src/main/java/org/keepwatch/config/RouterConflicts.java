package org.keepwatch.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges routers against each other: a VRID reused by another router on the same network, one address
 * served under two VRIDs, and members that have no instance of a router the others run. A member that one
 * of the first two findings already explains is not also reported as missing the router.
 */
final class RouterConflicts {
    private final PeerFindings out;

    RouterConflicts(PeerFindings out) {
        this.out = out;
    }

    void check(List<PeerMember> members, List<PeerRouter> routers) {
        List<Set<String>> explained = new ArrayList<>(); // per router: members whose lack of it another finding explains
        routers.forEach(r -> explained.add(new HashSet<>()));
        reusedVrids(routers, explained);
        sharedAddresses(routers, explained);
        missing(members, routers, explained);
    }

    /**
     * Two routers with one VRID and family are on one network when members of each use the same interface
     * name for them: interface names are the only hint of the network a configuration gives. Routers with
     * the VRID on differently named interfaces are taken to be on different networks, which VRRP allows.
     */
    private void reusedVrids(List<PeerRouter> routers, List<Set<String>> explained) {
        // RouterMatcher orders routers by VRID and family, so the routers sharing both are adjacent
        for (int start = 0, end; start < routers.size(); start = end) {
            end = start + 1;
            while (end < routers.size() && routers.get(end).vrid() == routers.get(start).vrid()
                && routers.get(end).ipv6() == routers.get(start).ipv6()) {
                end++;
            }
            for (int i = start; i < end; i++) {
                for (int j = start; j < end; j++) {
                    if (i != j && reused(routers.get(i), routers.get(j))) explained.get(j).addAll(routers.get(i).memberNames());
                }
            }
        }
    }

    /** Reports each member of {@code router} whose interface name a member of {@code other} also uses. */
    private boolean reused(PeerRouter router, PeerRouter other) {
        boolean clash = false;
        for (PeerRouter.Member member : router.members()) {
            List<PeerRouter.Member> rivals = other.members().stream().filter(o -> !o.name().equals(member.name())
                && o.instance().interfaceName().isPresent() && o.instance().interfaceName().equals(member.instance().interfaceName()))
                .toList();
            if (rivals.isEmpty()) continue;
            clash = true;
            out.add(DiagnosticCode.PEER_VRID_REUSED, router, member, SettingComparison.at(member, "virtual_router_id"),
                member.name() + " uses VRID " + router.vrid() + " on " + member.instance().interfaceName().get() + " and so does "
                    + rivals.stream().map(r -> r.instance().name() + " on " + r.name() + " (" + vips(r.instance()) + ")")
                    .collect(Collectors.joining(", "))
                    + ", a different router" + (shareAddress(member, rivals) ? "" : " with no address in common")
                    + ": on one network each takes the other's adverts for its own; give one another virtual_router_id");
        }
        return clash;
    }

    /** One address in routers with different VRIDs: usually a VRID typed differently on one member. */
    private void sharedAddresses(List<PeerRouter> routers, List<Set<String>> explained) {
        Map<String, List<Integer>> routersOf = new LinkedHashMap<>(); // canonical address -> routers serving it
        Map<String, String> spelling = new LinkedHashMap<>(); // canonical address -> as first written, for messages
        for (int i = 0; i < routers.size(); i++) {
            for (PeerRouter.Member member : routers.get(i).members()) {
                for (VrrpInstance.VirtualAddress address : member.instance().allAddresses()) {
                    if (Addresses.isLinkLocal(address.address())) continue; // one per link: many routers may share it
                    String canonical = Addresses.canonical(address.address());
                    spelling.putIfAbsent(canonical, address.address());
                    List<Integer> list = routersOf.computeIfAbsent(canonical, a -> new ArrayList<>());
                    if (!list.contains(i)) list.add(i);
                }
            }
        }
        Set<Integer> reported = new HashSet<>();
        routersOf.forEach((address, indexes) -> {
            if (indexes.size() < 2 || indexes.stream().map(i -> routers.get(i).vrid()).distinct().count() < 2) return;
            Map<Integer, List<PeerRouter.Member>> groups = new LinkedHashMap<>();
            indexes.forEach(i -> groups.put(i, routers.get(i).members()));
            for (int i : Disagreement.outliers(groups)) {
                if (!reported.add(i)) continue;
                PeerRouter router = routers.get(i);
                String others = indexes.stream().filter(k -> k != i).map(k -> Disagreement.names(routers.get(k).memberNames(),
                    "serves", "serve") + " it with VRID " + routers.get(k).vrid() + " (" + routers.get(k).name() + ")")
                    .collect(Collectors.joining("; "));
                for (PeerRouter.Member member : router.members()) {
                    out.add(DiagnosticCode.PEER_SETTING_DRIFT, router, member, SettingComparison.at(member, "virtual_router_id"),
                        member.name() + " serves " + spelling.get(address) + " with VRID " + router.vrid() + " but " + others
                            + ": the routers elect a MASTER each and the address is held twice; make virtual_router_id agree");
                }
            }
            for (int i : indexes) {
                for (int k : indexes) explained.get(i).addAll(routers.get(k).memberNames());
            }
        });
    }

    private void missing(List<PeerMember> members, List<PeerRouter> routers, List<Set<String>> explained) {
        for (int i = 0; i < routers.size(); i++) {
            PeerRouter router = routers.get(i);
            List<String> holders = router.memberNames();
            Set<String> excused = explained.get(i);
            List<PeerMember> lackers = members.stream()
                .filter(m -> !holders.contains(m.name()) && !excused.contains(m.name())).toList();
            if (lackers.isEmpty()) continue;
            List<String> lackerNames = lackers.stream().map(PeerMember::name).toList();
            Map<Boolean, List<String>> groups = new LinkedHashMap<>();
            groups.put(true, holders);
            groups.put(false, lackerNames);
            List<Boolean> outliers = Disagreement.outliers(groups);
            if (outliers.contains(true)) {
                for (PeerRouter.Member member : router.members()) {
                    out.add(DiagnosticCode.PEER_MISSING_INSTANCE, router, member, member.instance().node(), member.name() + " runs "
                        + router.label() + " that " + Disagreement.names(lackerNames, "has", "have") + " no instance of;"
                        + " the router has no backup there");
                }
            }
            if (outliers.contains(false)) {
                for (PeerMember member : lackers) {
                    out.addToFile(DiagnosticCode.PEER_MISSING_INSTANCE, router, member, member.name() + " has no vrrp_instance of "
                        + router.label() + " that " + Disagreement.names(holders, "runs", "run"));
                }
            }
        }
    }

    private static boolean shareAddress(PeerRouter.Member member, List<PeerRouter.Member> rivals) {
        Set<String> own = RouterMatcher.addresses(member.instance());
        return rivals.stream().anyMatch(r -> RouterMatcher.addresses(r.instance()).stream().anyMatch(own::contains));
    }

    private static String vips(VrrpInstance instance) {
        if (instance.virtualAddresses().isEmpty()) return "no virtual_ipaddress";
        return instance.virtualAddresses().stream().map(VrrpInstance.VirtualAddress::cidr).collect(Collectors.joining(", "));
    }
}
