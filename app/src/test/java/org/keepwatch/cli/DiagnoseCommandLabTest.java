package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bar for the diagnosis: the cause named right, and the member it points at, in each of the lab's
 * faults: a partition of one member, VRRP dropped in one direction, an authentication mismatch, another advert
 * interval on one member, a stranger on the same VRID, an interface down. Each fault is made with lab/fail,
 * diagnosed with {@code keepwatch diagnose --json} through real sshd and the real agent on every member, and undone by
 * the test whatever happens.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class DiagnoseCommandLabTest {

    /** keepalived's master-down time at advert_int 1 is about 3.6 s; a network node's advert_int is 2. */
    private static final Duration SETTLE_BASIC = Duration.ofSeconds(6);
    private static final Duration SETTLE_NEUTRON = Duration.ofSeconds(10);
    private static final Duration HEAL_WITHIN = Duration.ofSeconds(40);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
        lab.awaitHealthy(HEAL_WITHIN);
    }

    @Test
    void aHealthyRouterHasNothingFoundAndEveryBackupHearsTheMaster() {
        JsonNode d = diagnose("VI_1");
        assertThat(d.at("/verdict/cause").asText()).isEqualTo("NONE_FOUND");
        assertThat(heard(d, "n2", "n1")).isTrue();
        assertThat(heard(d, "n3", "n1")).isTrue();
    }

    @Test
    void aPartitionOfOneMemberPointsAtIt() {
        withFault(SETTLE_BASIC, List.of("partition", "n1"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("PARTITION");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("n1");
            assertThat(heard(d, "n2", "n1")).isFalse();
            assertThat(heard(d, "n1", "n2")).isFalse();
        });
    }

    @Test
    void vrrpDroppedComingIntoOneMemberIsItsFirewall() {
        withFault(SETTLE_BASIC, List.of("vrrp-in", "n2"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("FIREWALL");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("n2");
            assertThat(d.at("/verdict/sentence").asText()).contains("coming in");
            assertThat(causes(d)).as("the loss it causes is found too").contains("ONE_WAY_LOSS");
            assertThat(heard(d, "n1", "n2")).isTrue();
            assertThat(heard(d, "n2", "n1")).isFalse();
        });
    }

    @Test
    void vrrpDroppedLeavingTheMasterIsItsFirewallAndTheOthersAreNotBlamed() {
        withFault(SETTLE_BASIC, List.of("vrrp-out", "n1"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("FIREWALL");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("n1");
            assertThat(d.at("/verdict/sentence").asText()).contains("going out");
            List<String> blamed = new ArrayList<>();
            d.path("findings").forEach(f -> blamed.add(f.path("cause").asText() + " " + f.path("pointsAt").asText()));
            assertThat(blamed).as("n2 does not hear n1 because n1's adverts never leave it").contains("ONE_WAY_LOSS n1")
                    .doesNotContain("ONE_WAY_LOSS n2", "ONE_WAY_LOSS n3");
            assertThat(heard(d, "n1", "n2")).isTrue();
            assertThat(heard(d, "n2", "n1")).isFalse();
            assertThat(heard(d, "n3", "n1")).isFalse();
        });
    }

    @Test
    void anotherPasswordOnOneMemberIsAnAuthenticationMismatchPointingAtIt() {
        withFault(SETTLE_BASIC, List.of("auth", "n2"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("AUTH_MISMATCH");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("n2");
            assertThat(d.at("/verdict/evidence").toString()).contains("authentication failure");
            assertThat(d.toString()).doesNotContain("kwlab1").doesNotContain("wrong1");
        });
    }

    @Test
    void anotherAdvertIntervalOnOneMemberIsASettingsMismatchPointingAtIt() {
        withFault(SETTLE_BASIC, List.of("interval", "n2"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("CONFIG_MISMATCH");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("n2");
            assertThat(d.at("/verdict/evidence").toString()).contains("n1, n3: advert_int 1 s").contains("n2: advert_int 3 s");
        });
    }

    @Test
    void aStrangerUsingTheVridIsNamedByItsAddress() {
        withFault(SETTLE_BASIC, List.of("stranger"), () -> {
            JsonNode d = diagnose("VI_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("STRANGER");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("10.77.0.99");
            assertThat(d.at("/verdict/evidence").toString()).contains("heard 3 adverts from 10.77.0.99")
                    .contains("n2 rejects them: they carry [10.77.0.199], not its VIPs [10.77.0.101]");
        });
    }

    @Test
    void anInterfaceDownOnANetworkNodeIsNamed() {
        withFault(SETTLE_NEUTRON, List.of("ifdown", "net1"), () -> {
            JsonNode d = diagnose("VR_1");
            assertThat(d.at("/verdict/cause").asText()).as(d.toPrettyString()).isEqualTo("INTERFACE_DOWN");
            assertThat(d.at("/verdict/pointsAt").asText()).isEqualTo("net1");
        });
    }

    @Test
    void theTextSaysTheVerdictFirstWithItsEvidenceUnder() {
        withFault(SETTLE_BASIC, List.of("vrrp-in", "n2"), () -> {
            Output text = run("diagnose", "VI_1", "--fleet", lab.fleetFile().toString());
            assertThat(text.status()).as(text.err()).isZero();
            List<String> lines = text.out().lines().toList();
            int verdict = lines.indexOf("Verdict: a firewall drops VRRP — n2");
            assertThat(verdict).as(text.out()).isPositive();
            assertThat(lines.get(verdict + 1)).isEqualTo("  n2's firewall drops VRRP coming in.");
            assertThat(lines.get(verdict + 2)).startsWith("    - n2: nftables inet kwlab_vrrp_in input");
            assertThat(text.out()).contains("Who hears whom").contains("  n2 hears no one; not n1");
        });
    }

    @Test
    void aRouterTheFleetDoesNotHaveIsNamedWithThoseItHas() {
        Output output = run("diagnose", "VI_99", "--fleet", lab.fleetFile().toString());
        assertThat(output.status()).isEqualTo(Command.USAGE);
        assertThat(output.err()).contains("no router VI_99 in the fleet").contains("VI_1 (VRID 51)");
    }

    private static void withFault(Duration settle, List<String> fault, Runnable check) {
        List<String> args = new ArrayList<>(List.of("fail"));
        args.addAll(fault);
        lab.ok("fail", args.subList(1, args.size()).toArray(String[]::new));
        try {
            Lab.await(settle, Duration.ofMillis(500), () -> false);
            check.run();
        } finally {
            args.add("--undo");
            lab.ok("fail", args.subList(1, args.size()).toArray(String[]::new));
            lab.awaitHealthy(HEAL_WITHIN);
        }
    }

    private static JsonNode diagnose(String router) {
        Output output = run("diagnose", router, "--fleet", lab.fleetFile().toString(), "--json");
        assertThat(output.status()).as(output.err()).isZero();
        try {
            return JSON.readTree(output.out());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + output.out(), e);
        }
    }

    private static boolean heard(JsonNode d, String listener, String sender) {
        for (JsonNode h : d.path("hearing")) {
            if (h.path("listener").asText().equals(listener) && h.path("sender").asText().equals(sender)) {
                return h.path("packets").asLong() > 0;
            }
        }
        return false;
    }

    private static List<String> causes(JsonNode d) {
        List<String> out = new ArrayList<>();
        d.path("findings").forEach(f -> out.add(f.path("cause").asText()));
        return out;
    }

    private record Output(int status, String out, String err) {
    }

    private static Output run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
