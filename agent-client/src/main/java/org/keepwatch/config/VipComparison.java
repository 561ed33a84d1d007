package org.keepwatch.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares the address lists of a router's members: virtual_ipaddress (carried in every advert, so a
 * mismatch makes the members ignore each other: keepalived #1603) and virtual_ipaddress_excluded (not in
 * adverts, but what a new master brings up). An address is compared as address/prefix; its dev, label and
 * scope are compared separately, as a warning, since interface names may legitimately differ between nodes.
 */
final class VipComparison {
    private final PeerFindings out;

    /** One member's entry for one address (the first, if it lists the address twice). */
    private record Held(PeerRouter.Member member, VrrpInstance.VirtualAddress address) {
        String name() {
            return member.name();
        }
    }

    VipComparison(PeerFindings out) {
        this.out = out;
    }

    void compare(PeerRouter router) {
        if (router.members().size() < 2) return;
        compare(router, "virtual_ipaddress", VrrpInstance::virtualAddresses,
            "; adverts no longer match, so members ignore each other and each becomes MASTER (keepalived #1603)");
        compare(router, "virtual_ipaddress_excluded", VrrpInstance::excludedAddresses,
            "; whichever member becomes MASTER brings up a different set of addresses");
    }

    private void compare(PeerRouter router, String keyword, Function<VrrpInstance, List<VrrpInstance.VirtualAddress>> list,
                         String consequence) {
        Map<String, List<Held>> byAddress = new LinkedHashMap<>();
        for (PeerRouter.Member member : router.members()) {
            for (VrrpInstance.VirtualAddress address : list.apply(member.instance())) {
                List<Held> held = byAddress.computeIfAbsent(Addresses.canonical(address.address()), a -> new ArrayList<>());
                if (held.stream().noneMatch(h -> h.name().equals(member.name()))) held.add(new Held(member, address));
            }
        }
        byAddress.values().forEach(held -> {
            presence(router, keyword, held, consequence);
            prefix(router, keyword, held);
            details(router, keyword, held);
        });
    }

    private void presence(PeerRouter router, String keyword, List<Held> held, String consequence) {
        Set<String> holders = held.stream().map(Held::name).collect(Collectors.toSet());
        Map<Boolean, List<PeerRouter.Member>> groups = router.groupBy(m -> holders.contains(m.name()));
        List<String> have = Disagreement.memberNames(groups.getOrDefault(true, List.of()));
        List<String> lack = Disagreement.memberNames(groups.getOrDefault(false, List.of()));
        List<Boolean> outliers = Disagreement.outliers(groups);
        if (outliers.contains(true)) {
            for (Held h : held) {
                out.add(DiagnosticCode.PEER_VIP_DRIFT, router, h.member(), h.address().node(), h.name() + " has "
                    + h.address().cidr() + " in " + keyword + " that " + Disagreement.names(lack, "lacks", "lack") + consequence);
            }
        }
        if (outliers.contains(false)) {
            for (PeerRouter.Member member : groups.get(false)) {
                Statement at = member.instance().node().child(keyword).orElse(member.instance().node());
                out.add(DiagnosticCode.PEER_VIP_DRIFT, router, member, at, member.name() + " lacks " + held.get(0).address().cidr()
                    + " in " + keyword + " that " + Disagreement.names(have, "has", "have") + consequence);
            }
        }
    }

    private void prefix(PeerRouter router, String keyword, List<Held> held) {
        Map<Integer, List<Held>> byPrefix = Disagreement.group(held, h -> prefixLength(h.address()));
        Map<String, List<Held>> groups = new LinkedHashMap<>(); // keyed by the first holder's spelling, for the message
        byPrefix.values().forEach(g -> groups.put(g.get(0).address().cidr(), g));
        for (String cidr : Disagreement.outliers(groups)) {
            for (Held h : groups.get(cidr)) {
                out.add(DiagnosticCode.PEER_VIP_DRIFT, router, h.member(), h.address().node(), h.name() + " has " + h.address().cidr()
                    + " in " + keyword + " but " + Disagreement.others(groups, cidr, Held::name)
                    + "; the master's subnet route depends on which member it is");
            }
        }
    }

    private void details(PeerRouter router, String keyword, List<Held> held) {
        List<Function<Held, String>> differing = new ArrayList<>();
        for (Function<Held, String> facet : List.<Function<Held, String>>of(VipComparison::dev,
            h -> h.address().label().map(l -> "label " + l).orElse("no label"),
            h -> h.address().scope().map(sc -> "scope " + sc).orElse("no scope"))) {
            if (held.stream().map(facet).distinct().count() > 1) differing.add(facet);
        }
        if (differing.isEmpty()) return;
        Map<String, List<Held>> groups = Disagreement.group(held,
            h -> differing.stream().map(f -> f.apply(h)).collect(Collectors.joining(", ")));
        for (String value : Disagreement.outliers(groups)) {
            for (Held h : groups.get(value)) {
                out.add(DiagnosticCode.PEER_VIP_DETAIL_DRIFT, router, h.member(), h.address().node(), h.name() + " gives "
                    + h.address().cidr() + " (" + keyword + ") " + value + " but " + Disagreement.others(groups, value, Held::name));
            }
        }
    }

    /**
     * The dev as it takes effect: naming the instance's own interface is the same as no dev, so Neutron's
     * per-node HA port names (ha-XXXX, different on every node) do not count as drift.
     */
    private static String dev(Held held) {
        Optional<String> interfaceName = held.member().instance().interfaceName();
        return held.address().dev().filter(d -> !interfaceName.equals(Optional.of(d))).map(d -> "dev " + d)
            .orElse("the instance's interface as dev");
    }

    private static int prefixLength(VrrpInstance.VirtualAddress address) {
        return address.prefixLength().orElse(address.address().contains(":") ? 128 : 32);
    }
}
