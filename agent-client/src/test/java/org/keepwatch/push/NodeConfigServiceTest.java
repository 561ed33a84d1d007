package org.keepwatch.push;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editor's push of an edit that spans the main file and an include, against the real agent and a real
 * keepalived: one apply on the node, checked together, rolled back together (it went file by file, and a
 * second file that failed left the first one applied).
 */
class NodeConfigServiceTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private NodeConfigService service;
    private PushService pushes;
    private Path include;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", "include tracks.inc\n" + LocalKeepalived.sampleConfig());
        include = Files.writeString(dir.resolve("tracks.inc"), "# no tracked files yet\n");
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        io = Executors.newCachedThreadPool();
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        service = new NodeConfigService(agents, io);
        pushes = new PushService(agents, () -> null, io);
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
    void theDraftIsLintedAgainstTheKeepalivedVersionTheNodeReports() throws Exception {
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.empty());
        ConfigDraft draft = service.open(target).get(30, TimeUnit.SECONDS);
        // the real agent's hello says which keepalived runs (keepalived -v); the draft carries it to lint
        assertThat(draft.keepalivedVersion()).isPresent().matches(v -> v.get().matches("\\d+\\.\\d+\\.\\d+"));
        // a keyword every probed release answers "Unknown keyword" for inside global_defs: named as top-level
        ConfigDraft edited = draft.withText(draft.mainPath(), draft.text(draft.mainPath()).replace("global_defs {", "global_defs {\n    use_pid_dir"));
        assertThat(edited.keepalivedVersion()).isEqualTo(draft.keepalivedVersion());
        assertThat(edited.lint().diagnostics()).anySatisfy(d -> assertThat(d.message()).contains("'use_pid_dir' is a top-level keyword"));
    }

    @Test
    void anEditOfTheMainFileAndAnIncludeIsOneApplyAndIsRolledBackTogether() throws Exception {
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.empty());
        ConfigDraft draft = service.open(target).get(30, TimeUnit.SECONDS);
        String main = draft.text(draft.mainPath());
        Path flag = Files.writeString(dir.resolve("track.val"), "1\n");
        // The tracked file is declared in the include and used in the main file: keepalived -t accepts the pair, the
        // health watch finds VI_1 in FAULT.
        ConfigDraft edited = draft
                .withText(include.toString(), "track_file tf {\n    file \"" + flag + "\"\n    weight 0\n}\n")
                .withText(draft.mainPath(), main.replace("    track_script {\n", "    track_file {\n        tf\n    }\n    track_script {\n"));
        assertThat(edited.changes()).hasSize(2);

        var checked = service.check(target, edited).get(60, TimeUnit.SECONDS);
        assertThat(checked).containsOnlyKeys(draft.mainPath());
        assertThat(checked.get(draft.mainPath()).ok()).as("checked together: each alone would be refused").isTrue();

        List<ApplyStep> steps = new CopyOnWriteArrayList<>();
        PushOutcome outcome = pushes.pushNode(target, edited, "both", steps::add).get(120, TimeUnit.SECONDS);
        assertThat(outcome).isInstanceOfSatisfying(PushOutcome.RolledBack.class, r -> {
            assertThat(r.written()).isEmpty();
            assertThat(r.path()).isEqualTo(draft.mainPath() + ", " + include);
            assertThat(r.reason()).contains("FAULT");
        });
        assertThat(node.configText()).isEqualTo(main);
        assertThat(Files.readString(include)).isEqualTo("# no tracked files yet\n");
        assertThat(steps.stream().filter(s -> s.step().equals("reload") && s.status() == ApplyStep.Status.OK))
                .as("one reload for the pair, one for the rollback").hasSize(2);
        assertThat(steps).allSatisfy(s -> assertThat(s.paths()).containsExactly(draft.mainPath(), include.toString()));
    }
}
