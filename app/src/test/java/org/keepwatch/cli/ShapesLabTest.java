package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.ssh.SshPrompts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The lab's shapes topology (lab/up shapes: nodes s1..s3, one router per shape: VRRPv3 and v2, an IPv6 instance,
 * unicast peers, use_vmac, a sync group, track_interface, track_script, nopreempt, preempt_delay, 40 VIPs with excluded
 * ones) seen by Keepwatch through the real agent over real sshd: every shape as keepalived has it and healthy, each
 * shape's failover as keepalived makes it, lint clean for each node's keepalived version, and a safe push rolled back
 * on the IPv6 router. With {@code -Dkeepwatch.lab.shapes.releases=bookworm,trixie} s1 and s3 run keepalived 2.2.7 and
 * s2 2.3.3: every router has members of two versions (bullseye's 2.1.5 crashes on the topology: lab/README.md).
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class ShapesLabTest {

    /** The releases of s1, s2, s3 (lab/up shapes --releases); default: the run's keepwatch.lab.releases. */
    static final String SHAPES_RELEASES = "keepwatch.lab.shapes.releases";
    private static final List<String> NODES = List.of("s1", "s2", "s3");
    private static final List<String> ROUTERS = List.of("SH_V3", "SH_V2", "SH_V6", "SH_UNICAST", "SH_VMAC", "SH_SYNC_A",
            "SH_SYNC_B", "SH_TRACK", "SH_SCRIPT", "SH_NOPREEMPT", "SH_DELAY", "SH_MANY");
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final Duration CALL = Duration.ofSeconds(60);
    private static final String V6_VIP = "fd00:77::173";
    private static final String DAEMON = "keepalived";
    private static final String TRACK_FILE = "/tmp/kw-shapeslabtest-track";

    private static Lab lab;
    private static boolean broughtUp;
    private static Path fleetFile;

    @BeforeAll
    static void up(Lab theLab) {
        lab = theLab;
        fleetFile = Lab.LAB_DIR.resolve("fleet-shapes.json");
        broughtUp = !Files.exists(fleetFile);
        List<String> args = new ArrayList<>(List.of("shapes", "--replace"));
        String releases = System.getProperty(SHAPES_RELEASES, System.getProperty(LabExtension.RELEASES_PROPERTY, "")).strip();
        if (!releases.isEmpty()) {
            args.addAll(List.of("--releases", releases));
        }
        lab.ok("up", args.toArray(String[]::new));
        lab.ok("heal");
        awaitS1MastersAll();
    }

    @AfterAll
    static void down() {
        lab.run("heal");
        if (broughtUp) {
            lab.ok("down", "shapes");
        }
    }

    /** Healed, and s1 master of every router again (a nopreempt router does not come back by itself: its master goes). */
    @AfterEach
    void heal() {
        lab.ok("heal");
        LabStatus status = awaitTruth(LabStatus::healthy);     // not settled(): a nopreempt router keeps its new master
        List<String> notS1 = status.routers().stream().filter(ShapesLabTest::isShape)
                .filter(r -> !r.masters().equals(List.of("s1"))).flatMap(r -> r.masters().stream()).distinct().toList();
        for (String node : notS1) {
            lab.ok("fail", "stop", node);
            lab.ok("fail", "stop", node, "--undo");
        }
        awaitS1MastersAll();
    }

    private static void awaitS1MastersAll() {
        Lab.await(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
            List<LabStatus.Router> shapes = lab.status().routers().stream().filter(ShapesLabTest::isShape).toList();
            return shapes.size() == ROUTERS.size() && shapes.stream().allMatch(r -> r.oneMaster()
                    && r.masters().equals(List.of("s1")) && r.members().size() == NODES.size());
        }).orElseThrow(() -> new AssertionError("s1 never became master of every shape: " + lab.status()));
    }

    private static boolean isShape(LabStatus.Router router) {
        return router.vrid() >= 71 && router.vrid() <= 82;
    }

    // ---- what Keepwatch sees ----------------------------------------------------------------------------------------

    @Test
    void everyShapeIsSeenAsKeepalivedHasItAndHealthy() throws Exception {
        try (FleetConnection fleet = connect()) {
            Map<String, RouterStatus> routers = awaitRouters(fleet, r -> r.values().stream().allMatch(
                    s -> s.verdict() == Verdict.HEALTHY && s.masters().equals(List.of("s1"))));
            assertThat(routers.keySet()).containsExactlyInAnyOrderElementsOf(ROUTERS);
            for (RouterStatus router : routers.values()) {
                assertThat(router.members()).extracting(RouterMember::node).containsExactlyInAnyOrderElementsOf(NODES);
                assertThat(router.members()).extracting(m -> m.lastKnown().basePriority(), m -> m.lastKnown().effectivePriority(),
                        RouterMember::state).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(150, 150, VrrpState.MASTER),
                        org.assertj.core.groups.Tuple.tuple(100, 100, VrrpState.BACKUP),
                        org.assertj.core.groups.Tuple.tuple(50, 50, VrrpState.BACKUP));
            }
            InstanceObservation v3 = s1(routers, "SH_V3");
            assertThat(v3.version()).isEqualTo(3);
            assertThat(v3.authType()).isEqualTo("none");
            InstanceObservation v2 = s1(routers, "SH_V2");
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v2.authType()).isEqualTo("PASS");
            InstanceObservation v6 = s1(routers, "SH_V6");
            assertThat(v6.version()).isEqualTo(3);
            assertThat(v6.vips()).containsExactly("fe80::173", V6_VIP);
            assertThat(routers.get("SH_V6").key().label()).isEqualTo("VRID 73 (IPv6)");
            assertThat(routers.get("SH_V6").vipHolders()).containsEntry(V6_VIP, List.of("s1"));
            InstanceObservation many = s1(routers, "SH_MANY");
            assertThat(many.vips()).hasSize(40).startsWith("10.77.1.1").endsWith("10.77.1.40");
            assertThat(many.excludedVips()).hasSize(11).contains("10.77.2.1", "fd00:78::1");
            assertThat(routers.get("SH_MANY").vipHolders()).hasSize(40)
                    .allSatisfy((vip, holders) -> assertThat(holders).as(vip).containsExactly("s1"));
            assertThat(s1(routers, "SH_NOPREEMPT").nopreempt()).isTrue();
            assertThat(s1(routers, "SH_SYNC_B").interfaceName()).isEqualTo("eth1");
            assertThat(routers.get("SH_VMAC").vipHolders()).containsEntry("10.77.0.175", List.of("s1"));
            // the shapes the fleet keeps of each instance, as the Instances view and the router's member cards say them
            assertThat(s1(routers, "SH_VMAC").shape().vmacInterface()).contains("vrrp.75");
            assertThat(s1(routers, "SH_SYNC_A").shape().syncGroup()).contains("SH_SYNC");
            assertThat(s1(routers, "SH_SYNC_B").shape().syncGroup()).contains("SH_SYNC");
            assertThat(s1(routers, "SH_V3").shape().syncGroup()).isEmpty();
            assertThat(s1(routers, "SH_TRACK").shape().trackInterfaces()).anyMatch(t -> t.startsWith("eth1"));
            assertThat(s1(routers, "SH_SCRIPT").shape().trackScripts()).containsExactly("kw_shapes_check");
            assertThat(s1(routers, "SH_DELAY").shape().preemptDelay()).isEqualTo(5.0);
            assertThat(String.join(",", s1(routers, "SH_UNICAST").unicastPeers())).isEqualTo(peers("s1").replace("\"", "")
                    .replace("[", "").replace("]", ""));
            assertThat(s1(routers, "SH_SYNC_A").shapeWords()).contains("sync group SH_SYNC");

            // What the agent says of each instance on each node (keepalived's dump, read by the agent).
            for (String node : NODES) {
                Map<String, JsonNode> instances = agentInstances(fleet, node);
                assertThat(instances.keySet()).as(node).containsExactlyInAnyOrderElementsOf(ROUTERS);
                assertThat(instances.get("SH_VMAC").path("vmac_interface").asText()).as(node).isEqualTo("vrrp.75");
                assertThat(instances.get("SH_V3").path("vmac_interface").isNull()).as(node).isTrue();
                assertThat(instances.get("SH_DELAY").path("preempt_delay").asDouble()).as(node).isEqualTo(5.0);
                assertThat(instances.get("SH_TRACK").path("track_interfaces").toString()).as(node).contains("eth1");
                // a tracked script by its vrrp_script name: keepalived's JSON dump before 2.3 gives its command line,
                // which the agent names from the configuration (docs/protocol.md)
                assertThat(instances.get("SH_SCRIPT").path("track_scripts").toString()).as(node)
                        .isEqualTo("[\"kw_shapes_check\"]");
                assertThat(instances.get("SH_TRACK").path("track_interfaces").toString()).as(node).isEqualTo("[\"eth1\"]");
                // keepalived's JSON dump does not list unicast peers: the agent takes them from the configuration
                // (docs/protocol.md), the text dump's path lists them
                assertThat(instances.get("SH_UNICAST").path("unicast_peers").toString()).as(node).isEqualTo(peers(node));
            }
        }
        Result status = cli("status", "--json", "--fleet", fleetFile.toString());
        assertThat(status.code()).as(status.out() + status.err()).isZero();
    }

    /** A node's unicast peers as its configuration names them: the other two nodes. */
    private static String peers(String node) {
        List<String> peers = new ArrayList<>();
        for (String other : NODES) {
            if (!other.equals(node)) {
                peers.add("\"10.77.0." + (30 + Integer.parseInt(other.substring(1))) + "\"");
            }
        }
        return "[" + String.join(",", peers) + "]";
    }

    // ---- failover per shape -----------------------------------------------------------------------------------------

    @Test
    void theTrackedInterfaceDownFaultsItsInstanceAndTheSyncGroupMovesTogether() throws Exception {
        try (FleetConnection fleet = connect()) {
            awaitRouters(fleet, r -> r.size() == ROUTERS.size());
            lab.ok("fail", "ifdown", "s1");
            List<String> moved = List.of("SH_TRACK", "SH_SYNC_A", "SH_SYNC_B");
            LabStatus truth = awaitTruth(s -> moved.stream().allMatch(name -> masterOf(s, name).equals("s2")
                    && stateOf(s, name, "s1").equals("FAULT")));
            assertThat(masterOf(truth, "SH_V3")).as("an instance that does not track eth1 stays").isEqualTo("s1");
            // The sync group's eth0 instance went to FAULT with its eth1 partner, not on its own account.
            awaitRouters(fleet, r -> moved.stream().allMatch(name -> r.get(name).masters().equals(List.of("s2"))
                    && r.get(name).member("s1").orElseThrow().state() == VrrpState.FAULT));
        }
    }

    @Test
    void aFailingTrackScriptAppliesItsWeightAndThePeerTakesOver() throws Exception {
        try (FleetConnection fleet = connect()) {
            awaitRouters(fleet, r -> r.size() == ROUTERS.size());
            lab.ok("fail", "script", "s1");
            awaitTruth(s -> masterOf(s, "SH_SCRIPT").equals("s2") && effective(s, "SH_SCRIPT", "s1") == 70);
            Map<String, RouterStatus> routers = awaitRouters(fleet, r -> r.get("SH_SCRIPT").masters().equals(List.of("s2")));
            RouterMember s1 = routers.get("SH_SCRIPT").member("s1").orElseThrow();
            Lab.await(SETTLE, Duration.ofMillis(200), () -> fleet.state().routers().stream()
                    .filter(r -> r.name().equals("SH_SCRIPT")).flatMap(r -> r.member("s1").stream())
                    .anyMatch(m -> m.lastKnown().effectivePriority() == 70 && m.state() == VrrpState.BACKUP))
                    .orElseThrow(() -> new AssertionError("Keepwatch never saw s1's SH_SCRIPT at 150 - 80: " + s1));
            assertThat(s1.lastKnown().basePriority()).isEqualTo(150);
        }
    }

    @Test
    void aStoppedMasterHandsOverEveryShapeAndOnlyThePreemptingOnesComeBack() throws Exception {
        lab.ok("fail", "stop", "s1");
        LabStatus truth = awaitTruth(s -> s.routers().stream().filter(ShapesLabTest::isShape)
                .allMatch(r -> r.masters().equals(List.of("s2"))));
        // Unicast adverts, the IPv6 VIP and the VMAC's VIP move as the multicast IPv4 ones do.
        assertThat(truth.router("vrid 73").orElseThrow().vipHolders()).containsEntry(V6_VIP, List.of("s2"));
        assertThat(truth.router("vrid 74").orElseThrow().vipHolders()).containsEntry("10.77.0.174", List.of("s2"));
        assertThat(truth.router("vrid 75").orElseThrow().vipHolders()).containsEntry("10.77.0.175", List.of("s2"));
        try (FleetConnection fleet = connect()) {
            awaitRouters(fleet, r -> r.size() == ROUTERS.size() && r.values().stream().allMatch(s -> s.masters().equals(List.of("s2"))));
        }
        long started = System.nanoTime();
        lab.ok("fail", "stop", "s1", "--undo");
        awaitTruth(s -> masterOf(s, "SH_V3").equals("s1") && masterOf(s, "SH_V6").equals("s1")
                && masterOf(s, "SH_UNICAST").equals("s1") && masterOf(s, "SH_VMAC").equals("s1"));
        LabStatus delayed = awaitTruth(s -> masterOf(s, "SH_DELAY").equals("s1"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("preempt_delay 5 held s1 back")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(4));
        assertThat(masterOf(delayed, "SH_NOPREEMPT")).as("nopreempt: the old master does not take back").isEqualTo("s2");
        Thread.sleep(5000);
        assertThat(masterOf(lab.status(), "SH_NOPREEMPT")).isEqualTo("s2");
        assertThat(stateOf(lab.status(), "SH_NOPREEMPT", "s1")).isEqualTo("BACKUP");
    }

    // ---- lint and a safe push ---------------------------------------------------------------------------------------

    @Test
    void lintFindsNoErrorInAnyShapeForTheKeepalivedOfItsNode() {
        for (String node : NODES) {
            String version = lab.keepalivedVersion(node);
            Path conf = Lab.LAB_DIR.resolve("nodes").resolve(node).resolve("etc-keepalived").resolve("keepalived.conf");
            Result lint = cli("lint", "--keepalived", version, conf.toString());
            assertThat(lint.out()).as(node + " (keepalived " + version + "): " + lint.out() + lint.err())
                    .contains(conf + ": 0 error(s)");
            assertThat(lint.code()).as(node + ": " + lint.out()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aPushThatFaultsTheIpv6RouterIsRolledBackAndItsVipStays() throws Exception {
        try (FleetConnection fleet = connect()) {
            awaitRouters(fleet, r -> r.size() == ROUTERS.size());
            AgentSession s1 = fleet.session("s1").orElseThrow();
            JsonNode file = mainFile(s1);
            String text = file.path("text").asText();
            shell("s1", "echo 1 > " + TRACK_FILE);
            try {
                // A tracked file with weight 0 holding a non-zero value puts SH_V6 (and its VMAC neighbour) in FAULT:
                // keepalived -t cannot know, the health check after the reload does.
                String faulty = text.replace("vrrp_instance SH_V6 {", "track_file kw_shapeslabtest {\n    file \""
                        + TRACK_FILE + "\"\n    weight 0\n}\n\nvrrp_instance SH_V6 {\n    track_file {\n        kw_shapeslabtest\n    }");
                assertThat(faulty).isNotEqualTo(text);
                ObjectNode apply = args(s1).put("daemon", DAEMON).put("text", faulty)
                        .put("base_sha256", file.path("sha256").asText()).put("reason", "ShapesLabTest");
                AgentException rolledBack = (AgentException) call(s1, "config.apply", apply, false);
                assertThat(rolledBack.code()).as(rolledBack.getMessage()).isEqualTo("rolled_back");
                assertThat(rolledBack.details().orElseThrow().path("faulted").toString()).contains("SH_V6");
            } finally {
                shell("s1", "rm -f " + TRACK_FILE);
            }
            assertThat(mainFile(s1).path("sha256").asText()).isEqualTo(file.path("sha256").asText());
            LabStatus truth = awaitTruth(s -> masterOf(s, "SH_V6").equals("s1") && masterOf(s, "SH_VMAC").equals("s1"));
            assertThat(truth.router("vrid 73").orElseThrow().vipHolders()).containsEntry(V6_VIP, List.of("s1"))
                    .containsEntry("fe80::173", List.of("s1"));
            assertThat(truth.router("vrid 75").orElseThrow().vipHolders()).containsEntry("10.77.0.175", List.of("s1"));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------------

    private static FleetConnection connect() {
        FleetConnection fleet = FleetConnection.open(Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC()),
                fleetFile, Duration.ofSeconds(30));
        fleet.awaitOnline(NODES);
        return fleet;
    }

    /** The fleet's routers by instance name, once the condition holds of them (fails after SETTLE). */
    private static Map<String, RouterStatus> awaitRouters(FleetConnection fleet, Predicate<Map<String, RouterStatus>> condition) {
        Map<String, RouterStatus>[] last = new Map[]{Map.of()};
        Lab.await(SETTLE, Duration.ofMillis(200), () -> {
            fleet.state().tick();
            Map<String, RouterStatus> byName = new LinkedHashMap<>();
            fleet.state().routers().forEach(r -> byName.put(r.name(), r));
            last[0] = byName;
            return byName.keySet().containsAll(ROUTERS) && condition.test(byName);
        }).orElseThrow(() -> new AssertionError("Keepwatch's routers never got there: " + describe(last[0])));
        return last[0];
    }

    private static String describe(Map<String, RouterStatus> routers) {
        StringBuilder out = new StringBuilder();
        routers.forEach((name, r) -> out.append("\n  ").append(name).append(' ').append(r.verdict()).append(" masters ")
                .append(r.masters()).append(' ').append(r.reasons()));
        return out.toString();
    }

    private static InstanceObservation s1(Map<String, RouterStatus> routers, String name) {
        return routers.get(name).member("s1").orElseThrow().lastKnown();
    }

    private static LabStatus awaitTruth(Predicate<LabStatus> condition) {
        LabStatus[] last = new LabStatus[1];
        Lab.await(Duration.ofSeconds(30), Duration.ofMillis(300), () -> condition.test(last[0] = lab.status()))
                .orElseThrow(() -> new AssertionError("the lab never got there: " + last[0]));
        return last[0];
    }

    private static LabStatus.Router router(LabStatus status, String instance) {
        return status.routers().stream().filter(r -> r.members().stream().anyMatch(m -> m.instance().equals(instance)))
                .findFirst().orElseThrow(() -> new AssertionError("no router " + instance + " in " + status));
    }

    private static String masterOf(LabStatus status, String instance) {
        List<String> masters = router(status, instance).masters();
        return masters.size() == 1 ? masters.get(0) : masters.toString();
    }

    private static String stateOf(LabStatus status, String instance, String node) {
        return router(status, instance).members().stream().filter(m -> m.node().equals(node)).map(LabStatus.Member::state)
                .findFirst().orElse("absent");
    }

    private static int effective(LabStatus status, String instance, String node) {
        return router(status, instance).members().stream().filter(m -> m.node().equals(node))
                .mapToInt(LabStatus.Member::effectivePriority).findFirst().orElse(-1);
    }

    private static Map<String, JsonNode> agentInstances(FleetConnection fleet, String node) throws Exception {
        AgentSession session = fleet.session(node).orElseThrow();
        JsonNode snapshot = (JsonNode) call(session, "state.snapshot", args(session).put("fresh", true), true);
        Map<String, JsonNode> instances = new LinkedHashMap<>();
        for (JsonNode daemon : snapshot.path("daemons")) {
            for (JsonNode instance : daemon.path("instances")) {
                instances.put(instance.path("instance").asText(), instance);
            }
        }
        return instances;
    }

    private static ObjectNode args(AgentSession session) {
        return session.json().createObjectNode();
    }

    /** The call's result, or (expectSuccess false) its AgentException; anything else fails the test. */
    private static Object call(AgentSession session, String op, ObjectNode args, boolean expectSuccess) throws Exception {
        try {
            JsonNode result = session.call(op, args, CALL).get(CALL.toSeconds() + 5, TimeUnit.SECONDS);
            if (!expectSuccess) {
                fail(op + " succeeded, expected an error: " + result);
            }
            return result;
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof AgentException agent) {
                if (expectSuccess && !op.equals("config.apply")) {
                    throw agent;
                }
                return agent;
            }
            throw e;
        }
    }

    private static JsonNode mainFile(AgentSession session) throws Exception {
        JsonNode read = (JsonNode) call(session, "config.read", args(session).put("daemon", DAEMON), true);
        String main = read.path("main").asText(read.path("files").path(0).path("path").asText());
        for (JsonNode file : read.path("files")) {
            if (file.path("path").asText().equals(main)) {
                return file;
            }
        }
        throw new AssertionError("config.read has no main file: " + read);
    }

    private static void shell(String node, String command) {
        Lab.Result result = lab.run("exec", node, "sh", "-c", command);
        assertThat(result.exitCode()).as(command + ": " + result).isZero();
    }

    private record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
