package org.keepwatch.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compares the settings every member of a router must share, as they take effect (defaults filled in):
 * advert_int, VRRP version and authentication; and warns of equal priorities, where VRRP falls back to
 * comparing addresses. Passwords are compared but never printed: the report may end up in a ticket.
 */
final class SettingComparison {
    private static final String BOTH_MASTER = "; members drop each other's adverts and each becomes MASTER";
    private final PeerFindings out;

    SettingComparison(PeerFindings out) {
        this.out = out;
    }

    void compare(PeerRouter router) {
        if (router.members().size() < 2) return;
        setting(router, "advert_int", m -> "advert_int " + seconds(m.instance().advertInt().orElse(1)), m -> at(m, "advert_int"));
        setting(router, "version", m -> "VRRP version " + m.member().version(m.instance()), SettingComparison::versionLine);
        // keepalived ignores authentication with VRRPv3; it only matters where some member speaks v2
        if (router.members().stream().anyMatch(m -> m.member().version(m.instance()) == 2)) {
            List<String> passwords = new ArrayList<>();
            setting(router, "authentication", m -> authentication(m.instance(), passwords), m -> at(m, "authentication"));
        }
        priorities(router);
    }

    private void setting(PeerRouter router, String what, Function<PeerRouter.Member, String> value,
                         Function<PeerRouter.Member, Statement> where) {
        Map<String, List<PeerRouter.Member>> groups = router.groupBy(value);
        for (String outlier : Disagreement.outliers(groups)) {
            for (PeerRouter.Member member : groups.get(outlier)) {
                out.add(DiagnosticCode.PEER_SETTING_DRIFT, router, member, where.apply(member), member.name() + " has "
                    + outlier + " but " + Disagreement.others(groups, outlier, PeerRouter.Member::name) + BOTH_MASTER);
            }
        }
    }

    private void priorities(PeerRouter router) {
        Map<Integer, List<PeerRouter.Member>> groups = router.groupBy(m -> m.instance().effectivePriority());
        groups.forEach((priority, tied) -> {
            // all nopreempt is deliberate (Neutron: every node 50): whoever is MASTER stays, the tie only matters at start
            if (tied.size() < 2 || tied.stream().allMatch(m -> m.instance().nopreempt())) return;
            for (PeerRouter.Member member : tied) {
                List<String> others = tied.stream().map(PeerRouter.Member::name).filter(n -> !n.equals(member.name())).toList();
                out.add(DiagnosticCode.PEER_EQUAL_PRIORITY, router, member, at(member, "priority"), member.name()
                    + " has priority " + priority + " like " + Disagreement.names(others)
                    + "; VRRP breaks the tie by the higher primary IP address, not by configuration");
            }
        });
    }

    /** "no authentication", "auth_type PASS (secret #1)": equal secrets get equal numbers, in order of appearance. */
    private static String authentication(VrrpInstance instance, List<String> passwords) {
        if (instance.authentication().flatMap(VrrpInstance.Authentication::type).isEmpty()) return "no authentication";
        VrrpInstance.Authentication auth = instance.authentication().get();
        String pass = auth.pass().map(p -> p.length() > 8 ? p.substring(0, 8) : p).orElse(""); // keepalived uses 8 characters
        if (!passwords.contains(pass)) passwords.add(pass);
        return "auth_type " + auth.type().get() + " (secret #" + (passwords.indexOf(pass) + 1) + ")";
    }

    private static Statement versionLine(PeerRouter.Member member) {
        if (member.instance().node().child("version").isPresent()) return at(member, "version");
        return member.member().config().globalDefs().node().flatMap(g -> g.child("vrrp_version"))
            .orElse(member.instance().node());
    }

    static Statement at(PeerRouter.Member member, String keyword) {
        return member.instance().node().child(keyword).orElse(member.instance().node());
    }

    private static String seconds(double value) {
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }
}
