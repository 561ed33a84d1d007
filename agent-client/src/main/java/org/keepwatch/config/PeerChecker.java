package org.keepwatch.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Peer consistency: given the configuration of every member of a cluster, finds the VRRP routers they
 * form and what the members disagree on. The app shows this report before a rolling push; the CLI runs
 * it as {@code keepwatch peers}.
 *
 * <h2>API</h2>
 * <pre>{@code
 * List<PeerMember> members = List.of(
 *     PeerMember.of("n1", parser.load("n1/keepalived.conf"), "n1"),   // name, document, config id
 *     PeerMember.of("n2", parser.load("n2/keepalived.conf"), "n2"));
 * PeerReport report = new PeerChecker().check(members);
 * report.routers();            // PeerRouter: VRID, family, each member's VrrpInstance
 * report.findings();           // PeerFinding: member, router label, Diagnostic (file:line:column in that member's file)
 * report.verdict();            // CLEAN, WARNINGS or ERRORS, as for lint
 * }</pre>
 * Member names must be unique; locations point into the member's own files, so two members may share
 * a path (both {@code /etc/keepalived/keepalived.conf}) and still be told apart by {@link PeerFinding#member()}.
 *
 * <h2>Which instances are one router</h2>
 * A configuration does not say which network an interface is on, so identity is inferred: instances of
 * different members are candidates for one router when they share a VRID and address family (the family
 * of their first VIP, as keepalived decides it). Among candidates, instances sharing addresses (virtual or
 * excluded; link-local ones such as Neutron's 169.254.0.1 or fe80::1 do not count, being unique only per
 * link) or a name are joined, most shared addresses first, then same name, then same interface name; a
 * member never has two instances in one router. Names therefore need not match, and a VIP drift where
 * names match still finds its router.
 *
 * <h2>VRID reuse</h2>
 * Candidates left in different routers (no address and no name in common) are two routers with one VRID.
 * They are on one network, and reported as {@code peer-vrid-reused}, when instances of each on different
 * members use the same interface name; on differently named interfaces they are taken to be on different
 * networks, where one VRID twice is legitimate. One address served by routers with different VRIDs is
 * reported as {@code peer-setting-drift} (a VRID typed differently on one member).
 *
 * <h2>What is compared</h2>
 * Errors: virtual_ipaddress and virtual_ipaddress_excluded as address/prefix ({@code peer-vip-drift}),
 * advert_int, version and authentication (type and first 8 characters of the password; skipped when every
 * member speaks VRRPv3, which ignores it) as they take effect with defaults ({@code peer-setting-drift}),
 * unicast vs multicast and unicast_src_ip/unicast_peer mutuality ({@code peer-unicast-not-mutual}).
 * Warnings: a VIP's dev (other than the instance's own interface), label or scope ({@code peer-vip-detail-drift}),
 * equal priorities unless every tied member has nopreempt, as Neutron configures ({@code peer-equal-priority}),
 * a unicast member without unicast_src_ip ({@code peer-unicast-unchecked}), a member without an instance of
 * a router the others run ({@code peer-missing-instance}). A finding goes to the members that differ from a
 * strict majority, or to every side when there is none. Not compared: garp settings, tracking, notify
 * scripts and preemption, which change how one node behaves, not whether the members agree on the router.
 */
public final class PeerChecker {

    public PeerReport check(List<PeerMember> members) {
        Set<String> names = new HashSet<>();
        for (PeerMember member : members) {
            if (!names.add(member.name())) throw new IllegalArgumentException("member " + member.name() + " given twice");
        }
        List<PeerRouter> routers = RouterMatcher.match(members);
        PeerFindings out = new PeerFindings();
        VipComparison vips = new VipComparison(out);
        SettingComparison settings = new SettingComparison(out);
        UnicastComparison unicast = new UnicastComparison(out);
        for (PeerRouter router : routers) {
            vips.compare(router);
            settings.compare(router);
            unicast.compare(router);
        }
        new RouterConflicts(out).check(members, routers);
        List<String> order = members.stream().map(PeerMember::name).toList();
        List<PeerFinding> findings = new ArrayList<>(out.all());
        findings.sort(Comparator.comparingInt((PeerFinding f) -> order.indexOf(f.member()))
            .thenComparing(f -> f.diagnostic().location().file())
            .thenComparingInt(f -> f.diagnostic().location().line())
            .thenComparingInt(f -> f.diagnostic().location().column()));
        return new PeerReport(routers, findings);
    }
}
