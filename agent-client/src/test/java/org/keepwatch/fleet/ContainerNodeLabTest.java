package org.keepwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyResult;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab node whose keepalived runs in a container (lab/up --container n3: a root of its own under the node's directory,
 * a mount namespace of its own, the node's network; its configuration only inside that root, the node's own
 * /etc/keepalived without one): the fleet discovers and watches it, a safe push edits the container's file (through
 * the container's view of it) and reloads it, and a failover off it and back is seen.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class ContainerNodeLabTest {

    private static final String NODE = "n3";
    private static final Duration SETTLE = Duration.ofSeconds(40);
    private static Lab lab;
    private static FleetState state;
    private static FleetMonitor monitor;
    private static Map<String, List<String>> replaced = Map.of();

    @BeforeAll
    static void upWithAContainerNode(Lab theLab) throws Exception {
        lab = theLab;
        List<String> up = new ArrayList<>(List.of("basic", "--replace", "--container", NODE));
        String releases = System.getProperty(LabExtension.RELEASES_PROPERTY, "").strip();
        if (!releases.isEmpty()) {
            up.addAll(List.of("--releases", releases));
        }
        replaced = LabExtension.replaced(lab.ok("up", up.toArray(String[]::new)));
        lab.awaitHealthy(SETTLE);
        state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        monitor = new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(), new NodeSupervisor.Settings(
                Duration.ofSeconds(7), Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(2), 0.2,
                Duration.ofSeconds(30)), Clock.systemUTC()));
        monitor.watch(FleetFile.read(lab.fleetFile()));
        awaitOrFail(Duration.ofSeconds(60), "every node ONLINE", () -> !state.nodes().isEmpty()
                && state.nodes().stream().allMatch(n -> n.connection() == ConnectionState.ONLINE));
    }

    @AfterAll
    static void bringBackTheLabAsFound() {
        try {
            if (monitor != null) {
                monitor.close();
            }
        } finally {
            lab.run("heal");
            replaced.forEach((topology, options) -> {
                List<String> up = new ArrayList<>(List.of(topology, "--replace"));
                up.addAll(options);
                lab.ok("up", up.toArray(String[]::new));
            });
            lab.awaitHealthy(SETTLE);
        }
    }

    @Test
    void theContainersKeepalivedIsDiscoveredAndWatchedWithItsOwnConfiguration() throws Exception {
        Path nodeDir = Lab.LAB_DIR.resolve("nodes").resolve(NODE);
        assertThat(nodeDir.resolve("container/etc/keepalived/keepalived.conf")).exists();
        assertThat(nodeDir.resolve("etc-keepalived/keepalived.conf")).as("the node's own /etc/keepalived has none")
                .doesNotExist();
        awaitOrFail(SETTLE, "n3 MASTER of VI_3 and a backup of the others, every router healthy", () ->
                router("53").masters().equals(List.of(NODE)) && router("51").member(NODE)
                        .map(m -> m.current() && m.state() == VrrpState.BACKUP).orElse(false)
                        && List.of("51", "52", "53").stream().allMatch(id -> router(id).verdict() == Verdict.HEALTHY));
        assertThat(router("53").vipHolders()).containsEntry("10.77.0.103", List.of(NODE));
        assertThat(router("53").member(NODE).orElseThrow().lastKnown().basePriority()).isEqualTo(150);
        ConfigFiles files = new ConfigOps(session()).read(daemon()).get(20, TimeUnit.SECONDS);
        assertThat(files.main()).isEqualTo("/etc/keepalived/keepalived.conf");
        assertThat(files.file(files.main()).orElseThrow().text()).contains("router_id n3", "vrrp_instance VI_3");
    }

    @Test
    void aSafePushEditsTheContainersFileAndReloadsIt() throws Exception {
        Path inside = Lab.LAB_DIR.resolve("nodes").resolve(NODE).resolve("container/etc/keepalived/keepalived.conf");
        String original = Files.readString(inside);
        ConfigOps ops = new ConfigOps(session());
        String daemon = daemon();
        try {
            ConfigFiles files = ops.read(daemon).get(20, TimeUnit.SECONDS);
            ConfigFiles.File main = files.file(files.main()).orElseThrow();
            // VI_3's priority on n3 from 150 to 40: the lowest, so n1 (100) takes VI_3 over once n3 reloads
            String changed = main.text().replaceFirst("(vrrp_instance VI_3 \\{[^}]*?priority )150", "$140");
            assertThat(changed).isNotEqualTo(main.text());
            ApplyResult applied = ops.apply(daemon, Optional.empty(), changed, main.sha256(),
                    "ContainerNodeLabTest: a push through the container's view").get(120, TimeUnit.SECONDS);
            assertThat(applied.newSha256()).isNotEqualTo(applied.oldSha256());
            assertThat(Files.readString(inside)).as("the file inside the container's root").isEqualTo(changed);
            awaitOrFail(SETTLE, "n3 reloaded: VI_3 at priority 40 on n3, n1 its MASTER", () ->
                    router("53").member(NODE).map(m -> m.current() && m.lastKnown().basePriority() == 40).orElse(false)
                            && router("53").masters().equals(List.of("n1")));
            assertThat(lab.holds("n1", "10.77.0.103")).isTrue();
        } finally {
            Files.writeString(inside, original);
            lab.ok("exec", NODE, "sh", "-c", "kill -HUP \"$(cat " + Lab.LAB_DIR.resolve("nodes").resolve(NODE)
                    .resolve("container/run/keepalived.pid") + ")\"");
        }
        awaitOrFail(SETTLE, "the original back: n3 MASTER of VI_3", () -> router("53").masters().equals(List.of(NODE)));
    }

    @Test
    void aFailoverOffTheContainerAndBackIsSeen() {
        try {
            lab.ok("fail", "stop", NODE);
            awaitOrFail(Duration.ofSeconds(15), "VI_3 mastered by another node, n3 stopped, the router degraded", () -> {
                RouterStatus vi3 = router("53");
                return vi3.masters().size() == 1 && !vi3.masters().contains(NODE)
                        && vi3.member(NODE).map(m -> m.current() && m.state() == VrrpState.STOP).orElse(false)
                        && vi3.verdict() == Verdict.DEGRADED;
            });
            assertThat(router("53").reasons()).contains("n3 is STOP: keepalived is not running");
        } finally {
            lab.ok("heal");
        }
        awaitOrFail(SETTLE, "n3 MASTER of VI_3 again", () -> router("53").masters().equals(List.of(NODE))
                && router("53").verdict() == Verdict.HEALTHY);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static AgentSession session() {
        return monitor.supervisor(NODE).orElseThrow().session().orElseThrow();
    }

    private static String daemon() throws Exception {
        JsonNode daemons = session().daemons().get(20, TimeUnit.SECONDS).get("daemons");
        assertThat(daemons).as("n3's keepalived in its container is found").hasSize(1);
        return daemons.get(0).get("name").asText();
    }

    private static RouterStatus router(String vrid) {
        return state.router(new RouterKey(RouterKey.Kind.VRRP, "lab", vrid))
                .orElseThrow(() -> new AssertionError("no router lab/" + vrid));
    }

    private static void awaitOrFail(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
        if (Lab.await(timeout, Duration.ofMillis(200), condition).isEmpty()) {
            throw new AssertionError("not within " + timeout + ": " + what + "; nodes: " + state.nodes()
                    + "; routers: " + state.routers().stream().map(r -> r.key().label() + " " + r.verdict() + " "
                    + r.masters() + " " + r.reasons()).toList() + "; lab: " + lab.status());
        }
    }
}
