package org.keepwatch.lab;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each failure the lab can inject moves router VI_1's VIP (10.77.0.101, master n1) to another node
 * within 4 s, and its undo gives back a healthy router with n1 as MASTER again.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class LabFailureInjectionTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String VIP = "10.77.0.101";
    private static final Duration FAILOVER_LIMIT = Duration.ofSeconds(4);
    private static final Duration POLL = Duration.ofMillis(50);

    private Lab lab;

    @AfterEach
    void heal() {
        if (lab != null) {
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(30));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stop", "crash", "hang", "cut"})
    void vipMovesToAnotherNodeAndUndoRestoresTheRouter(String fault, Lab lab) {
        this.lab = lab;
        lab.awaitHealthy(Duration.ofSeconds(30));
        assertThat(lab.holders(NODES, VIP)).containsExactly("n1");

        lab.ok("fail", fault, "n1");
        Optional<Duration> moved = Lab.await(Duration.ofSeconds(10), POLL,
                () -> lab.holds("n2", VIP) || lab.holds("n3", VIP));
        assertThat(moved).as("VIP on another node after %s", fault).isPresent();
        assertThat(moved.get()).as("failover time after %s", fault).isLessThan(FAILOVER_LIMIT);
        // Exactly one backup takes over: the one with the higher priority.
        assertThat(lab.holds("n2", VIP)).isTrue();
        assertThat(lab.holds("n3", VIP)).isFalse();

        boolean vipLeftBehind = fault.equals("crash") || fault.equals("hang");
        // SIGKILL and SIGSTOP leave the address on n1: a duplicate VIP on the wire, as in production.
        assertThat(lab.holds("n1", VIP)).as("VIP still on n1 after %s", fault).isEqualTo(vipLeftBehind);
        if (vipLeftBehind) {
            assertThat(lab.status().router("vrid 51").orElseThrow().verdict()).isEqualTo("SPLIT_BRAIN");
        }

        lab.ok("fail", fault, "n1", "--undo");
        LabStatus healed = lab.awaitHealthy(Duration.ofSeconds(20));
        assertThat(healed.router("vrid 51").orElseThrow().masters()).containsExactly("n1");
        assertThat(lab.holders(NODES, VIP)).containsExactly("n1");
    }

    @Test
    void partitionMakesEveryNodeMasterWhileTheWorkstationStillReachesThem(Lab lab) {
        this.lab = lab;
        lab.awaitHealthy(Duration.ofSeconds(30));

        lab.ok("fail", "partition");
        Optional<Duration> split = Lab.await(Duration.ofSeconds(10), POLL,
                () -> lab.holders(NODES, VIP).size() == NODES.size());
        assertThat(split).as("every node holds %s", VIP).isPresent();
        assertThat(split.get()).isLessThan(FAILOVER_LIMIT);
        // The other routers split too (lower priorities wait a little longer before taking over).
        Optional<Duration> allSplit = Lab.await(Duration.ofSeconds(5), Duration.ofMillis(200), () -> lab.status()
                .routers().stream().filter(r -> r.router().startsWith("vrid"))
                .allMatch(r -> r.verdict().equals("SPLIT_BRAIN") && r.masters().size() == NODES.size()));
        assertThat(allSplit).as("every plain router has every node as MASTER").isPresent();
        // The workstation's switch port is not isolated: every node's sshd still answers.
        for (int node = 1; node <= NODES.size(); node++) {
            assertThat(sshBanner("10.77.0.1" + node)).startsWith("SSH-2.0-");
        }

        lab.ok("fail", "partition", "--undo");
        LabStatus healed = lab.awaitHealthy(Duration.ofSeconds(20));
        assertThat(healed.router("vrid 51").orElseThrow().masters()).containsExactly("n1");
    }

    @Test
    void partitionOfTheNeutronPairSplitsEveryRouter(Lab lab) {
        this.lab = lab;
        lab.awaitHealthy(Duration.ofSeconds(30));

        lab.ok("fail", "partition", "net1", "net2");
        Optional<Duration> split = Lab.await(Duration.ofSeconds(20), Duration.ofMillis(500), () -> lab.status()
                .routers().stream().filter(r -> !r.router().startsWith("vrid"))
                .allMatch(r -> r.masters().size() == 2));
        assertThat(split).as("both network nodes MASTER for every router").isPresent();

        lab.ok("fail", "partition", "net1", "net2", "--undo");
        lab.awaitHealthy(Duration.ofSeconds(30));
    }

    private static String sshBanner(String address) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, 22), 2000);
            socket.setSoTimeout(2000);
            InputStream in = socket.getInputStream();
            return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError("sshd on " + address + " unreachable", e);
        }
    }
}
