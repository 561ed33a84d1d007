package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

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
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;

/**
 * The backups window against a real node (the real agent beside a real keepalived): two pushes leave two backups,
 * listed newest first; any one compared with the live file or with the other; one restored with the agent's steps
 * and the push's words, asked first, and the open editor reads the restored file.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EditorBackupsTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void node() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
    }

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        io = Executors.newCachedThreadPool();
        stage.setScene(new javafx.scene.Scene(new Label("main window"), 300, 200));
        stage.show();
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
    void backupsAreListedComparedAndOneIsRestoredWithTheStepsOfAPush(FxRobot robot) throws Exception {
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        NodeConfigService configs = new NodeConfigService(agents, io);
        PushService pushes = new PushService(agents, () -> null, io);
        EditorWindows windows = new EditorWindows(configs, pushes, new BackupService(agents, io), Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> {
                    asked.add(q);
                    return true;
                }, s -> Optional.of(s)));
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.empty());
        String original = node.configText();
        push(configs, pushes, target, original.replace("priority 100", "priority 110"));
        String second = node.configText();
        push(configs, pushes, target, second.replace("priority 110", "priority 120"));

        ConfigEditorViewModel[] editor = new ConfigEditorViewModel[1];
        robot.interact(() -> editor[0] = windows.openNode(target));
        waitFor(() -> editor[0].phaseProperty().get() == ConfigEditorViewModel.Phase.READY);
        // the editor offers its backups
        robot.clickOn("#editor-backups");
        waitFor(() -> robot.lookup("#backups-view").tryQuery().isPresent());
        BackupsViewModel model = (BackupsViewModel) robot.lookup("#backups-view").queryParent().getProperties().get(BackupsViewModel.class);
        waitFor(() -> model.rows().size() == 2 && model.diffProperty().get() != null);
        assertThat(model.fileProperty().get()).isEqualTo(node.config().toString());
        ListView<?> list = robot.lookup("#backups-list").queryAs(ListView.class);
        assertThat(list.getItems()).hasSize(2);
        // the newest backup (priority 110) against the live file (120)
        assertThat(model.leftProperty().get()).isEqualTo(model.rows().get(0).name());
        assertThat(model.rightProperty().get()).isEqualTo(BackupsViewModel.LIVE);
        assertThat(label(robot, "#diff-stats")).endsWith("1 line(s) changed, 0 added, 0 removed");
        // the older one (the original, 100) against the newer (110)
        String oldest = model.rows().get(1).name();
        robot.interact(() -> model.compare(oldest, model.rows().get(0).name()));
        waitFor(() -> model.diffProperty().get() != null && model.diffProperty().get().rows().stream()
                .anyMatch(r -> r.oldText().contains("priority 100") && r.newText().contains("priority 110")));

        robot.interact(() -> model.compare(oldest, BackupsViewModel.LIVE));
        robot.clickOn("#restore-reason").write("back to the start");
        robot.clickOn("#backups-restore");
        assertThat(asked).anySatisfy(q -> assertThat(q).startsWith("Restore " + oldest + " as " + node.config()));
        waitFor(() -> model.stageProperty().get() == BackupsViewModel.Stage.DONE);
        PushViewModel.PushVerdict verdict = model.verdictProperty().get();
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        assertThat(verdict.headline()).isEqualTo("Applied on " + target.label());
        assertThat(verdict.detail()).startsWith("Written, reloaded and healthy: " + node.config() + " is " + oldest + " again.");
        for (String step : List.of("lock", "compare", "check", "backup", "write", "reload", "health", "audit")) {
            assertThat(robot.lookup("#restore-steps #step-" + step).queryAs(javafx.scene.layout.HBox.class).getStyleClass())
                    .as(step).contains("kw-step-ok");
        }
        assertThat(node.configText()).isEqualTo(original);
        String audit = Files.readString(dir.resolve("state/audit.log"));
        assertThat(audit).contains("\"op\": \"restore\"").contains("\"reason\": \"back to the start\"").contains(oldest);
        // the open editor, without edits, reads the restored file
        waitFor(() -> editor[0].draft() != null && editor[0].draft().text(editor[0].draft().mainPath()).equals(original));

        robot.clickOn("#restore-back");
        waitFor(() -> model.stageProperty().get() == BackupsViewModel.Stage.BROWSE && model.rows().size() == 3);
        assertThat(model.rows().get(0).sha256()).as("the restore kept the file it replaced").isNotEqualTo(model.rows().get(2).sha256());
        assertThat(model.rows().get(2).live()).as("the original is the live file again").isTrue();
    }

    private static void push(NodeConfigService configs, PushService pushes, EditTarget target, String text) throws Exception {
        ConfigDraft draft = configs.open(target).get(30, TimeUnit.SECONDS);
        assertThat(pushes.pushNode(target, draft.withText(draft.mainPath(), text), "test", s -> { }).get(120, TimeUnit.SECONDS))
                .isInstanceOf(PushOutcome.Applied.class);
    }

    private static String label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
