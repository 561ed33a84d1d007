package org.keepwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerCheckerTest {
    /** The lab's three-node router: n1 MASTER 150, n2 BACKUP 100, n3 BACKUP 50. */
    private static final String LAB = """
        vrrp_instance VI_1 {
            state STATE
            interface eth0
            virtual_router_id 51
            priority PRIO
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass kwlab1
            }
            virtual_ipaddress {
                10.77.0.101/24 dev eth0
            }
        }
        """;

    private static final String NEUTRON = new String(TestConfigs.neutron(), StandardCharsets.UTF_8);

    private static String lab(int node) {
        return LAB.replace("STATE", node == 1 ? "MASTER" : "BACKUP").replace("PRIO", String.valueOf(200 - 50 * node));
    }

    private static String file(String member) {
        return "/nodes/" + member + "/keepalived.conf";
    }

    private static PeerMember member(String name, String text) {
        return PeerMember.of(name, new ConfigParser().parse(file(name), text), name);
    }

    /** Members n1, n2, ... with the given configurations. */
    private static PeerReport check(String... texts) {
        List<PeerMember> members = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) members.add(member("n" + (i + 1), texts[i]));
        return new PeerChecker().check(members);
    }

    private static List<String> codes(PeerReport report) {
        return report.findings().stream().map(f -> f.member() + " " + f.diagnostic().code()).toList();
    }

    @Test
    void theLabClusterIsOneConsistentRouter() {
        PeerReport report = check(lab(1), lab(2), lab(3));
        assertThat(report.findings()).isEmpty();
        assertThat(report.verdict()).isEqualTo(LintReport.Grade.CLEAN);
        assertThat(report.routers()).singleElement().satisfies(r -> {
            assertThat(r.label()).isEqualTo("VI_1 (VRID 51)");
            assertThat(r.memberNames()).containsExactly("n1", "n2", "n3");
        });
    }

    @Test
    void aVipAddedOnOneNodeOnlyIsKeepalivedIssue1603() {
        String n2 = lab(2).replace("10.77.0.101/24 dev eth0\n", "10.77.0.101/24 dev eth0\n        10.77.0.102/24 dev eth0\n");
        PeerReport report = check(lab(1), n2, lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.router()).isEqualTo("VI_1 (VRID 51)");
            assertThat(f.diagnostic().code()).isEqualTo("peer-vip-drift");
            assertThat(f.diagnostic().severity()).isEqualTo(Severity.ERROR);
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n2"), 13, 9));
            assertThat(f.diagnostic().message()).contains("n2 has 10.77.0.102/24 in virtual_ipaddress that n1 and n3 lack")
                .contains("#1603");
        });
        assertThat(report.verdict()).isEqualTo(LintReport.Grade.ERRORS);
    }

    @Test
    void inAPairNeitherSideIsTakenToBeRightSoBothAreTold() {
        String n2 = lab(2).replace("10.77.0.101/24 dev eth0\n", "10.77.0.101/24 dev eth0\n        10.77.0.102/24 dev eth0\n");
        PeerReport report = check(lab(1), n2);
        assertThat(report.findings()).extracting(f -> f.member() + " " + f.diagnostic().location().line() + " " + f.diagnostic().message())
            .containsExactly(
                "n1 11 (VI_1) n1 lacks 10.77.0.102/24 in virtual_ipaddress that n2 has; adverts no longer match,"
                    + " so members ignore each other and each becomes MASTER (keepalived #1603)",
                "n2 13 (VI_1) n2 has 10.77.0.102/24 in virtual_ipaddress that n1 lacks; adverts no longer match,"
                    + " so members ignore each other and each becomes MASTER (keepalived #1603)");
    }

    @Test
    void aVipMissingOnOneNodeIsReportedAtThatNodesList() {
        String two = "10.77.0.101/24 dev eth0\n        10.77.0.102/24 dev eth0\n";
        PeerReport report = check(lab(1).replace("10.77.0.101/24 dev eth0\n", two), lab(2).replace("10.77.0.101/24 dev eth0\n", two), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n3");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n3"), 11, 5));
            assertThat(f.diagnostic().message()).contains("n3 lacks 10.77.0.102/24 in virtual_ipaddress that n1 and n2 have");
        });
    }

    @Test
    void aDifferentPrefixIsADifferentVip() {
        PeerReport report = check(lab(1), lab(2).replace("10.77.0.101/24", "10.77.0.101/32"), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().code()).isEqualTo("peer-vip-drift");
            assertThat(f.diagnostic().location().line()).isEqualTo(12);
            assertThat(f.diagnostic().message()).contains("n2 has 10.77.0.101/32 in virtual_ipaddress but n1 and n3 have 10.77.0.101/24");
        });
    }

    @Test
    void devLabelOrScopeDriftIsAWarningAndTheInterfaceItselfCountsAsNoDev() {
        PeerReport label = check(lab(1), lab(2).replace("dev eth0\n", "dev eth0 label eth0:vip\n"), lab(3));
        assertThat(label.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().code()).isEqualTo("peer-vip-detail-drift");
            assertThat(f.diagnostic().severity()).isEqualTo(Severity.WARNING);
            assertThat(f.diagnostic().message()).contains("n2 gives 10.77.0.101/24 (virtual_ipaddress) label eth0:vip but n1 and n3 have no label");
        });
        assertThat(label.verdict()).isEqualTo(LintReport.Grade.WARNINGS);
        assertThat(check(lab(1), lab(2).replace(" dev eth0\n", "\n"), lab(3)).findings()).isEmpty();
        assertThat(check(lab(1), lab(2).replace("dev eth0\n", "dev eth1\n"), lab(3)).findings())
            .extracting(f -> f.diagnostic().code() + " " + f.diagnostic().message())
            .containsExactly("peer-vip-detail-drift (VI_1) n2 gives 10.77.0.101/24 (virtual_ipaddress) dev eth1"
                + " but n1 and n3 have the instance's interface as dev");
    }

    @Test
    void neutronNodesWithTheirOwnHaPortNamesAreConsistent() {
        String other = NEUTRON.replace("ha-9a1c3e27-4f", "ha-41d07b6e-02");
        PeerReport report = check(NEUTRON, other);
        assertThat(report.findings()).isEmpty(); // equal priority 50 with nopreempt is Neutron's design, not a finding
        assertThat(report.routers()).singleElement().satisfies(r -> assertThat(r.label()).isEqualTo("VR_1 (VRID 1)"));
    }

    @Test
    void excludedAddressDriftIsAnError() {
        String other = NEUTRON.replace("ha-9a1c3e27-4f", "ha-41d07b6e-02").replace("        172.24.4.10/24 dev qg-0f3e9a71-c2\n", "");
        PeerReport report = check(NEUTRON, other, NEUTRON.replace("ha-9a1c3e27-4f", "ha-77aa0c11-5d"));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().code()).isEqualTo("peer-vip-drift");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n2"), 19, 5));
            assertThat(f.diagnostic().message()).contains("n2 lacks 172.24.4.10/24 in virtual_ipaddress_excluded that n1 and n3 have");
        });
    }

    @Test
    void advertIntDriftPointsAtTheLineAndDefaultsCount() {
        PeerReport report = check(lab(1), lab(2), lab(3).replace("advert_int 1", "advert_int 2"));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n3");
            assertThat(f.diagnostic().code()).isEqualTo("peer-setting-drift");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n3"), 6, 5));
            assertThat(f.diagnostic().message()).contains("n3 has advert_int 2 but n1 and n2 have advert_int 1");
        });
        assertThat(check(lab(1), lab(2).replace("    advert_int 1\n", ""), lab(3).replace("advert_int 1", "advert_int 1.0")).findings())
            .isEmpty();
    }

    @Test
    void versionDriftFromTheInstanceOrFromGlobalDefs() {
        PeerReport instance = check(lab(1), lab(2).replace("advert_int 1\n", "advert_int 1\n    version 3\n"), lab(3));
        assertThat(instance.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().location().line()).isEqualTo(7);
            assertThat(f.diagnostic().message()).contains("n2 has VRRP version 3 but n1 and n3 have VRRP version 2");
        });
        PeerReport global = check(lab(1), "global_defs {\n    vrrp_version 3\n}\n" + lab(2), lab(3));
        assertThat(global.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n2"), 2, 5));
        });
        assertThat(check(lab(1).replace("advert_int 1\n", "advert_int 1\n    version 2\n"), lab(2), lab(3)).findings()).isEmpty();
    }

    @Test
    void authenticationDriftNeverPrintsThePassword() {
        PeerReport report = check(lab(1), lab(2).replace("kwlab1", "kwlab2"), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n2"), 7, 5));
            assertThat(f.diagnostic().message())
                .contains("n2 has auth_type PASS (secret #2) but n1 and n3 have auth_type PASS (secret #1)")
                .doesNotContain("kwlab");
        });
        assertThat(check(lab(1), lab(2).replaceAll("(?s)    authentication \\{.*?\\n    }\\n", ""), lab(3)).findings())
            .extracting(f -> f.member() + " " + f.diagnostic().message())
            .singleElement().asString().contains("n2 has no authentication but n1 and n3 have auth_type PASS");
    }

    @Test
    void passwordsAreComparedAsKeepalivedUsesThemAndIgnoredWithVersion3() {
        assertThat(check(lab(1).replace("kwlab1", "kwlab123-a"), lab(2).replace("kwlab1", "kwlab123-b")).findings())
            .noneMatch(f -> f.diagnostic().code().equals("peer-setting-drift"));
        String v3 = "global_defs {\n    vrrp_version 3\n}\n";
        assertThat(check(v3 + lab(1), v3 + lab(2).replace("kwlab1", "other")).findings()).isEmpty();
    }

    private static String unicast(int node, String peers) {
        return lab(node).replace("    virtual_ipaddress {", "    unicast_src_ip 10.77.0.1" + node + "\n    unicast_peer {\n" + peers
            + "    }\n    virtual_ipaddress {");
    }

    private static String peers(int... nodes) {
        StringBuilder out = new StringBuilder();
        for (int n : nodes) out.append("        10.77.0.1").append(n).append('\n');
        return out.toString();
    }

    @Test
    void mutualUnicastPeersAreConsistent() {
        assertThat(check(unicast(1, peers(2, 3)), unicast(2, peers(1, 3)), unicast(3, peers(1, 2))).findings()).isEmpty();
        // a node listing itself too (one template for all nodes) is harmless
        assertThat(check(unicast(1, peers(1, 2)), unicast(2, peers(1, 2))).findings()).isEmpty();
    }

    @Test
    void aPeerThatDoesNotListThisNodeBack() {
        PeerReport report = check(unicast(1, peers(2, 3)), unicast(2, peers(1, 3)), unicast(3, peers(2)));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n3");
            assertThat(f.diagnostic().code()).isEqualTo("peer-unicast-not-mutual");
            assertThat(f.diagnostic().severity()).isEqualTo(Severity.ERROR);
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n3"), 12, 5));
            assertThat(f.diagnostic().message()).contains("n3's unicast_peer lacks 10.77.0.11, the unicast_src_ip of n1");
        });
    }

    @Test
    void aListedPeerThatIsNoMembersSource() {
        PeerReport report = check(unicast(1, peers(2, 9)), unicast(2, peers(1)));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n1");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n1"), 14, 9));
            assertThat(f.diagnostic().message()).contains("n1 lists unicast peer 10.77.0.19, which is not the unicast_src_ip of n2");
        });
    }

    @Test
    void withoutUnicastSrcIpMutualityCannotBeCheckedAndSaysSo() {
        String n2 = unicast(2, peers(1)).replace("    unicast_src_ip 10.77.0.12\n", "");
        PeerReport report = check(unicast(1, peers(2)), n2);
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.diagnostic().code()).isEqualTo("peer-unicast-unchecked");
            assertThat(f.diagnostic().severity()).isEqualTo(Severity.WARNING);
            assertThat(f.diagnostic().message()).contains("n2 has no unicast_src_ip").contains("whether n1 list it");
        });
    }

    @Test
    void unicastAndMulticastMembersNeverHearEachOther() {
        PeerReport report = check(unicast(1, peers(2, 3)), unicast(2, peers(1, 3)), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n3");
            assertThat(f.diagnostic().code()).isEqualTo("peer-unicast-not-mutual");
            assertThat(f.diagnostic().message()).contains("n3 sends multicast adverts but n1 and n2 use unicast_peer");
        });
    }

    @Test
    void equalPrioritiesAreAWarningOnEachTiedMember() {
        PeerReport report = check(lab(1), lab(2), lab(3).replace("priority 50", "priority 100"));
        assertThat(codes(report)).containsExactly("n2 peer-equal-priority", "n3 peer-equal-priority");
        assertThat(report.findings().get(1).diagnostic().location()).isEqualTo(new Location(file("n3"), 5, 5));
        assertThat(report.findings().get(1).diagnostic().message()).contains("n3 has priority 100 like n2");
        assertThat(report.verdict()).isEqualTo(LintReport.Grade.WARNINGS);
    }

    private static final String SECOND = """
        vrrp_instance VI_2 {
            interface eth0
            virtual_router_id 52
            priority PRIO
            virtual_ipaddress {
                10.77.0.102/24
            }
        }
        """;

    @Test
    void aMemberWithoutTheRouterTheOthersRun() {
        PeerReport report = check(lab(1) + SECOND.replace("PRIO", "150"), lab(2) + SECOND.replace("PRIO", "100"), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n3");
            assertThat(f.router()).isEqualTo("VI_2 (VRID 52)");
            assertThat(f.diagnostic().code()).isEqualTo("peer-missing-instance");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n3"), 1, 1));
            assertThat(f.diagnostic().message()).contains("n3 has no vrrp_instance of VI_2 (VRID 52) that n1 and n2 run");
        });
        PeerReport leftover = check(lab(1) + SECOND.replace("PRIO", "150"), lab(2), lab(3));
        assertThat(leftover.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n1");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n1"), 15, 1));
            assertThat(f.diagnostic().message()).contains("n1 runs VI_2 (VRID 52) that n2 and n3 have no instance of");
        });
    }

    private static String router(String name, int vrid, String iface, String vip, int priority) {
        return "vrrp_instance " + name + " {\n    interface " + iface + "\n    virtual_router_id " + vrid + "\n    priority " + priority
            + "\n    virtual_ipaddress {\n        " + vip + "\n    }\n}\n";
    }

    @Test
    void aVridReusedByAnotherRouterOnTheSameNetwork() {
        PeerReport report = check(router("web", 51, "eth0", "10.0.0.1/24", 150), router("db", 51, "eth0", "10.0.0.2/24", 100));
        assertThat(report.routers()).hasSize(2);
        assertThat(codes(report)).containsExactly("n1 peer-vrid-reused", "n2 peer-vrid-reused"); // not also "missing"
        PeerFinding first = report.findings().get(0);
        assertThat(first.diagnostic().location()).isEqualTo(new Location(file("n1"), 3, 5));
        assertThat(first.diagnostic().message()).contains("n1 uses VRID 51 on eth0 and so does db on n2 (10.0.0.2/24), a different router")
            .contains("no address in common");
    }

    @Test
    void oneVridOnDifferentlyNamedInterfacesIsTwoNetworks() {
        PeerReport report = check(router("web", 51, "eth0", "10.0.0.1/24", 150), router("db", 51, "eth1", "10.1.0.1/24", 100));
        assertThat(codes(report)).doesNotContain("n1 peer-vrid-reused", "n2 peer-vrid-reused")
            .containsExactly("n1 peer-missing-instance", "n1 peer-missing-instance", "n2 peer-missing-instance", "n2 peer-missing-instance");
        String both = router("a", 51, "eth0", "10.0.0.1/24", 150) + router("b", 51, "eth1", "10.1.0.1/24", 150);
        String other = router("a", 51, "eth0", "10.0.0.1/24", 100) + router("b", 51, "eth1", "10.1.0.1/24", 100);
        PeerReport twoNetworks = check(both, other);
        assertThat(twoNetworks.findings()).isEmpty();
        assertThat(twoNetworks.routers()).extracting(PeerRouter::label).containsExactly("a (VRID 51)", "b (VRID 51)");
    }

    @Test
    void instancesAreOneRouterBySharedAddressWhateverTheirNames() {
        PeerReport renamed = check(router("gateway", 51, "eth0", "10.0.0.1/24", 150), router("VI_1", 51, "ens3", "10.0.0.1/24", 100));
        assertThat(renamed.findings()).isEmpty();
        assertThat(renamed.routers()).singleElement().satisfies(r -> assertThat(r.memberNames()).containsExactly("n1", "n2"));
        // same name, no address in common: one router whose VIPs drifted (a half-done change), not a reused VRID
        PeerReport moved = check(router("VI_1", 51, "eth0", "10.0.0.1/24", 150), router("VI_1", 51, "eth0", "10.0.0.2/24", 100));
        assertThat(moved.routers()).hasSize(1);
        assertThat(codes(moved)).containsOnly("n1 peer-vip-drift", "n2 peer-vip-drift").hasSize(4);
    }

    @Test
    void routersSharingOneVipArePairedByTheirOtherAddressesWhateverTheOrder() {
        String a = router("VR_1", 1, "ha-a", "169.254.0.1/24", 50).replace("    }\n}", "    }\n    virtual_ipaddress_excluded {\n        10.0.1.1/24\n    }\n}");
        String b = router("VR_2", 1, "ha-b", "169.254.0.1/24", 60).replace("    }\n}", "    }\n    virtual_ipaddress_excluded {\n        10.0.2.1/24\n    }\n}");
        String n2 = b.replace("VR_2", "y").replace("ha-b", "ha-d").replace("60", "40")
            + a.replace("VR_1", "x").replace("ha-a", "ha-c").replace("50", "40");
        PeerReport report = check(a + b, n2);
        assertThat(report.findings()).isEmpty();
        assertThat(report.routers()).extracting(r -> r.members().get(0).instance().name() + "=" + r.members().get(1).instance().name())
            .containsExactly("VR_1=x", "VR_2=y");
    }

    @Test
    void oneAddressUnderTwoVridsIsAVridTypo() {
        PeerReport report = check(lab(1), lab(2).replace("virtual_router_id 51", "virtual_router_id 52"), lab(3));
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.member()).isEqualTo("n2");
            assertThat(f.router()).isEqualTo("VI_1 (VRID 52)");
            assertThat(f.diagnostic().code()).isEqualTo("peer-setting-drift");
            assertThat(f.diagnostic().location()).isEqualTo(new Location(file("n2"), 4, 5));
            assertThat(f.diagnostic().message()).contains("n2 serves 10.77.0.101 with VRID 52 but n1 and n3 serve it with VRID 51");
        });
    }

    @Test
    void aLinkLocalVipSharedByRoutersOnDifferentLinksIsNoVridTypo() {
        String vlans = router("v10", 10, "eth0.10", "fe80::1/64", 150).replace("fe80::1/64\n", "fe80::1/64\n        2001:db8:10::1/64\n")
            + router("v20", 20, "eth0.20", "fe80::1/64", 150).replace("fe80::1/64\n", "fe80::1/64\n        2001:db8:20::1/64\n");
        PeerReport report = check(vlans, vlans.replace("priority 150", "priority 100"));
        assertThat(report.findings()).isEmpty();
        assertThat(report.routers()).extracting(PeerRouter::label).containsExactly("v10 (VRID 10, IPv6)", "v20 (VRID 20, IPv6)");
        PeerReport typo = check(vlans, vlans.replace("priority 150", "priority 100").replace("virtual_router_id 20", "virtual_router_id 21"));
        assertThat(codes(typo)).containsExactly("n1 peer-setting-drift", "n2 peer-setting-drift");
    }

    @Test
    void addressFamiliesAreSeparateRouters() {
        PeerReport report = check(router("v4", 51, "eth0", "10.0.0.1/24", 150) + router("v6", 51, "eth0", "2001:db8::1/64", 150),
            router("v4", 51, "eth0", "10.0.0.1/24", 100) + router("v6", 51, "eth0", "2001:DB8:0::1/64", 100));
        assertThat(report.findings()).isEmpty();
        assertThat(report.routers()).extracting(PeerRouter::label).containsExactly("v4 (VRID 51)", "v6 (VRID 51, IPv6)");
    }

    @Test
    void theShippedVrrpSampleAndItsMirroredPeer() {
        String n1 = new String(TestConfigs.sample("keepalived.conf.vrrp"), StandardCharsets.UTF_8);
        String n2 = n1.replace("priority 100", "priority X").replace("priority 50", "priority 100").replace("priority X", "priority 50")
            .replace("state MASTER", "state BACKUP");
        PeerReport report = check(n1, n2);
        assertThat(report.findings()).isEmpty();
        assertThat(report.routers()).extracting(PeerRouter::label)
            .containsExactly("VI_2 (VRID 50)", "VI_1 (VRID 51)", "VI_3 (VRID 52)", "VI_4 (VRID 53)");
        PeerReport drift = check(n1, n2.replace("192.168.201.18\n", "192.168.201.18\n        192.168.201.19\n"));
        assertThat(drift.findings()).extracting(f -> f.member() + " " + f.router() + " " + f.diagnostic().code())
            .containsExactly("n1 VI_4 (VRID 53) peer-vip-drift", "n2 VI_4 (VRID 53) peer-vip-drift");
    }

    @Test
    void membersOfOneConditionalFileAreToldApartByConfigId() {
        ConfigDocument shared = new ConfigParser().parse("/etc/keepalived/keepalived.conf", TestConfigs.sample("keepalived.conf.conditional_conf"));
        PeerReport byId = new PeerChecker().check(List.of(PeerMember.of("high", shared, "high"), PeerMember.of("low", shared, "low")));
        assertThat(byId.findings()).isEmpty();
        PeerReport sameId = new PeerChecker().check(List.of(PeerMember.of("a", shared, "other"), PeerMember.of("b", shared, "other")));
        assertThat(codes(sameId)).containsExactly("a peer-equal-priority", "b peer-equal-priority");
        assertThat(sameId.findings()).allSatisfy(f -> assertThat(f.diagnostic().location().file()).isEqualTo("/etc/keepalived/keepalived.conf"));
    }

    @Test
    void everyFindingPointsIntoItsOwnMembersFile() {
        List<PeerMember> members = new ArrayList<>();
        List<ConfigDocument> documents = new ArrayList<>();
        for (String sample : TestConfigs.SAMPLES) {
            ConfigDocument document = new ConfigParser().parse("/samples/" + sample, TestConfigs.sample(sample));
            documents.add(document);
            members.add(PeerMember.of(sample, document, "high"));
        }
        PeerReport report = new PeerChecker().check(members);
        assertThat(report.findings()).hasSizeGreaterThan(25); // unrelated configs disagree on nearly everything
        assertThat(report.findings()).extracting(f -> f.diagnostic().code()).contains("peer-vip-drift", "peer-setting-drift",
            "peer-missing-instance", "peer-equal-priority", "peer-vrid-reused");
        for (PeerFinding finding : report.findings()) {
            ConfigDocument own = documents.get(TestConfigs.SAMPLES.indexOf(finding.member()));
            Location at = finding.diagnostic().location();
            assertThat(own.file(at.file())).as(finding.toString()).hasValueSatisfying(file ->
                assertThat(at.line()).isBetween(1, file.lineCount()));
            assertThat(finding.diagnostic().message()).as(finding.toString()).contains(finding.member());
        }
    }

    @Test
    void memberNamesMustBeUnique() {
        assertThatThrownBy(() -> new PeerChecker().check(List.of(member("n1", lab(1)), member("n1", lab(2)))))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n1");
    }
}
