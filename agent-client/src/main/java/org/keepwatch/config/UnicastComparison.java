package org.keepwatch.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks that a router's members reach each other: all multicast or all unicast, and with unicast, each
 * member's unicast_src_ip in every other member's unicast_peer list, and each listed peer some member's
 * source. A member without unicast_src_ip sends from its interface's primary address, which the
 * configuration does not tell, so its part cannot be checked and is said so.
 */
final class UnicastComparison {
    private final PeerFindings out;

    UnicastComparison(PeerFindings out) {
        this.out = out;
    }

    void compare(PeerRouter router) {
        if (router.members().size() < 2) return;
        Map<Boolean, List<PeerRouter.Member>> modes = router.groupBy(m -> !m.instance().unicastPeers().isEmpty());
        List<String> unicastNames = Disagreement.memberNames(modes.getOrDefault(true, List.of()));
        List<String> multicastNames = Disagreement.memberNames(modes.getOrDefault(false, List.of()));
        for (boolean unicast : Disagreement.outliers(modes)) {
            for (PeerRouter.Member member : modes.get(unicast)) {
                out.add(DiagnosticCode.PEER_UNICAST_NOT_MUTUAL, router, member, SettingComparison.at(member, "unicast_peer"), unicast
                    ? member.name() + " sends adverts to its unicast_peer list but " + Disagreement.names(multicastNames, "sends", "send")
                      + " multicast, which " + member.name() + " does not listen to; each side becomes MASTER"
                    : member.name() + " sends multicast adverts but " + Disagreement.names(unicastNames, "uses", "use")
                      + " unicast_peer and never " + (unicastNames.size() == 1 ? "sends" : "send") + " to it; each side becomes MASTER");
            }
        }
        List<PeerRouter.Member> unicast = modes.getOrDefault(true, List.of());
        if (unicast.size() >= 2) mutual(router, unicast);
    }

    private void mutual(PeerRouter router, List<PeerRouter.Member> unicast) {
        for (PeerRouter.Member member : unicast) {
            Optional<String> source = source(member);
            if (source.isEmpty()) {
                List<String> others = Disagreement.memberNames(unicast).stream().filter(n -> !n.equals(member.name())).toList();
                out.add(DiagnosticCode.PEER_UNICAST_UNCHECKED, router, member, member.instance().node(), member.name()
                    + " has no unicast_src_ip; it sends from the primary address of " + member.instance().interfaceName().orElse("its interface")
                    + ", so whether " + Disagreement.names(others) + " list it in unicast_peer cannot be checked");
                continue;
            }
            for (PeerRouter.Member other : unicast) {
                if (other == member || peers(other).contains(source.get())) continue;
                out.add(DiagnosticCode.PEER_UNICAST_NOT_MUTUAL, router, other, SettingComparison.at(other, "unicast_peer"),
                    other.name() + "'s unicast_peer lacks " + member.instance().unicastSrcIp().orElse("") + ", the unicast_src_ip of "
                        + member.name() + ": " + other.name() + " never sends its adverts there, so " + member.name()
                        + " becomes MASTER too");
            }
        }
        // an unknown source (multicast members included) may be any listed peer
        if (router.members().stream().anyMatch(m -> source(m).isEmpty())) return;
        for (PeerRouter.Member member : unicast) {
            List<PeerRouter.Member> others = router.members().stream().filter(m -> m != member).toList();
            Set<String> otherSources = others.stream().map(m -> source(m).orElseThrow()).collect(Collectors.toSet());
            for (VrrpInstance.UnicastPeer peer : member.instance().unicastPeers()) {
                String address = Addresses.canonical(peer.address());
                // a node listing itself is a common template habit, not a broken link
                if (otherSources.contains(address) || source(member).filter(address::equals).isPresent()) continue;
                out.add(DiagnosticCode.PEER_UNICAST_NOT_MUTUAL, router, member, peer.node(), member.name() + " lists unicast peer "
                    + peer.address() + ", which is not the unicast_src_ip of " + Disagreement.names(Disagreement.memberNames(others))
                    + " (a member not given here, or an old address)");
            }
        }
    }

    private static Optional<String> source(PeerRouter.Member member) {
        return member.instance().unicastSrcIp().map(Addresses::canonical);
    }

    private static Set<String> peers(PeerRouter.Member member) {
        return member.instance().unicastPeers().stream().map(p -> Addresses.canonical(p.address())).collect(Collectors.toSet());
    }
}
