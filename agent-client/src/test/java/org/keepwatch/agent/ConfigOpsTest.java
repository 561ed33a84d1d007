package org.keepwatch.agent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
}
