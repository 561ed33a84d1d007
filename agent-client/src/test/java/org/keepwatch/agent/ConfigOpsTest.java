package org.keepwatch.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed config operations against the real agent and a real keepalived in a namespace of its own. */
class ConfigOpsTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ConfigOps ops;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
        ops = new ConfigOps(node.agent(events::add));
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void readsChecksAndAppliesWithEveryStepReported() throws Exception {
        ConfigFiles files = ops.read(node.daemon()).get(20, TimeUnit.SECONDS);
        assertThat(files.main()).isEqualTo(node.config().toString());
        ConfigFiles.File main = files.file(files.main()).orElseThrow();
        assertThat(main.text()).isEqualTo(node.configText());
        assertThat(main.exact()).isTrue();

        String raised = main.text().replace("priority 100", "priority 120");
        CheckResult check = ops.check(node.daemon(), Optional.empty(), raised).get(60, TimeUnit.SECONDS);
        assertThat(check.ok()).as(check.toString()).isTrue();

        ApplyResult applied = ops.apply(node.daemon(), Optional.empty(), raised, main.sha256(), "test").get(120, TimeUnit.SECONDS);
        assertThat(applied.applied()).isTrue();
        assertThat(applied.backup()).isPresent();
        assertThat(node.configText()).isEqualTo(raised);
        assertThat(events.stream().flatMap(e -> ApplyStep.of(e).stream()).filter(s -> s.status() == ApplyStep.Status.OK)
                .map(ApplyStep::step)).contains("lock", "compare", "check", "backup", "write", "reload", "health", "audit");
        assertThat(ops.configId(node.daemon()).get(10, TimeUnit.SECONDS)).isNotBlank();

        String auditLog = events.stream().filter(e -> e instanceof AgentEvent.ApplyStepEvent)
                .map(e -> ((AgentEvent.ApplyStepEvent) e).step()).filter(s -> s.path("step").asText().equals("audit"))
                .map(s -> s.path("audit_log").asText()).findFirst().orElseThrow();
        List<String> lines = Files.readAllLines(Path.of(auditLog));
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        Operator operator = Operator.ofThisWorkstation();
        assertThat(last.path("operator").path("user").asText()).as("the operator this workstation named in hello")
                .isEqualTo(operator.user());
        assertThat(last.path("operator").path("workstation").asText()).isEqualTo(operator.workstation());
    }

    @Test
    void aBrokenCandidateIsRefusedWithItsLineAndAStaleBaseIsAConflictWithTheCurrentText() throws Exception {
        ConfigFiles.File main = ops.read(node.daemon()).get(20, TimeUnit.SECONDS).files().get(0);
        String broken = main.text().replace("virtual_router_id 51", "virtual_router_id 300");
        CheckResult check = ops.check(node.daemon(), Optional.empty(), broken).get(60, TimeUnit.SECONDS);
        assertThat(check.ok()).isFalse();
        assertThat(check.diagnostics()).anySatisfy(d -> {
            assertThat(d.error()).isTrue();
            assertThat(d.line()).hasValue(15);
            assertThat(d.message()).contains("300");
        });
        assertThatThrownBy(() -> ops.apply(node.daemon(), Optional.empty(), broken, main.sha256(), "test").get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("check_failed");
                    assertThat(ConfigOps.refusal(e).diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("300"));
                });
        assertThat(node.configText()).isEqualTo(main.text());

        String other = main.text().replace("priority 100", "priority 90");
        assertThatThrownBy(() -> ops.apply(node.daemon(), Optional.empty(), other, "0".repeat(64), "test").get(60, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("conflict");
                    assertThat(e.details().orElseThrow().path("current_text").asText()).isEqualTo(main.text());
                });
    }

    @Test
    void aConfigurationOfLargeIncludesIsRefusedInWordsAndTheSessionGoesOn() throws Exception {
        // Three includes of 2 MiB each: the real agent answers config.read with one line of some 6 MiB, more than
        // Keepwatch reads in one line. The read fails; the session, its heartbeats and other requests go on.
        String comments = "# a long comment line, as generated configurations carry them\n".repeat(2 * 1024 * 1024 / 64);
        for (int i = 1; i <= 3; i++) {
            java.nio.file.Files.writeString(dir.resolve("big" + i + ".inc"), comments);
        }
        java.nio.file.Files.writeString(node.config(), node.configText() + "include big*.inc\n");
        assertThatThrownBy(() -> ops.read(node.daemon()).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("too_large");
                    assertThat(e.getMessage()).isEqualTo(node.daemon() + ": the answer to config.read is over 4 MiB, "
                            + "more than Keepwatch reads in one line; nothing of it was kept");
                });
        assertThat(ops.configId(node.daemon()).get(10, TimeUnit.SECONDS)).isNotBlank();
        assertThat(node.agent(events::add).ended()).isNotDone();
    }
    @Test
    void aMainFileAndItsIncludeAreOneApplyAndAreRolledBackTogether() throws Exception {
        // The main file includes a file of its own (before its instances); an edit of both is one apply on the node.
        Path include = java.nio.file.Files.writeString(dir.resolve("tracks.inc"), "# no tracked files yet\n");
        java.nio.file.Files.writeString(node.config(), "include tracks.inc\n" + node.configText());
        ConfigFiles files = ops.read(node.daemon()).get(20, TimeUnit.SECONDS);
        ConfigFiles.File main = files.file(files.main()).orElseThrow();
        ConfigFiles.File inc = files.file(include.toString()).orElseThrow();

        String raised = main.text().replace("priority 100", "priority 110");
        String commented = "# tracked files: none\n";
        ApplyResult applied = ops.apply(node.daemon(), List.of(new ConfigOps.FileEdit(main.path(), raised, main.sha256()),
                new ConfigOps.FileEdit(inc.path(), commented, inc.sha256())), "both").get(120, TimeUnit.SECONDS);
        assertThat(applied.applied()).isTrue();
        assertThat(applied.files()).extracting(ApplyResult.FileResult::path).containsExactly(main.path(), inc.path());
        assertThat(applied.backups()).hasSize(2);
        assertThat(steps("reload", ApplyStep.Status.OK)).as("one reload for both files").hasSize(1);
        assertThat(steps("reload", ApplyStep.Status.OK).get(0).paths()).containsExactly(main.path(), inc.path());

        // The tracked file is declared in the include and used in the main file: keepalived -t accepts the pair,
        // the health watch finds VI_1 in FAULT, and both files are put back.
        Path flag = java.nio.file.Files.writeString(dir.resolve("track.val"), "1\n");
        String tracked = "track_file tf {\n    file \"" + flag + "\"\n    weight 0\n}\n";
        String using = raised.replace("    track_script {\n", "    track_file {\n        tf\n    }\n    track_script {\n");
        assertThat(using).isNotEqualTo(raised);
        CheckResult together = ops.check(node.daemon(), java.util.Map.of(main.path(), using, inc.path(), tracked))
                .get(60, TimeUnit.SECONDS);
        assertThat(together.ok()).as(together.toString()).isTrue();
        String[] shas = {sha256(node.configText()), sha256(java.nio.file.Files.readString(include))};
        events.clear();
        assertThatThrownBy(() -> ops.apply(node.daemon(), List.of(new ConfigOps.FileEdit(main.path(), using, shas[0]),
                new ConfigOps.FileEdit(inc.path(), tracked, shas[1])), "breaks health").get(120, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("rolled_back");
                    assertThat(e.details().orElseThrow().path("restored")).hasSize(2);
                });
        assertThat(node.configText()).isEqualTo(raised);
        assertThat(java.nio.file.Files.readString(include)).isEqualTo(commented);
        assertThat(node.alive()).isTrue();
    }

    @Test
    void anApplyCutShortByAKilledAgentIsInTheNextSessionsHelloAndAnotherApplyFinishesIt() throws Exception {
        ConfigFiles.File main = ops.read(node.daemon()).get(20, TimeUnit.SECONDS).files().get(0);
        String raised = main.text().replace("priority 100", "priority 105");
        Process doomed = agent("KEEPWATCH_AGENT_TEST_FAULT", "kill:before_reload");
        AgentSession cutShort = AgentSession.attach(AgentStreams.of(doomed), "doomed", AgentSession.Options.defaults(), e -> { });
        CompletableFuture<ApplyResult> lost = new ConfigOps(cutShort).apply(node.daemon(), Optional.empty(), raised, main.sha256(), "cut short");
        assertThat(doomed.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(doomed.exitValue()).as("SIGKILL").isEqualTo(137);
        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        cutShort.close();
        assertThat(node.configText()).isEqualTo(raised);

        Process next = agent("KEEPWATCH_AGENT_TEST_FAULT", "");
        try (AgentSession session = AgentSession.attach(AgentStreams.of(next), "next", AgentSession.Options.defaults(), e -> { })) {
            UnfinishedApply unfinished = session.hello().unfinishedApplies().get(0);
            assertThat(unfinished.daemon()).isEqualTo(node.daemon());
            assertThat(unfinished.onDisk()).isEqualTo("new");
            assertThat(unfinished.files().get(0).oldSha256()).isEqualTo(main.sha256());
            assertThat(session.hello().unfinishedApplyWarning()).hasValueSatisfying(w -> assertThat(w)
                    .startsWith("unfinished apply of " + main.path() + " (daemon " + node.daemon() + ")")
                    .contains("the new version is on disk, and keepalived may not run it"));
            ApplyResult again = new ConfigOps(session).apply(node.daemon(), Optional.empty(), raised, sha256(raised), "finish it")
                    .get(120, TimeUnit.SECONDS);
            assertThat(again.result()).as("reloaded, not unchanged").isEqualTo("applied");
            assertThat(session.call("hello", session.json().createObjectNode()).get(10, TimeUnit.SECONDS)
                    .path("unfinished_applies")).isEmpty();
        } finally {
            next.destroy();
            next.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private List<ApplyStep> steps(String name, ApplyStep.Status status) {
        return events.stream().flatMap(e -> ApplyStep.of(e).stream()).filter(s -> s.step().equals(name) && s.status() == status).toList();
    }

    /** Another agent beside the node's, sharing its state directory (locks, records, audit log). */
    private Process agent(String variable, String value) throws java.io.IOException {
        ProcessBuilder builder = new ProcessBuilder("python3", LocalAgent.script(dir).toString(), "serve",
                "--state-dir", dir.resolve("state").toString(), "--match-config", dir.resolve("*.conf").toString());
        builder.environment().put(variable, value);
        return builder.start();
    }

    private static String sha256(String text) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
