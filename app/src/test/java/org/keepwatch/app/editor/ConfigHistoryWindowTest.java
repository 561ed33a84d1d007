package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.agent.Operator;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.history.ConfigChange;
import org.keepwatch.history.ConfigHistory;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;

/**
 * The configuration history window against a real node (the real agent beside a real keepalived) and a real SQLite
 * history: a first read, a push and a hand edit are three versions with who made them; two are compared; the first
 * is restored through the push review (the live file against it, the recorded reason), asked first, with the agent's
 * steps, and the history keeps the restore as a push with the reason "restored version HASH of TIME".
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConfigHistoryWindowTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private HistoryStore store;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void node() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ch-", LocalKeepalived.sampleConfig());
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
        if (store != null) {
            store.close();
        }
        if (node != null) {
            node.close();
        }
        if (io != null) {
            io.shutdownNow();
        }
    }

    @Test
    void versionsAreListedWithWhoMadeThemComparedAndOneIsRestoredAsAPush(FxRobot robot) throws Exception {
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        store = HistoryStore.openNow(HistorySettings.of(dir.resolve("history.db").toString()), Clock.systemUTC());
        NodeConfigService configs = new NodeConfigService(agents, io);
        PushService pushes = new PushService(agents, () -> null, io, store);
        EditorWindows windows = new EditorWindows(configs, pushes, new BackupService(agents, io), Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> {
                    asked.add(q);
                    return true;
                }, s -> Optional.of(s)));
        robot.interact(() -> windows.useConfigHistory(new ConfigHistory(Optional.of(store), "off", agents, configs, pushes, io)));
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.empty());
        String original = node.configText();
        // first seen, then a push through Keepwatch, then an edit by hand on the node
        read(session);
        ConfigDraft draft = configs.open(target).get(30, TimeUnit.SECONDS);
        assertThat(pushes.pushNode(target, draft.withText(draft.mainPath(), original.replace("priority 100", "priority 110")),
                "raise VI_1", s -> { }).get(120, TimeUnit.SECONDS)).isInstanceOf(PushOutcome.Applied.class);
        Files.writeString(node.config(), node.configText().replace("priority 110", "priority 120"));
        read(session);
        HistoryEvent handEdit = store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.HAND_EDIT))).events().get(0);

        // opened as the hand edit's event opens it: its version selected, compared with the live file (the same)
        ConfigHistoryViewModel[] opened = new ConfigHistoryViewModel[1];
        robot.interact(() -> opened[0] = windows.openConfigHistory("n1", List.of(node.daemon()), handEdit.to()));
        ConfigHistoryViewModel model = opened[0];
        waitFor(() -> model.rows().size() == 3 && model.diffProperty().get() != null);
        String me = Operator.ofThisWorkstation().user() + "@" + Operator.ofThisWorkstation().workstation();
        assertThat(model.rows()).extracting(ConfigHistoryViewModel.VersionRow::who).containsExactly("changed outside Keepwatch",
                me, "first seen at connect");
        assertThat(model.rows().get(1).reason()).isEqualTo("raise VI_1");
        assertThat(model.selectedProperty().get()).isEqualTo(model.rows().get(0));
        assertThat(model.rows().get(0).live()).isTrue();
        assertThat(label(robot, "#diff-stats")).endsWith("0 line(s) changed, 0 added, 0 removed");
        TableView<?> table = robot.lookup("#confighistory-table").queryAs(TableView.class);
        assertThat(table.getItems()).hasSize(3);

        // two picked in the table: the first read against the hand edit
        robot.clickOn(robot.lookup("#confighistory-table .table-row-cell").nth(2).queryAs(javafx.scene.Node.class));
        robot.press(KeyCode.CONTROL).clickOn(robot.lookup("#confighistory-table .table-row-cell").nth(0)
                .queryAs(javafx.scene.Node.class)).release(KeyCode.CONTROL);
        waitFor(() -> model.diffProperty().get() != null && model.diffProperty().get().rows().stream()
                .anyMatch(r -> r.oldText().contains("priority 100") && r.newText().contains("priority 120")));
        assertThat(model.comparisonProperty().get()).startsWith("Version " + model.rows().get(2).hash());

        // the first read restored: reviewed first, nothing written until confirmed
        robot.clickOn(robot.lookup("#confighistory-table .table-row-cell").nth(2).queryAs(javafx.scene.Node.class));
        waitFor(() -> model.selectedProperty().get() == model.rows().get(2));
        ConfigChange first = model.rows().get(2).change();
        robot.clickOn("#confighistory-restore");
        waitFor(() -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.REVIEW);
        assertThat(node.configText()).contains("priority 120");
        assertThat(model.reviewDiffProperty().get().rows()).anySatisfy(r -> {
            assertThat(r.oldText()).contains("priority 120");
            assertThat(r.newText()).contains("priority 100");
        });
        assertThat(model.refusalProperty().get()).isEmpty();
        String recorded = ConfigHistory.reason(first, "");
        assertThat(label(robot, "#confighistory-recorded-reason")).isEqualTo("Recorded as: " + recorded);
        robot.clickOn("#confighistory-reason").write("undo the hand edit");
        robot.clickOn("#confighistory-confirm");
        assertThat(asked).anySatisfy(q -> assertThat(q).startsWith("Restore version " + first.shortHash() + " as " + node.config()));
        waitFor(() -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.DONE);
        PushViewModel.PushVerdict verdict = model.verdictProperty().get();
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        assertThat(verdict.detail()).startsWith("Written, reloaded and healthy: " + node.config() + " is version " + first.shortHash());
        for (String step : List.of("lock", "compare", "check", "backup", "write", "reload", "health", "audit")) {
            assertThat(robot.lookup("#confighistory-steps #step-" + step).queryAs(javafx.scene.layout.HBox.class).getStyleClass())
                    .as(step).contains("kw-step-ok");
        }
        assertThat(node.configText()).isEqualTo(original);
        assertThat(Files.readString(dir.resolve("state/audit.log"))).contains(recorded + ": undo the hand edit");

        // back to the list: the restore is the newest version, a push by this operator with its reason
        store.flush(Duration.ofSeconds(10));
        robot.clickOn("#confighistory-back");
        waitFor(() -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.BROWSE && model.rows().size() == 4);
        ConfigHistoryViewModel.VersionRow restored = model.rows().get(0);
        assertThat(restored.who()).isEqualTo(me);
        assertThat(restored.how()).isEqualTo("push");
        assertThat(restored.reason()).isEqualTo(recorded + ": undo the hand edit");
        assertThat(restored.hash()).isEqualTo(first.shortHash());
        assertThat(restored.live()).isTrue();
        HistoryEvent push = store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.PUSH))).events().get(0);
        assertThat(push.detail().orElseThrow()).startsWith("Reason: " + recorded);
    }

    @Test
    void withoutAHistoryTheWindowSaysSoInWords(FxRobot robot) throws Exception {
        NodeAgents agents = NodeAgents.of(n -> Optional.empty(), (n, l) -> () -> { });
        NodeConfigService configs = new NodeConfigService(agents, io);
        PushService pushes = new PushService(agents, () -> null, io);
        EditorWindows windows = new EditorWindows(configs, pushes, Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> true, s -> Optional.of(s)));
        robot.interact(() -> {
            windows.useConfigHistory(new ConfigHistory(Optional.empty(), "Keepwatch keeps no history on this workstation: it is "
                    + "turned off", agents, configs, pushes, io));
            windows.openConfigHistory("n1", List.of("keepalived"), Optional.empty());
        });
        waitFor(() -> robot.lookup("#confighistory-unavailable").tryQuery().isPresent());
        assertThat(label(robot, "#confighistory-unavailable")).startsWith("Keepwatch keeps no history on this workstation");
    }

    /** What the history's periodic read does: the daemon's files read from the node into the store. */
    private void read(AgentSession session) throws Exception {
        store.configRead("n1", new ConfigOps(session).read(node.daemon()).get(30, TimeUnit.SECONDS));
        store.flush(Duration.ofSeconds(10));
        Thread.sleep(5); // versions one after another, never at the same millisecond
    }

    private static String label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
