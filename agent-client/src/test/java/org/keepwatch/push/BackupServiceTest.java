package org.keepwatch.push;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.BackupList;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Browsing and restoring a daemon's backups against the real agent and a real keepalived. */
class BackupServiceTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private NodeConfigService configs;
    private BackupService backups;
    private PushService pushes;
    private EditTarget target;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        io = Executors.newCachedThreadPool();
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        configs = new NodeConfigService(agents, io);
        backups = new BackupService(agents, io);
        pushes = new PushService(agents, () -> null, io);
        target = new EditTarget("n1", node.daemon(), Optional.empty());
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        if (io != null) {
            io.shutdownNow();
        }
    }

    @Test
    void listsEachPushsBackupReadsItAndRestoresItThroughTheSafeApply() throws Exception {
        String original = node.configText();
        push(original.replace("priority 100", "priority 110"));
        String second = node.configText();
        push(second.replace("priority 110", "priority 120"));

        BackupService.NodeBackups listed = backups.list(target).get(30, TimeUnit.SECONDS);
        assertThat(listed.mainPath()).isEqualTo(node.config().toString());
        BackupService.FileBackups main = listed.file(listed.mainPath()).orElseThrow();
        assertThat(main.liveText()).contains("priority 120");
        assertThat(main.backups()).as("newest first").hasSize(2);
        BackupList.Entry oldest = main.backups().get(1);
        assertThat(backups.read(target, main.path(), oldest.name()).get(30, TimeUnit.SECONDS).text()).isEqualTo(original);
        assertThat(backups.read(target, main.path(), main.backups().get(0).name()).get(30, TimeUnit.SECONDS).text()).isEqualTo(second);

        List<ApplyStep> steps = new CopyOnWriteArrayList<>();
        PushOutcome restored = pushes.restore(target, main.path(), oldest.name(), main.liveSha256(), "back to yesterday", steps::add)
                .get(120, TimeUnit.SECONDS);
        assertThat(restored).isInstanceOfSatisfying(PushOutcome.Applied.class, a -> {
            assertThat(a.written()).containsExactly(main.path());
            assertThat(a.backups()).hasSize(1);
            assertThat(a.draft().text(main.path())).isEqualTo(original);
        });
        assertThat(node.configText()).isEqualTo(original);
        assertThat(steps.stream().filter(s -> s.status() == ApplyStep.Status.OK).map(ApplyStep::step))
                .contains("lock", "compare", "check", "backup", "write", "reload", "health", "audit");
        assertThat(backups.list(target).get(30, TimeUnit.SECONDS).file(main.path()).orElseThrow().backups())
                .as("the restore kept the file it replaced").hasSize(3);
    }

    @Test
    void aStaleBaseIsAConflictAndABadNameIsRefusedNamingTheNodeAndNothingIsWritten() throws Exception {
        String original = node.configText();
        push(original.replace("priority 100", "priority 110"));
        BackupService.FileBackups main = backups.list(target).get(30, TimeUnit.SECONDS).files().get(0);
        String name = main.backups().get(0).name();
        String now = node.configText();

        PushOutcome conflict = pushes.restore(target, main.path(), name, "0".repeat(64), "", s -> { }).get(120, TimeUnit.SECONDS);
        assertThat(conflict).isInstanceOfSatisfying(PushOutcome.Conflict.class, c -> {
            assertThat(c.theirs()).isEqualTo(now);
            assertThat(c.mine()).isEqualTo(original);
        });
        for (String bad : List.of("../" + name, "/etc/passwd")) {
            PushOutcome refused = pushes.restore(target, main.path(), bad, main.liveSha256(), "", s -> { }).get(120, TimeUnit.SECONDS);
            assertThat(refused).isInstanceOfSatisfying(PushOutcome.Failed.class, f ->
                    assertThat(f.message()).startsWith(target.label() + ", restoring " + bad).contains("[bad_args]"));
        }
        PushOutcome otherFile = pushes.restore(target, "/etc/passwd", name, main.liveSha256(), "", s -> { }).get(120, TimeUnit.SECONDS);
        assertThat(otherFile).isInstanceOfSatisfying(PushOutcome.Failed.class, f -> assertThat(f.message()).contains("[forbidden_path]"));
        assertThat(node.configText()).isEqualTo(now);
        assertThatThrownBy(() -> backups.read(target, main.path(), "missing.conf").get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("n1").hasMessageContaining("[not_found]");
    }

    private void push(String text) throws Exception {
        ConfigDraft draft = configs.open(target).get(30, TimeUnit.SECONDS);
        PushOutcome outcome = pushes.pushNode(target, draft.withText(draft.mainPath(), text), "test", s -> { }).get(120, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOf(PushOutcome.Applied.class);
    }
}
