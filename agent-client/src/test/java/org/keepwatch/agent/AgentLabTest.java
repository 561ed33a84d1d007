package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditor;
import org.keepwatch.config.ConfigParser;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.ssh.RemoteProcess;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real agent on the lab's nodes over real SSH: it reports every router as keepalived and the
 * addresses on the interfaces say, each injected failure arrives as the right events, and
 * config.apply is safe against a broken config, a config that fails health, a concurrent apply and
 * an agent killed in the middle; every apply leaves one audit line; garbage input does not stop it.
 * Every test leaves the lab healed and every config as it found it.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class AgentLabTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3", "net1", "net2");
    private static final List<String> BASIC = List.of("n1", "n2", "n3");
    private static final String DAEMON = "keepalived";                 // a basic node's daemon: the default config
    private static final String VIP_1 = "10.77.0.101";
    private static final String AUDIT_LOG = "/var/lib/keepwatch/audit.log";
    private static final String TRACK_FILE = "/tmp/kw-agentlabtest-track";
    private static final Duration FAILOVER = Duration.ofSeconds(20);
    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final int GARBAGE_LINES = 10_000;

    private static Lab lab;
    private static final Map<String, LabAgent> agents = new LinkedHashMap<>();
    private static final Map<String, JsonNode> originals = new LinkedHashMap<>();

    @BeforeAll
    static void connect(Lab theLab) throws Exception {
        lab = theLab;
        lab.awaitHealthy(Duration.ofSeconds(40));
        for (String node : NODES) {
            agents.put(node, subscribed(node));
        }
        for (String node : BASIC) {
            originals.put(node, agents.get(node).mainFile(DAEMON));
        }
    }

    @AfterAll
    static void disconnect() {
        agents.values().forEach(LabAgent::close);
    }

    /** Heal, wait for the settled lab, reconnect an agent whose session a fault ended, put configs back. */
    @AfterEach
    void healAndRestore() throws Exception {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
        for (String node : NODES) {
            if (!agents.get(node).alive()) {
                agents.get(node).close();
                agents.put(node, subscribed(node));
            }
        }
        for (String node : BASIC) {
            LabAgent agent = agents.get(node);
            JsonNode now = agent.mainFile(DAEMON);
            JsonNode original = originals.get(node);
            if (!now.path("sha256").asText().equals(original.path("sha256").asText())) {
                agent.call("config.apply", agent.applyArgs(DAEMON, original.path("text").asText(), now.path("sha256").asText()));
            }
            agent.shell("rm -f " + TRACK_FILE + " /etc/keepalived/.keepalived.conf.keepwatch-*.tmp");
        }
        lab.awaitHealthy(Duration.ofSeconds(40));
    }

    // ---- state ----------------------------------------------------------------------------------

    @Test
    void reportsEveryRouterOfBothTopologiesAsKeepalivedAndTheInterfacesSay() throws Exception {
        LabStatus status = lab.awaitHealthy(Duration.ofSeconds(40));
        Map<String, StateSnapshot> snapshots = new LinkedHashMap<>();
        for (String node : NODES) {
            snapshots.put(node, agents.get(node).snapshot());
        }
        assertThat(status.routers()).hasSize(8);
        int checked = 0;
        for (LabStatus.Router router : status.routers()) {
            for (LabStatus.Member member : router.members()) {
                StateSnapshot snapshot = snapshots.get(member.node());
                DaemonState daemon = snapshot.daemons().stream().filter(d -> d.name().equals(daemonOf(router)))
                        .findFirst().orElseThrow(() -> new AssertionError(member.node() + " reports no daemon " + daemonOf(router)));
                assertThat(daemon.alive()).isTrue();
                assertThat(daemon.error()).as("%s %s dump error", member.node(), daemon.name()).isEmpty();
                if (isNeutron(router)) {
                    assertThat(daemon.netns()).as("neutron netns").contains("qrouter-" + router.router());
                }
                InstanceState instance = daemon.instances().stream().filter(i -> i.instance().equals(member.instance()))
                        .findFirst().orElseThrow(() -> new AssertionError(member.node() + " reports no " + member.instance()));
                String label = member.node() + " " + router.router() + " " + member.instance();
                assertThat(instance.vrid()).as(label).isEqualTo(router.vrid());
                assertThat(instance.state()).as(label).isEqualTo(member.state());
                assertThat(instance.effectivePriority()).as(label).isEqualTo(member.effectivePriority());
                assertThat(instance.vips()).as(label).extracting(v -> v.substring(0, v.indexOf('/')))
                        .containsExactlyInAnyOrderElementsOf(router.vips());
                for (String vip : router.vips()) {
                    boolean holds = router.vipHolders().getOrDefault(vip, List.of()).contains(member.node());
                    boolean reported = snapshot.vipsPresent().stream().anyMatch(v -> v.address().equals(vip)
                            && v.netns().equals(daemon.netns()));
                    assertThat(reported).as("%s: %s present", label, vip).isEqualTo(holds);
                }
                checked++;
            }
            assertThat(router.masters()).hasSize(1);
        }
        assertThat(checked).isEqualTo(3 * 3 + 5 * 2);
        assertThat(snapshots.values()).allSatisfy(s -> assertThat(s.orphans()).isEmpty());
    }

    // ---- failures -------------------------------------------------------------------------------

    @Test
    void stopIsACleanShutdownAndTheBackupTakesTheVip() throws Exception {
        Map<String, Integer> marks = marks();
        lab.ok("fail", "stop", "n1");
        LabAgent n1 = agents.get("n1");
        n1.await(marks.get("n1"), QUICK, "keepalived stopped", AgentEvent.Daemon.class,
                e -> e.daemon().equals(DAEMON) && e.action().equals("stopped"));
        n1.await(marks.get("n1"), QUICK, "VIP removed", AgentEvent.Vip.class,
                e -> e.action().equals("removed") && e.vip().address().equals(VIP_1));
        assertNewMaster("n2", marks.get("n2"));
        assertThat(n1.eventsSince(marks.get("n1"))).noneMatch(e -> e instanceof AgentEvent.Vip v && v.action().equals("orphaned"));
        assertThat(lab.holders(BASIC, VIP_1)).containsExactly("n2");

        int back = n1.mark();
        lab.ok("fail", "stop", "n1", "--undo");
        n1.await(back, FAILOVER, "keepalived back", AgentEvent.Daemon.class,
                e -> e.daemon().equals(DAEMON) && (e.action().equals("restarted") || e.action().equals("started")));
        n1.awaitState(back, FAILOVER, "VI_1", "MASTER");
    }

    @Test
    void sigkillLeavesAnOrphanVipReportedAsSuch() throws Exception {
        Map<String, Integer> marks = marks();
        lab.ok("fail", "crash", "n1");
        LabAgent n1 = agents.get("n1");
        n1.await(marks.get("n1"), QUICK, "keepalived died", AgentEvent.Daemon.class,
                e -> e.daemon().equals(DAEMON) && e.action().equals("died"));
        AgentEvent.Vip orphan = n1.await(marks.get("n1"), QUICK, "orphan VIP", AgentEvent.Vip.class,
                e -> e.action().equals("orphaned") && e.vip().address().equals(VIP_1));
        assertThat(orphan.vip().reason()).contains("daemon_dead");
        assertThat(orphan.vip().instance()).contains("VI_1");
        assertThat(n1.eventsSince(marks.get("n1"))).noneMatch(e -> e instanceof AgentEvent.Vip v
                && v.action().equals("removed") && v.vip().address().equals(VIP_1));
        assertNewMaster("n2", marks.get("n2"));
        // The address is on both nodes now: a duplicate on the wire, which is why the orphan matters.
        assertThat(lab.holders(BASIC, VIP_1)).containsExactly("n1", "n2");
        assertThat(n1.snapshot().orphans()).extracting(VipPresence::address).containsExactly(VIP_1);

        int back = n1.mark();
        lab.ok("fail", "crash", "n1", "--undo");
        n1.awaitState(back, FAILOVER, "VI_1", "MASTER");
        assertThat(n1.snapshot().orphans()).isEmpty();
    }

    @Test
    void aHungDaemonIsUnresponsiveAndItsVipAnOrphan() throws Exception {
        Map<String, Integer> marks = marks();
        lab.ok("fail", "hang", "n1");
        LabAgent n1 = agents.get("n1");
        AgentEvent.Vip orphan = n1.await(marks.get("n1"), FAILOVER, "orphan VIP", AgentEvent.Vip.class,
                e -> e.action().equals("orphaned") && e.vip().address().equals(VIP_1));
        assertThat(orphan.vip().reason()).contains("daemon_unresponsive");
        n1.await(marks.get("n1"), FAILOVER, "keepalived unresponsive", AgentEvent.Daemon.class,
                e -> e.daemon().equals(DAEMON) && e.action().equals("unresponsive"));
        assertNewMaster("n2", marks.get("n2"));
        assertThat(lab.holders(BASIC, VIP_1)).containsExactly("n1", "n2");

        int back = n1.mark();
        lab.ok("fail", "hang", "n1", "--undo");
        n1.await(back, FAILOVER, "keepalived answers again", AgentEvent.Daemon.class,
                e -> e.daemon().equals(DAEMON) && e.action().equals("responsive"));
        n1.await(back, FAILOVER, "the orphan cleared or the VIP removed", AgentEvent.Vip.class,
                e -> e.vip().address().equals(VIP_1) && (e.action().equals("cleared") || e.action().equals("removed")));
    }

    @Test
    void aCutNodeGoesToFaultAndTheBackupTakesOver() throws Exception {
        Map<String, Integer> marks = marks();
        lab.ok("fail", "cut", "n1");
        assertNewMaster("n2", marks.get("n2"));
        int back = agents.get("n2").mark();
        lab.ok("fail", "cut", "n1", "--undo");
        // n1 has the higher priority: once it is back it preempts, and n2 says so.
        agents.get("n2").awaitState(back, FAILOVER, "VI_1", "BACKUP");
        // The SSH session outlives a cut of seconds (TCP retransmits): what n1's agent saw meanwhile
        // arrives now, in order: its link went down, so FAULT and the VIP gone (no orphan), then MASTER again.
        LabAgent n1 = agents.get("n1");
        AgentEvent.State fault = n1.awaitState(marks.get("n1"), FAILOVER, "VI_1", "FAULT");
        AgentEvent.Vip removed = n1.await(marks.get("n1"), FAILOVER, "VIP removed", AgentEvent.Vip.class,
                e -> e.action().equals("removed") && e.vip().address().equals(VIP_1));
        AgentEvent.State master = n1.awaitState(marks.get("n1"), FAILOVER, "VI_1", "MASTER");
        assertThat(master.ts()).isGreaterThan(fault.ts()).isGreaterThan(removed.ts());
        assertThat(n1.eventsSince(marks.get("n1"))).noneMatch(e -> e instanceof AgentEvent.Vip v && v.action().equals("orphaned"));
        assertThat(n1.alive()).isTrue();
    }

    @Test
    void aPartitionMakesEveryMemberMasterAndEachSaysSo() throws Exception {
        LabStatus before = lab.awaitHealthy(Duration.ofSeconds(40));
        Map<String, Integer> marks = marks();
        lab.ok("fail", "partition");
        int expected = 0;
        for (LabStatus.Router router : before.routers()) {
            for (LabStatus.Member member : router.members()) {
                if (member.state().equals("BACKUP")) {
                    agents.get(member.node()).await(marks.get(member.node()), FAILOVER,
                            router.router() + " " + member.instance() + " MASTER", AgentEvent.State.class,
                            e -> e.daemon().equals(daemonOf(router)) && e.instance().instance().equals(member.instance())
                                    && e.instance().state().equals("MASTER"));
                    expected++;
                }
            }
        }
        assertThat(expected).isEqualTo(3 * 2 + 5);
        for (String node : BASIC) {
            assertThat(agents.get(node).snapshot().daemons().get(0).instances()).as(node)
                    .extracting(InstanceState::state).containsOnly("MASTER");
        }

        Map<String, Integer> healed = marks();
        lab.ok("fail", "partition", "--undo");
        // The basic routers' priorities differ: every former BACKUP goes back to BACKUP and says so.
        for (LabStatus.Router router : before.routers()) {
            for (LabStatus.Member member : router.members()) {
                if (!isNeutron(router) && member.state().equals("BACKUP")) {
                    agents.get(member.node()).awaitState(healed.get(member.node()), FAILOVER, member.instance(), "BACKUP");
                }
            }
        }
    }

    // ---- config ---------------------------------------------------------------------------------

    @Test
    void aBrokenConfigIsRefusedByCheckAndApplyWithKeepalivedUntouched() throws Exception {
        LabAgent n1 = agents.get("n1");
        JsonNode file = n1.mainFile(DAEMON);
        String broken = edit(file, "vrrp_instance VI_1 virtual_router_id 300");
        int pid = n1.pid(DAEMON);
        assertThat(lab.holders(BASIC, VIP_1)).containsExactly("n1");

        JsonNode check = n1.call("config.check", n1.args().put("daemon", DAEMON).put("text", broken));
        assertThat(check.path("ok").asBoolean()).isFalse();
        assertThat(check.path("errors").asInt()).isPositive();
        assertThat(check.path("diagnostics").findValuesAsText("message")).anyMatch(m -> m.contains("300"));

        int mark = n1.mark();
        AgentException refused = n1.error("config.apply", n1.applyArgs(DAEMON, broken, file.path("sha256").asText()));
        assertThat(refused.code()).isEqualTo("check_failed");
        assertThat(refused.details().orElseThrow().path("diagnostics").size()).isPositive();
        assertThat(steps(n1, mark)).contains("check:failed").doesNotContain("backup:ok", "write:ok", "reload:started");

        assertThat(n1.pid(DAEMON)).as("same keepalived").isEqualTo(pid);
        assertThat(n1.mainFile(DAEMON).path("sha256").asText()).isEqualTo(file.path("sha256").asText());
        assertThat(lab.holders(BASIC, VIP_1)).as("the VIP where it was").containsExactly("n1");
        assertThat(n1.snapshot().daemons().get(0).instances()).filteredOn(i -> i.instance().equals("VI_1"))
                .extracting(InstanceState::state, InstanceState::vrid).containsExactly(org.assertj.core.groups.Tuple.tuple("MASTER", 51));
    }

    @Test
    void aConfigThatPassesTheCheckButFailsHealthIsRolledBack() throws Exception {
        LabAgent n3 = agents.get("n3");
        JsonNode file = n3.mainFile(DAEMON);
        String text = file.path("text").asText();
        // A tracked file with weight 0 holding a non-zero value puts VI_1 in FAULT: keepalived -t cannot know.
        n3.shell("echo 1 > " + TRACK_FILE);
        String faulty = text.replace("vrrp_instance VI_1 {",
                "track_file kw_agentlabtest {\n    file \"" + TRACK_FILE + "\"\n    weight 0\n}\n\n"
                        + "vrrp_instance VI_1 {\n    track_file {\n        kw_agentlabtest\n    }");
        assertThat(faulty).isNotEqualTo(text);
        JsonNode check = n3.call("config.check", n3.args().put("daemon", DAEMON).put("text", faulty));
        assertThat(check.path("ok").asBoolean()).as("keepalived -t accepts it: " + check).isTrue();
        int pid = n3.pid(DAEMON);

        int mark = n3.mark();
        AgentException rolledBack = n3.error("config.apply", n3.applyArgs(DAEMON, faulty, file.path("sha256").asText()));
        assertThat(rolledBack.code()).isEqualTo("rolled_back");
        JsonNode details = rolledBack.details().orElseThrow();
        assertThat(details.path("faulted").toString()).isEqualTo("[\"VI_1\"]");
        assertThat(details.path("daemon_alive").asBoolean()).isTrue();
        assertThat(steps(n3, mark)).containsSubsequence("write:ok", "reload:ok", "health:failed", "rollback:started", "rollback:ok");
        // The instance went to FAULT on the new file, then back to BACKUP on the old one.
        n3.awaitState(mark, QUICK, "VI_1", "FAULT");
        n3.awaitState(mark, QUICK, "VI_1", "BACKUP");

        assertThat(n3.pid(DAEMON)).as("keepalived kept running").isEqualTo(pid);
        assertThat(n3.mainFile(DAEMON).path("sha256").asText()).isEqualTo(file.path("sha256").asText());
        assertThat(n3.snapshot().daemons().get(0).instances()).extracting(InstanceState::instance, InstanceState::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("VI_1", "BACKUP"),
                        org.assertj.core.groups.Tuple.tuple("VI_2", "BACKUP"),
                        org.assertj.core.groups.Tuple.tuple("VI_3", "MASTER"));
    }

    @Test
    void twoClientsApplyingAtOnceOneWinsTheOtherGetsAConflict() throws Exception {
        LabAgent first = agents.get("n3");
        try (LabAgent second = LabAgent.open(lab, "n3")) {
            JsonNode file = first.mainFile(DAEMON);
            String base = file.path("sha256").asText();
            String lower = edit(file, "vrrp_instance VI_1 priority 45");
            String lowest = edit(file, "vrrp_instance VI_1 priority 40");
            CompletableFuture<String> a = outcome(first, first.applyArgs(DAEMON, lower, base));
            CompletableFuture<String> b = outcome(second, second.applyArgs(DAEMON, lowest, base));
            List<String> outcomes = new ArrayList<>(List.of(a.get(3, TimeUnit.MINUTES), b.get(3, TimeUnit.MINUTES)));
            assertThat(outcomes).containsExactlyInAnyOrder("applied", "conflict");
            String winner = a.join().equals("applied") ? lower : lowest;
            assertThat(first.mainFile(DAEMON).path("text").asText()).isEqualTo(winner);
        }
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"after_backup", "before_rename"})
    void anAgentKilledBetweenBackupAndRenameLeavesTheOldFileWhole(String point) throws Exception {
        LabAgent n3 = agents.get("n3");
        JsonNode file = n3.mainFile(DAEMON);
        String changed = edit(file, "vrrp_instance VI_1 priority 45");
        int backups = n3.call("config.backups", n3.args().put("daemon", DAEMON)).path("backups").size();
        int pid = n3.pid(DAEMON);
        try (LabAgent doomed = LabAgent.open(lab, "n3", "KEEPWATCH_AGENT_TEST_FAULT=kill:" + point)) {
            int mark = doomed.mark();
            assertThatThrownBy(() -> doomed.call("config.apply", doomed.applyArgs(DAEMON, changed, file.path("sha256").asText())))
                    .isInstanceOf(AgentGoneException.class);
            // (The SIGKILL may beat the write of the last step events to stdout: the backup is
            // checked on the node below, not by its "backup ok" event.)
            assertThat(steps(doomed, mark)).contains("check:ok").doesNotContain("write:ok");
        }
        JsonNode after = n3.mainFile(DAEMON);
        assertThat(after.path("text").asText()).isEqualTo(file.path("text").asText());
        assertThat(after.path("sha256").asText()).isEqualTo(file.path("sha256").asText());
        assertThat(n3.pid(DAEMON)).isEqualTo(pid);
        assertThat(n3.call("config.backups", n3.args().put("daemon", DAEMON)).path("backups").size())
                .as("the backup was taken").isEqualTo(Math.min(backups + 1, 20));
        String temporaries = n3.shell("ls -a /etc/keepalived");
        assertThat(temporaries.contains(".keepwatch-")).as(temporaries).isEqualTo(point.equals("before_rename"));

        // The next apply (the lock was released with the dead agent) clears the leftover and succeeds.
        JsonNode applied = n3.call("config.apply", n3.applyArgs(DAEMON, changed, file.path("sha256").asText()));
        assertThat(applied.path("result").asText()).isEqualTo("applied");
        assertThat(n3.shell("ls -a /etc/keepalived")).doesNotContain(".keepwatch-");
    }

    @Test
    void theAuditLogHasExactlyOneLinePerApply() throws Exception {
        LabAgent n3 = agents.get("n3");
        int before = auditLines(n3).size();
        JsonNode file = n3.mainFile(DAEMON);
        String base = file.path("sha256").asText();
        String lower = edit(file, "vrrp_instance VI_1 priority 45");

        JsonNode applied = n3.call("config.apply", n3.applyArgs(DAEMON, lower, base));
        String newSha = applied.path("new_sha256").asText();
        assertThat(n3.error("config.apply", n3.applyArgs(DAEMON, lower, base)).code()).isEqualTo("conflict");
        assertThat(n3.error("config.apply", n3.applyArgs(DAEMON, edit(file, "vrrp_instance VI_1 virtual_router_id 300"), newSha))
                .code()).isEqualTo("check_failed");
        assertThat(n3.call("config.apply", n3.applyArgs(DAEMON, lower, newSha)).path("result").asText()).isEqualTo("unchanged");
        assertThat(n3.call("config.apply", n3.applyArgs(DAEMON, file.path("text").asText(), newSha)).path("result").asText())
                .isEqualTo("applied");

        List<JsonNode> lines = auditLines(n3);
        List<JsonNode> added = lines.subList(before, lines.size());
        assertThat(added).extracting(l -> l.path("result").asText())
                .containsExactly("applied", "conflict", "refused", "unchanged", "applied");
        assertThat(added).allSatisfy(l -> {
            assertThat(l.path("op").asText()).isEqualTo("apply");
            assertThat(l.path("user").asText()).isEqualTo("root");
            assertThat(l.path("ssh_client").asText()).startsWith("10.77.0.1 ");
            assertThat(l.path("reason").asText()).isEqualTo("AgentLabTest");
            assertThat(l.path("old_sha256").asText()).hasSize(64);
        });
        assertThat(added.get(0).path("old_sha256").asText()).isEqualTo(base);
        assertThat(added.get(0).path("new_sha256").asText()).isEqualTo(newSha);
        assertThat(added.get(4).path("new_sha256").asText()).isEqualTo(base);
    }

    // ---- hostile input --------------------------------------------------------------------------

    @Test
    void tenThousandGarbageLinesAreEachAnsweredWithAnErrorAndTheAgentKeepsServing() throws Exception {
        LabAgent n2 = agents.get("n2");
        String path = AgentSession.deploy(n2.connection(), AgentScript.bundled());
        ObjectMapper json = ProtocolJson.mapper();
        try (RemoteProcess process = n2.connection().exec("python3 " + AgentScript.shellQuote(path) + " serve")) {
            Thread drainErr = new Thread(() -> {
                try {
                    process.stderr().transferTo(OutputStream.nullOutputStream());
                } catch (IOException ignored) {
                    // the channel closed
                }
            });
            drainErr.setDaemon(true);
            drainErr.start();
            List<String> garbage = List.of(
                    "this is not json",
                    "{\"id\": 1, \"op\": ",
                    "[1, 2, 3]",
                    "42",
                    "{\"op\": \"hello\"}",
                    "{\"id\": 2, \"op\": \"no.such.op\", \"args\": {}}",
                    "{\"id\": 3, \"op\": \"config.read\", \"args\": {\"daemon\": 5}}",
                    "{\"id\": 4, \"op\": \"config.read\", \"args\": \"daemon\"}",
                    "{\"id\": 5, \"op\": \"config.apply\", \"args\": {\"daemon\": \"keepalived\", \"text\": \"\", \"base_sha256\": \"xyz\"}}",
                    "\u0000\u0001\u0002 binary \u00ff\u00fe",
                    "{\"id\": {\"nested\": true}, \"op\": \"hello\", \"args\": {}}");
            Thread writer = new Thread(() -> {
                try (OutputStream out = process.stdin()) {
                    StringBuilder chunk = new StringBuilder();
                    for (int i = 0; i < GARBAGE_LINES; i++) {
                        chunk.append(garbage.get(i % garbage.size())).append('\n');
                        if (chunk.length() > 32_768) {
                            out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                            chunk.setLength(0);
                        }
                    }
                    chunk.append("{\"id\": \"final\", \"op\": \"hello\", \"args\": {}}\n");
                    chunk.append("{\"id\": \"after\", \"op\": \"daemons\", \"args\": {}}\n");
                    out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            int errors = 0;
            Set<String> codes = new TreeSet<>();
            JsonNode hello = null;
            JsonNode daemons = null;
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                JsonNode message = json.readTree(line);
                if (message.has("event")) {
                    continue;
                }
                if (message.path("id").asText().equals("final")) {
                    hello = message;
                } else if (message.path("id").asText().equals("after")) {
                    daemons = message;
                } else {
                    assertThat(message.path("ok").asBoolean()).as(line).isFalse();
                    codes.add(message.path("error").path("code").asText());
                    errors++;
                }
            }
            // The writer closed stdin after the last request: the agent answered everything, then ended.
            writer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(errors).isEqualTo(GARBAGE_LINES);
            assertThat(codes).containsExactly("bad_args", "bad_request", "parse_error", "unknown_op");
            assertThat(hello).isNotNull();
            assertThat(hello.path("ok").asBoolean()).as(String.valueOf(hello)).isTrue();
            assertThat(daemons).isNotNull();
            assertThat(daemons.path("result").path("daemons").findValuesAsText("name")).contains(DAEMON);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static LabAgent subscribed(String node) throws Exception {
        LabAgent agent = LabAgent.open(lab, node);
        agent.session().subscribe().get(60, TimeUnit.SECONDS);
        return agent;
    }

    private static Map<String, Integer> marks() {
        Map<String, Integer> marks = new LinkedHashMap<>();
        agents.forEach((node, agent) -> marks.put(node, agent.mark()));
        return marks;
    }

    /** n2 (next in priority) reports VIP_1 added, then VI_1 MASTER. */
    private static void assertNewMaster(String node, int mark) {
        LabAgent agent = agents.get(node);
        AgentEvent.Vip added = agent.await(mark, FAILOVER, "VIP added", AgentEvent.Vip.class,
                e -> e.action().equals("added") && e.vip().address().equals(VIP_1));
        AgentEvent.State master = agent.awaitState(mark, FAILOVER, "VI_1", "MASTER");
        assertThat(master.prevState()).contains("BACKUP");
        assertThat(master.instance().vips()).containsExactly(VIP_1 + "/24");
        assertThat(added.vip().instance()).contains("VI_1");
        assertThat(lab.holds(node, VIP_1)).isTrue();
    }

    private static boolean isNeutron(LabStatus.Router router) {
        return !router.router().startsWith("vrid ");
    }

    private static String daemonOf(LabStatus.Router router) {
        return isNeutron(router) ? router.router() : DAEMON;
    }

    private static String edit(JsonNode file, String change) {
        String path = file.path("path").asText();
        ConfigDocument document = new ConfigParser().parse(path, file.path("text").asText());
        String text = new String(ConfigEditor.set(document, change).render().get(path), StandardCharsets.UTF_8);
        assertThat(text).as(change).isNotEqualTo(file.path("text").asText());
        return text;
    }

    /** The apply.step events since the mark, as "step:status". */
    private static List<String> steps(LabAgent agent, int mark) {
        return agent.eventsSince(mark).stream().filter(e -> e instanceof AgentEvent.ApplyStepEvent)
                .map(e -> ((AgentEvent.ApplyStepEvent) e).step())
                .map(s -> s.path("step").asText() + ":" + s.path("status").asText()).toList();
    }

    private static CompletableFuture<String> outcome(LabAgent agent, ObjectNode args) {
        return agent.session().call("config.apply", args, LabAgent.CALL_TIMEOUT)
                .handle((result, error) -> {
                    if (error == null) {
                        return result.path("result").asText();
                    }
                    Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                    return cause instanceof AgentException e ? e.code() : String.valueOf(cause);
                });
    }

    private static List<JsonNode> auditLines(LabAgent agent) throws IOException {
        ObjectMapper json = ProtocolJson.mapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : agent.shell("cat " + AUDIT_LOG + " 2>/dev/null || true").split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }
}
