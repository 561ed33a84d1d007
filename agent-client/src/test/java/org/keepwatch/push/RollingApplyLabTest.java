package org.keepwatch.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditor;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A priority edited once and pushed to every member of a lab router as a rolling apply shows up in
 * lab/status; a change that fails keepalived -t on one member is written nowhere; a new auth_pass pushed
 * member by member makes the first backup a second MASTER, and the push stops and rolls it back.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class RollingApplyLabTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private static final String CONFIG = "/etc/keepalived/keepalived.conf";
    private static FleetMonitor monitor;
    private static FleetState state;
    private static Lab lab;

    @BeforeAll
    static void watch(Lab theLab) throws Exception {
        lab = theLab;
        state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        monitor = new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(), NodeSupervisor.Settings.defaults(),
                Clock.systemUTC()));
        monitor.watch(FleetFile.read(lab.fleetFile()));
        Lab.await(Duration.ofSeconds(60), Duration.ofMillis(100), () -> NODES.stream()
                .allMatch(n -> monitor.supervisor(n).map(s -> s.state() == ConnectionState.ONLINE).orElse(false)));
    }

    @AfterAll
    static void stop() {
        if (monitor != null) {
            monitor.close();
        }
    }

    @Test
    void aPriorityPushedToEveryMemberShowsUpInLabStatus() throws Exception {
        Map<String, JsonNode> original = readAll();
        List<RollingApply.Change> lower = new ArrayList<>();
        Map<String, Integer> expected = new LinkedHashMap<>();
        LabStatus before = lab.awaitHealthy(Duration.ofSeconds(30));
        for (String node : NODES) {
            int priority = before.router("vrid 51").orElseThrow().members().stream().filter(m -> m.node().equals(node))
                    .findFirst().orElseThrow().priority();
            expected.put(node, priority - 10);
            lower.add(change(node, original.get(node), "vrrp_instance VI_1 priority " + (priority - 10)));
        }
        List<RollingApply.Progress> progress = new CopyOnWriteArrayList<>();
        try {
            RollingApply.Result result = new RollingApply(this::session, state, Duration.ofSeconds(30)).run(VI_1, lower, progress::add);
            assertThat(result.success()).as(String.valueOf(result)).isTrue();
            assertThat(result.members()).extracting(RollingApply.MemberResult::outcome).containsOnly(RollingApply.Outcome.APPLIED);
            // The master was written last.
            assertThat(result.members().get(2).node()).isEqualTo("n1");
            assertThat(progress).filteredOn(p -> p.phase() == RollingApply.Phase.CHECK && p.done()).hasSize(3);

            LabStatus after = lab.awaitHealthy(Duration.ofSeconds(30));
            expected.forEach((node, priority) -> assertThat(after.router("vrid 51").orElseThrow().members().stream()
                    .filter(m -> m.node().equals(node)).findFirst().orElseThrow().priority()).as(node).isEqualTo(priority));
        } finally {
            restore(original);
        }
    }

    @Test
    void aChangeThatFailsTheCheckOnOneMemberIsWrittenNowhere() throws Exception {
        Map<String, JsonNode> original = readAll();
        List<RollingApply.Change> changes = new ArrayList<>();
        for (String node : NODES) {
            String edit = node.equals("n2") ? "vrrp_instance VI_1 virtual_router_id 300" : "vrrp_instance VI_1 advert_int 2";
            changes.add(change(node, original.get(node), edit));
        }
        RollingApply.Result result = new RollingApply(this::session, state, Duration.ofSeconds(30)).run(VI_1, changes, p -> { });
        assertThat(result.success()).isFalse();
        RollingApply.MemberResult failure = result.failure().orElseThrow();
        assertThat(failure.node()).isEqualTo("n2");
        assertThat(failure.outcome()).isEqualTo(RollingApply.Outcome.CHECK_FAILED);
        assertThat(failure.message()).contains("keepalived -t rejects it");
        Map<String, JsonNode> now = readAll();
        for (String node : NODES) {
            assertThat(sha(now.get(node))).as("%s untouched", node).isEqualTo(sha(original.get(node)));
        }
        assertThat(lab.awaitHealthy(Duration.ofSeconds(20)).router("vrid 51").orElseThrow().masters()).containsExactly("n1");
    }

    /**
     * Issue 13's attack: a setting every member must share (a new auth_pass; a longer advert_int, which keepalived
     * also drops adverts over with VRRPv2; another VRID, a router of its own with the same VIP) pushed member by
     * member. n3, the first backup written, stops hearing n1 and becomes MASTER too. The push must stop there, put n3 back as it was, leave n2 and n1 unwritten and end
     * with one MASTER; its result says what happened and how to make such a change. Before the split watch the
     * push went on to n2 and n1 and reported success after the router had been split.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "vrrp_instance VI_1 authentication auth_pass kwsplit1 | authentication of VI_1",
        "vrrp_instance VI_1 advert_int 3                      | advert_int of VI_1 (1 s → 3 s)",
        "vrrp_instance VI_1 virtual_router_id 61              | virtual_router_id of VI_1 (51 → 61)"})
    void aSharedSettingPushedMemberByMemberSplitsTheRouterAndIsRolledBack(String edit, String described) throws Exception {
        Map<String, JsonNode> original = readAll();
        assertThat(lab.awaitHealthy(Duration.ofSeconds(30)).router("vrid 51").orElseThrow().masters()).containsExactly("n1");
        List<RollingApply.Change> changes = new ArrayList<>();
        for (String node : NODES) {
            changes.add(change(node, original.get(node), edit));
        }
        List<RollingApply.Progress> progress = new CopyOnWriteArrayList<>();
        Set<List<String>> mastersSeen = ConcurrentHashMap.newKeySet();
        Thread recorder = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                // VI_1 wherever it runs: a member with another VRID is a router of its own
                mastersSeen.add(state.instances().stream().filter(m -> m.lastKnown().name().equals("VI_1"))
                        .filter(m -> m.state() == VrrpState.MASTER).map(RouterMember::node).sorted().toList());
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "masters-of-VI_1");
        recorder.start();
        try {
            RollingApply.Result result = new RollingApply(this::session, state, Duration.ofSeconds(30)).run(VI_1, changes, progress::add);
            recorder.interrupt();
            // the attack happened: n3 was MASTER next to n1
            assertThat(mastersSeen).as("masters of VI_1 seen during the push").contains(List.of("n1", "n3"));

            assertThat(result.success()).as(String.valueOf(result)).isFalse();
            RollingApply.MemberResult failure = result.failure().orElseThrow();
            assertThat(failure.node()).isEqualTo("n3");
            assertThat(failure.outcome()).as(failure.message()).isEqualTo(RollingApply.Outcome.SPLIT_ROLLED_BACK);
            assertThat(failure.message()).contains("n3 became a second MASTER of VI_1 (VRID 51) next to n1",
                    "stopped hearing each other", described, "rolled back to its previous configuration",
                    "has one MASTER again (n1)", "n2, n1 were left untouched", "every member at the same time",
                    "maintenance window").doesNotContain("kwsplit1").doesNotContain("kwlab1");
            assertThat(result.members()).filteredOn(m -> !m.node().equals("n3")).extracting(RollingApply.MemberResult::outcome)
                    .containsOnly(RollingApply.Outcome.NOT_ATTEMPTED);
            // named before anything was written
            assertThat(result.splitWarning()).hasValueSatisfying(w -> assertThat(w).contains(described));
            List<RollingApply.Phase> phases = progress.stream().map(RollingApply.Progress::phase).toList();
            assertThat(phases.indexOf(RollingApply.Phase.PLAN)).isBetween(0, phases.indexOf(RollingApply.Phase.APPLY));
            assertThat(progress).anyMatch(p -> p.phase() == RollingApply.Phase.ROLLBACK && p.done() && p.ok());

            Map<String, JsonNode> now = readAll();
            for (String node : NODES) {
                assertThat(sha(now.get(node))).as("%s as before the push", node).isEqualTo(sha(original.get(node)));
            }
            LabStatus after = lab.awaitHealthy(Duration.ofSeconds(30));
            assertThat(after.router("vrid 51").orElseThrow().masters()).containsExactly("n1");
        } finally {
            recorder.interrupt();
            restoreAtOnce(original);
        }
    }

    /** Puts every member back as it was, all at the same time: a shared setting cannot be restored member by member. */
    private void restoreAtOnce(Map<String, JsonNode> original) throws Exception {
        Map<String, JsonNode> current = readAll();
        List<CompletableFuture<JsonNode>> applies = new ArrayList<>();
        for (String node : NODES) {
            if (!sha(current.get(node)).equals(sha(original.get(node)))) {
                AgentSession session = session(node).orElseThrow();
                ObjectNode args = session.json().createObjectNode().put("daemon", "keepalived").put("path", CONFIG)
                        .put("text", text(original.get(node))).put("base_sha256", sha(current.get(node)))
                        .put("reason", "RollingApplyLabTest: restoring the lab");
                applies.add(session.call("config.apply", args));
            }
        }
        for (CompletableFuture<JsonNode> apply : applies) {
            apply.get(60, TimeUnit.SECONDS);
        }
        lab.awaitHealthy(Duration.ofSeconds(30));
    }

    private void restore(Map<String, JsonNode> original) throws Exception {
        Map<String, JsonNode> current = readAll();
        List<RollingApply.Change> back = new ArrayList<>();
        for (String node : NODES) {
            back.add(new RollingApply.Change(node, "keepalived", Optional.of(CONFIG), sha(current.get(node)), text(original.get(node))));
        }
        RollingApply.Result result = new RollingApply(this::session, state, Duration.ofSeconds(30)).run(VI_1, back, p -> { });
        assertThat(result.success()).as("restoring the lab's configs: " + result).isTrue();
    }

    private Optional<AgentSession> session(String node) {
        return monitor.supervisor(node).flatMap(NodeSupervisor::session);
    }

    private Map<String, JsonNode> readAll() throws Exception {
        Map<String, JsonNode> configs = new LinkedHashMap<>();
        for (String node : NODES) {
            AgentSession session = session(node).orElseThrow();
            ObjectNode args = session.json().createObjectNode().put("daemon", "keepalived");
            JsonNode read = session.call("config.read", args).get(20, TimeUnit.SECONDS);
            configs.put(node, mainFile(read));
        }
        return configs;
    }

    private static JsonNode mainFile(JsonNode read) {
        for (JsonNode file : read.path("files")) {
            if (file.path("path").asText().equals(CONFIG)) {
                return file;
            }
        }
        throw new AssertionError("no " + CONFIG + " in " + read);
    }

    private static RollingApply.Change change(String node, JsonNode file, String edit) {
        ConfigDocument document = new ConfigParser().parse(CONFIG, text(file));
        ConfigDocument edited = ConfigEditor.set(document, edit);
        String newText = new String(edited.render().get(CONFIG), StandardCharsets.UTF_8);
        return new RollingApply.Change(node, "keepalived", Optional.of(CONFIG), sha(file), newText);
    }

    private static String text(JsonNode file) {
        return file.path("text").asText();
    }

    private static String sha(JsonNode file) {
        return file.path("sha256").asText();
    }
}
