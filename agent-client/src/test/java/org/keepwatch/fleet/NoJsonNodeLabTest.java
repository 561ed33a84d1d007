package org.keepwatch.fleet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.DaemonState;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lab node whose keepalived is built without JSON (lab/up --nojson n2: the machine's release's keepalived,
 * configured as Debian does minus JSON): the agent reads it from its text dump, and the fleet must see on it what
 * keepalived's own state says (lab/status reads that node's text dump with the lab's own parser, the others' JSON
 * dump) and what it sees on the JSON nodes; a failover off it and back, and the verdicts, work as on the others.
 * On a mixed fleet (-Dkeepwatch.lab.releases) n2 is the machine's release, which is what the no-JSON build is of.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class NoJsonNodeLabTest {

    private static final String NODE = "n2";
    private static final Duration SETTLE = Duration.ofSeconds(40);
    private static Lab lab;
    private static FleetState state;
    private static FleetMonitor monitor;
    private static Map<String, List<String>> replaced = Map.of();

    @BeforeAll
    static void upWithANoJsonNode(Lab theLab) throws Exception {
        lab = theLab;
        List<String> up = new ArrayList<>(List.of("basic", "--replace", "--nojson", NODE));
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
            // the basic topology as it was before this class (lab/up printed it when replacing it)
            replaced.forEach((topology, options) -> {
                List<String> up = new ArrayList<>(List.of(topology, "--replace"));
                up.addAll(options);
                lab.ok("up", up.toArray(String[]::new));
            });
            lab.awaitHealthy(SETTLE);
        }
    }

    @Test
    void theAgentReadsTheNodeFromItsTextDumpAndTheOthersFromJson() throws Exception {
        assertThat(source(NODE)).containsOnly("data");
        assertThat(source("n1")).containsOnly("json");
        assertThat(source("n3")).containsOnly("json");
        assertThat(lab.keepalivedVersion(NODE)).as("the machine's release's keepalived").isNotBlank();
        assertThat(state.nodes()).filteredOn(n -> n.node().equals(NODE)).singleElement()
                .satisfies(n -> assertThat(n.keepalivedVersion()).contains(lab.keepalivedVersion(NODE)));
    }

    @Test
    void theFleetSeesTheStatesPrioritiesAndVipsKeepalivedHasOnEveryNode() {
        awaitOrFail(SETTLE, "the fleet agrees with lab/status on every member of the plain routers", () -> {
            LabStatus truth = lab.status();
            return truth.healthy() && truth.routers().stream().filter(r -> r.vrid() > 50)
                    .allMatch(r -> r.members().size() == 3)
                    && List.of("51", "52", "53").stream().allMatch(id -> agrees(truth, id));
        });
        // the no-JSON node is MASTER of VI_2 (priority 150) and a backup of the others, as its JSON peers are of theirs
        RouterStatus vi2 = router("52");
        assertThat(vi2.masters()).containsExactly(NODE);
        assertThat(vi2.vipHolders()).containsEntry("10.77.0.102", List.of(NODE));
        RouterMember member = vi2.member(NODE).orElseThrow();
        assertThat(member.lastKnown().basePriority()).isEqualTo(150);
        assertThat(member.lastKnown().vips()).containsExactly("10.77.0.102");
        assertThat(member.lastKnown().interfaceName()).isEqualTo("eth0");
        assertThat(router("51").member(NODE).orElseThrow().state()).isEqualTo(VrrpState.BACKUP);
        assertThat(List.of("51", "52", "53")).allSatisfy(id -> assertThat(router(id).verdict()).isEqualTo(Verdict.HEALTHY));
    }

    @Test
    void aFailoverOffTheNoJsonNodeAndBackIsSeenWithItsVerdicts() {
        state.drainEvents();
        try {
            lab.ok("fail", "stop", NODE);
            awaitOrFail(Duration.ofSeconds(15), "VI_2 mastered by another node, n2 stopped, the router degraded", () -> {
                RouterStatus vi2 = router("52");
                return vi2.masters().size() == 1 && !vi2.masters().contains(NODE)
                        && vi2.member(NODE).map(m -> m.current() && m.state() == VrrpState.STOP).orElse(false)
                        && vi2.verdict() == Verdict.DEGRADED;
            });
            assertThat(router("52").reasons()).contains("n2 is STOP: keepalived is not running");
            lab.ok("fail", "stop", NODE, "--undo");
            awaitOrFail(SETTLE, "n2 MASTER of VI_2 again (it preempts with priority 150)", () ->
                    router("52").masters().equals(List.of(NODE)) && router("52").verdict() == Verdict.HEALTHY);
            // killed, it leaves its VIP behind: the orphan-VIP verdict the JSON nodes get (FleetLabTest)
            lab.ok("fail", "crash", NODE);
            awaitOrFail(Duration.ofSeconds(10), "an orphan VIP on VI_2", () -> router("52").verdict() == Verdict.ORPHAN_VIP
                    || router("52").verdict() == Verdict.SPLIT_BRAIN);
            assertThat(router("52").reasons()).anyMatch(r -> r.contains("10.77.0.102 is on n2, whose keepalived is dead")
                    || r.contains("are both MASTER") || r.contains("10.77.0.102"));
        } finally {
            lab.ok("heal");
        }
        awaitOrFail(SETTLE, "healed: n2 MASTER of VI_2 and every router healthy", () ->
                router("52").masters().equals(List.of(NODE))
                        && List.of("51", "52", "53").stream().allMatch(id -> router(id).verdict() == Verdict.HEALTHY));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static boolean agrees(LabStatus truth, String vrid) {
        Optional<RouterStatus> seen = state.router(new RouterKey(RouterKey.Kind.VRRP, "lab", vrid));
        Optional<LabStatus.Router> real = truth.routers().stream().filter(r -> String.valueOf(r.vrid()).equals(vrid))
                .findFirst();
        if (seen.isEmpty() || real.isEmpty() || seen.get().members().size() != real.get().members().size()) {
            return false;
        }
        return real.get().members().stream().allMatch(m -> seen.get().member(m.node()).map(s -> s.current()
                && s.state().name().equals(m.state()) && s.lastKnown().basePriority() == m.priority()
                && s.lastKnown().effectivePriority() == m.effectivePriority()
                && s.vipsHeld().stream().map(v -> v.split("/")[0]).sorted().toList()
                        .equals(m.vipsHeld().stream().sorted().toList())).orElse(false));
    }

    private static List<String> source(String node) throws Exception {
        AgentSession session = monitor.supervisor(node).orElseThrow().session().orElseThrow();
        List<DaemonState> daemons = session.snapshot().get(20, TimeUnit.SECONDS).daemons();
        assertThat(daemons).as("%s's keepalived", node).isNotEmpty();
        return daemons.stream().map(d -> d.source().orElse("?")).distinct().toList();
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
