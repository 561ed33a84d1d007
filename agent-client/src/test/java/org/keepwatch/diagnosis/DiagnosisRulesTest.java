package org.keepwatch.diagnosis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.keepwatch.agent.DiagnoseReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diagnosis' rules on members' answers made as the agent makes them (docs/protocol.md, diagnose). */
class DiagnosisRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VRID = 51;

    /** One member's answer, built up: its instance, its addresses, what it heard. */
    private static final class Member {
        final String node;
        final String address;
        final ObjectNode report = JSON.createObjectNode();
        final ObjectNode instance;

        Member(String node, String address, String state, int priority) {
            this.node = node;
            this.address = address;
            report.put("daemon", "keepalived").put("alive", true).put("responsive", true).put("window_s", 3.0);
            report.putObject("dumps").put("before", true).put("after", true);
            instance = report.putArray("instances").addObject().put("instance", "VI_1").put("vrid", VRID)
                    .put("state", state).put("interface", "eth0").put("version", 2).put("advert_int", 1.0)
                    .put("auth_type", "PASS").put("auth_fingerprint", "aaaa").put("effective_priority", priority);
            instance.putArray("vips").add("10.77.0.101/24");
            instance.putObject("stats_moved");
            report.putArray("senders");
            report.putArray("links").addObject().put("ifname", "eth0").put("up", true).put("carrier", true);
            report.putArray("addresses").addObject().put("ifname", "eth0").put("address", address).put("prefix", 24);
            report.putObject("firewall").put("looked", true).putArray("drops");
            report.putObject("listen").put("packets", 0).put("malformed", 0).put("complete", true);
        }

        Member hears(Member sender, int priority) {
            return hears(sender.address, priority, "aaaa");
        }

        Member hears(String source, int priority, String fingerprint) {
            ((ArrayNode) report.get("senders")).addObject().put("interface", "eth0").put("family", 4)
                    .put("source", source).put("vrid", VRID).put("version", 2).put("priority", priority)
                    .put("advert_int_s", 1.0).put("auth_type", "PASS").put("auth_fingerprint", fingerprint)
                    .put("address_count", 1).put("packets", 3).put("ttl", 255).putArray("addresses").add("10.77.0.101");
            return this;
        }

        MemberEvidence evidence() {
            return MemberEvidence.of(node, "keepalived", "VI_1", DiagnoseReport.of(report));
        }
    }

    private static Diagnosis judge(Member... members) {
        List<MemberEvidence> evidence = new ArrayList<>();
        for (Member m : members) {
            evidence.add(m.evidence());
        }
        return DiagnosisRules.judge("VI_1 (VRID 51)", VRID, evidence);
    }

    private Member n1 = new Member("n1", "10.77.0.11", "MASTER", 150);
    private Member n2 = new Member("n2", "10.77.0.12", "BACKUP", 100);
    private Member n3 = new Member("n3", "10.77.0.13", "BACKUP", 50);

    @Test
    void aHealthyRouterHasNothingFoundAndSaysWhoHearsWhom() {
        n2.hears(n1, 150);
        n3.hears(n1, 150);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.NONE_FOUND, d.verdict().cause(), d.toString());
        assertTrue(d.verdict().evidence().contains("n2 heard n1 (10.77.0.11) priority 150, 3 adverts (it is BACKUP)"),
                d.verdict().evidence().toString());
        assertEquals(List.of(new Hearing("n2", "n1", false, 3, java.util.OptionalInt.of(150)),
                new Hearing("n3", "n1", false, 3, java.util.OptionalInt.of(150))), d.hearing().stream()
                .filter(h -> h.heard()).toList());
    }

    @Test
    void aMemberCutOffIsThePartitionsMember() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n3.hears(n2, 100);                  // n1 hears no one, no one hears n1; n3 hears n2
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.PARTITION, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n1"), d.verdict().pointsAt());
    }

    @Test
    void everyMemberAloneIsAPartitionOfEveryone() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n3 = new Member("n3", "10.77.0.13", "MASTER", 50);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.PARTITION, d.verdict().cause(), d.toString());
        assertEquals(Optional.empty(), d.verdict().pointsAt());
        assertTrue(d.verdict().sentence().startsWith("No member hears any other"), d.verdict().sentence());
    }

    @Test
    void twoMembersDeafToEachOtherAreNotBlamedOneOverTheOther() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        Diagnosis d = judge(n1, n2);
        assertEquals(Cause.PARTITION, d.verdict().cause(), d.toString());
        assertEquals(Optional.empty(), d.verdict().pointsAt());
    }

    @Test
    void vrrpLostOnItsWayIntoOneMember() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n1.hears(n2, 100);
        n3.hears(n1, 150).hears(n2, 100);   // n2 hears nothing, though its peers hear n1
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.ONE_WAY_LOSS, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n2"), d.verdict().pointsAt());
        assertEquals("n2 does not hear n1's adverts, though n3 hears them: VRRP is lost on its way into n2.",
                d.verdict().sentence());
    }

    @Test
    void vrrpLostOnItsWayOutOfOneMemberBlamesItAloneNotTheOnesThatCannotHearIt() {
        // the lab's vrrp-out on n1: nobody hears n1 (so n2 takes over), n1 and n3 hear n2
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n1.hears(n2, 100);
        n3.hears(n2, 100);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.ONE_WAY_LOSS, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n1"), d.verdict().pointsAt());
        assertEquals("No other member hears n1's adverts, though it hears theirs: VRRP is lost on its way out of n1.",
                d.verdict().sentence());
        assertTrue(d.findings().stream().noneMatch(f -> f.cause() == Cause.ONE_WAY_LOSS),
                "n2 and n3 are not said to lose what n1 never got out: " + d.findings());
    }

    @Test
    void inAPairALossOneWayNamesBothEnds() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n1.hears(n2, 100);                   // n2 does not hear n1, n1 hears n2: into n2 or out of n1
        Diagnosis d = judge(n1, n2);
        assertEquals("n2 does not hear n1's adverts, though n1 hears n2's: VRRP is lost between them, on its way into n2 "
                + "or out of n1.", d.verdict().sentence());
    }

    @Test
    void aFirewallIsTheVerdictOverTheLossItCauses() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n1.hears(n2, 100);
        n3.hears(n1, 150).hears(n2, 100);
        ((ArrayNode) n2.report.with("firewall").get("drops")).addObject().put("direction", "in")
                .put("where", "inet kwlab input").put("rule", "ip protocol == \"vrrp\" drop").put("how", "rule");
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.FIREWALL, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n2"), d.verdict().pointsAt());
        assertEquals("n2's firewall drops VRRP coming in.", d.verdict().sentence());
        assertTrue(d.findings().stream().anyMatch(f -> f.cause() == Cause.ONE_WAY_LOSS));
    }

    @Test
    void theMemberWithAnotherPasswordIsNamed() {
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n2.instance.put("auth_fingerprint", "bbbb");
        n2.instance.with("stats_moved").put("auth_failure", 3);
        n1.hears(n2.address, 100, "bbbb");
        n2.hears(n1, 150);
        n3.hears(n1, 150).hears(n2.address, 100, "bbbb");
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.AUTH_MISMATCH, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n2"), d.verdict().pointsAt());
        assertTrue(d.verdict().evidence().contains("n2 counted 3 authentication failures during the window"));
    }

    @Test
    void aStrangerOnTheVridIsNamedByItsAddress() {
        n1 = new Member("n1", "10.77.0.11", "BACKUP", 150);
        n1.hears("10.77.0.99", 254, "aaaa");
        n2.hears("10.77.0.99", 254, "aaaa");
        n3.hears("10.77.0.99", 254, "bbbb");
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.STRANGER, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("10.77.0.99"), d.verdict().pointsAt());
        assertTrue(d.verdict().evidence().contains("n1 accepts them and defers to priority 254 (its own is 150, it is BACKUP)"),
                d.verdict().evidence().toString());
        assertTrue(d.hearing().stream().anyMatch(h -> h.stranger() && h.sender().equals("10.77.0.99")));
    }

    @Test
    void aStrangerWithOtherAddressesIsRejectedByTheMembersAndSaidSo() {
        n1.instance.with("stats_moved").put("addr_list_err", 3);
        ((ArrayNode) n2.report.get("senders")).addObject().put("interface", "eth0").put("family", 4)
                .put("source", "10.77.0.99").put("vrid", VRID).put("version", 2).put("priority", 254)
                .put("auth_type", "PASS").put("auth_fingerprint", "aaaa").put("address_count", 1).put("packets", 3)
                .putArray("addresses").add("10.77.0.199");
        n3.hears(n1, 150);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.STRANGER, d.verdict().cause(), d.toString());
        assertTrue(d.verdict().evidence().contains(
                "n1 rejects them: they carry [10.77.0.199], not its VIPs [10.77.0.101]; it counted 3 addr_list_err during the window"),
                d.verdict().evidence().toString());
    }

    @Test
    void anInterfaceDownIsNamedWithItsMember() {
        n2.instance.put("state", "FAULT");
        ((ObjectNode) n2.report.get("links").get(0)).put("up", false).put("carrier", false);
        n3.hears(n1, 150);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.INTERFACE_DOWN, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n2"), d.verdict().pointsAt());
        assertEquals("n2's VRRP interface eth0 is down (administratively).", d.verdict().sentence());
    }

    @Test
    void anotherAdvertIntervalIsAConfigMismatch() {
        n3.instance.put("advert_int", 2.0);
        n3.instance.with("stats_moved").put("advert_interval_err", 3);
        n2.hears(n1, 150);
        n3.hears(n1, 150);
        Diagnosis d = judge(n1, n2, n3);
        assertEquals(Cause.CONFIG_MISMATCH, d.verdict().cause(), d.toString());
        assertEquals(Optional.of("n3"), d.verdict().pointsAt());
        assertTrue(d.verdict().evidence().contains("n3 counted 3 advert_interval_err during the window"));
    }

    @Test
    void aMemberNotConnectedIsSaidAndTheOthersStillJudged() {
        n2.hears(n1, 150);
        Diagnosis d = DiagnosisRules.judge("VI_1", VRID, List.of(n1.evidence(), n2.evidence(),
                MemberEvidence.failed("n3", "keepalived", "VI_1", "its node is not connected")));
        assertEquals(Cause.UNREACHED, d.verdict().cause(), d.toString());
        assertEquals("n3 could not be asked: its node is not connected.", d.verdict().sentence());
    }

    @Test
    void aMemberThatCouldNotAnswerIsKnownByItsFleetAddressNotTakenForAStranger() {
        n1 = new Member("n1", "10.77.0.11", "BACKUP", 150);
        n2 = new Member("n2", "10.77.0.12", "MASTER", 100);
        n2.hears("10.77.0.13", 50, "aaaa");
        n1.hears(n2, 100).hears("10.77.0.13", 50, "aaaa");
        Diagnosis d = DiagnosisRules.judge("VI_1", VRID, List.of(n1.evidence(), n2.evidence(),
                MemberEvidence.failed("n3", "keepalived", "VI_1", "its node is not connected")
                        .withFleetAddresses(List.of("10.77.0.13"))));
        assertFalse(d.findings().stream().anyMatch(f -> f.cause() == Cause.STRANGER), d.toString());
        assertFalse(d.verdict().cause() == Cause.STRANGER, d.toString());
        assertTrue(d.hearing().stream().anyMatch(h -> h.listener().equals("n1") && h.sender().equals("n3") && h.heard()),
                d.hearing().toString());
    }

    @Test
    void whatCouldNotBeLookedAtIsNoted() {
        n2.hears(n1, 150);
        n3.hears(n1, 150);
        n3.report.with("firewall").put("looked", false).put("reason", "could not look: no nft owned by root");
        Diagnosis d = judge(n1, n2, n3);
        assertTrue(d.notes().contains("n3: could not look: no nft owned by root"), d.notes().toString());
        assertFalse(d.findings().stream().anyMatch(f -> f.cause() == Cause.FIREWALL));
    }
}
