package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.TextField;
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
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editor against a real node: the real agent beside a real keepalived in a kwt-ed-<n> namespace.
 * Check on node, review and push with the agent's steps, a broken edit refused with nothing written,
 * and a file changed underneath merged with the operator's edit.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EditorNodeTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private EditorWindows windows;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void node() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
    }

    @Start
    void start(Stage stage) throws Exception {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        io = Executors.newCachedThreadPool();
        // The main window stands in as the editors' owner; a stage shown without a scene stalls Monocle's renderer.
        stage.setScene(new javafx.scene.Scene(new javafx.scene.control.Label("main window"), 300, 200));
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

    private ConfigEditorViewModel open(FxRobot robot) throws Exception {
        return open(robot, Optional.empty());
    }

    private ConfigEditorViewModel open(FxRobot robot, Optional<String> readOnly) throws Exception {
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        NodeConfigService configs = new NodeConfigService(agents, io);
        // What the fleet sees: n1 (this keepalived) BACKUP of VI_1 at 100, n2 its MASTER at 120.
        FleetState fleet = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        for (String n : List.of("n1", "n2")) {
            fleet.addNode(n, "lab");
            fleet.nodeStatus(org.keepwatch.fleet.Observations.online(n));
        }
        readOnly.ifPresent(why -> fleet.nodeStatus(new org.keepwatch.fleet.NodeStatus("n1",
                org.keepwatch.fleet.ConnectionState.ONLINE, java.time.Instant.now(), Optional.of(why), Optional.of("2.2.7"),
                Optional.of("0.1.0"), Optional.empty(), Optional.of(why))));
        fleet.applyReport(org.keepwatch.fleet.Observations.report("n1", List.of(observed("n1", node.daemon(), VrrpState.BACKUP, 100)), List.of()));
        fleet.applyReport(org.keepwatch.fleet.Observations.report("n2", List.of(observed("n2", "keepalived", VrrpState.MASTER, 120)), List.of()));
        windows = new EditorWindows(configs, new PushService(agents, () -> fleet, io), Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> {
                    asked.add(q);
                    return false;
                }, s -> Optional.of(s)));
        windows.answer(new org.keepwatch.app.navigation.Navigator(), () -> fleet);
        ConfigEditorViewModel[] model = new ConfigEditorViewModel[1];
        robot.interact(() -> model[0] = windows.openNode(new EditTarget("n1", node.daemon(), Optional.of("VI_1"))));
        waitFor(() -> model[0].phaseProperty().get() == ConfigEditorViewModel.Phase.READY);
        return model[0];
    }

    @Test
    void aReadOnlyNodesEditorOpensReadOnlyWithABannerAndNeitherChecksNorPushes(FxRobot robot) throws Exception {
        String why = "read-only: ops on n1 has no sudo (sudo is off for this node); nothing can be changed";
        ConfigEditorViewModel model = open(robot, Optional.of(why));
        String before = node.configText();
        assertThat(model.readOnlyProperty().get()).isEqualTo(why);
        javafx.scene.control.Label banner = robot.lookup("#editor-read-only").queryAs(javafx.scene.control.Label.class);
        assertThat(banner.isVisible()).isTrue();
        assertThat(banner.getText()).as("said once").startsWith(why + ". Shown to be read").contains("need root");
        // the configuration is there to be read
        assertThat(model.draft().mainPath()).isNotEmpty();
        assertThat(robot.lookup("#editor-push").queryButton().isDisabled()).isTrue();
        assertThat(robot.lookup("#editor-check").queryButton().isDisabled()).isTrue();
        assertThat(robot.lookup("#config-text").queryAs(org.fxmisc.richtext.CodeArea.class).isEditable()).isFalse();
        // lint says which keepalived it checked against: the one the node's daemon runs
        assertThat(label(robot, "#problems-title")).matches("Problems: \\d+ error\\(s\\), \\d+ warning\\(s\\) · "
                + "checked for keepalived \\d+\\.\\d+\\.\\d+ on n1");
        // whatever calls it, the model refuses too, in the same words, and nothing reaches the node
        robot.interact(() -> assertThat(model.review()).isEmpty());
        assertThat(model.statusProperty().get()).isEqualTo(why);
        robot.interact(model::checkOnNode);
        assertThat(model.busyProperty().get()).isFalse();
        assertThat(node.configText()).isEqualTo(before);
    }

    @Test
    void aPriorityEditedInTheFormIsCheckedOnTheNodeReviewedAndPushedWithEveryStepShown(FxRobot robot) throws Exception {
        ConfigEditorViewModel model = open(robot);
        String before = node.configText();
        setPriority(robot, "130");

        robot.clickOn("#editor-check");
        waitFor(() -> !model.busyProperty().get());
        assertThat(label(robot, "#editor-status")).as(model.problems().toString())
                .isEqualTo("keepalived -t on n1 · " + node.daemon() + " accepts it");

        robot.clickOn("#editor-push");
        assertThat(label(robot, "#diff-stats")).endsWith("1 line(s) changed, 0 added, 0 removed");
        assertThat(label(robot, "#push-election")).isEqualTo("n1 (130) will take VI_1 over from n2 (120)");
        robot.clickOn("#push-reason").write("raise n1 for the test");
        robot.clickOn("#push-confirm");
        PushViewModel.PushVerdict verdict = awaitVerdict(robot);
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        assertThat(verdict.headline()).isEqualTo("Applied on n1 · " + node.daemon());
        for (String step : List.of("lock", "compare", "check", "backup", "write", "reload", "health", "audit")) {
            assertThat(robot.lookup("#step-" + step).queryAs(javafx.scene.layout.HBox.class).getStyleClass())
                    .as(step).contains("kw-step-ok");
        }
        assertThat(node.configText()).isEqualTo(before.replace("priority 100", "priority 130"));
        assertThat(node.alive()).isTrue();
        // The editor now starts from what the node has: nothing left to push, closing asks nothing.
        assertThat(model.changedProperty().get()).isFalse();
        assertThat(model.draft().changes()).isEmpty();
        assertThat(model.draft().base().files().get(0).sha256()).isEqualTo(sha256(node.configText()));
        String audit = Files.readString(dir.resolve("state/audit.log"));
        assertThat(audit).contains("\"reason\": \"raise n1 for the test\"").contains("\"result\": \"applied\"");
    }

    @Test
    void aBrokenEditIsRefusedAtCheckWithItsLineAndNothingOnTheNodeChanges(FxRobot robot) throws Exception {
        ConfigEditorViewModel model = open(robot);
        String before = node.configText();
        TextField vrid = robot.lookup("#field-virtual_router_id").queryAs(TextField.class);
        robot.clickOn(vrid).eraseText(2).write("300").type(KeyCode.ENTER);
        // Lint says so as soon as it is typed...
        waitFor(() -> model.problems().stream().anyMatch(p -> p.source() == ProblemRow.Source.LINT && p.error() && p.line() == 15));
        // ...and so does keepalived -t on the node, with its line.
        robot.clickOn("#editor-check");
        waitFor(() -> model.problems().stream().anyMatch(p -> p.source() == ProblemRow.Source.NODE));
        assertThat(model.problems()).filteredOn(p -> p.source() == ProblemRow.Source.NODE)
                .anySatisfy(p -> {
                    assertThat(p.error()).isTrue();
                    assertThat(p.line()).isEqualTo(15);
                    assertThat(p.message()).contains("300");
                });
        assertThat(label(robot, "#editor-status")).contains("refuses it");

        robot.clickOn("#editor-push");
        robot.clickOn("#push-confirm");
        PushViewModel.PushVerdict verdict = awaitVerdict(robot);
        assertThat(verdict.success()).isFalse();
        assertThat(verdict.headline()).isEqualTo("Refused by keepalived -t on n1 · " + node.daemon());
        assertThat(verdict.detail()).startsWith("Nothing was written or reloaded.").contains(":15: ").contains("300");
        assertThat(robot.lookup("#step-check").queryAs(javafx.scene.layout.HBox.class).getStyleClass()).contains("kw-step-failed");
        assertThat(robot.lookup("#step-write").queryAs(javafx.scene.layout.HBox.class).getStyleClass()).contains("kw-step-skipped");
        assertThat(node.configText()).isEqualTo(before);
        assertThat(node.alive()).isTrue();
        assertThat(model.changedProperty().get()).isTrue();
    }

    @Test
    void aFileChangedUnderneathShowsBothAndMergingKeepsBothChanges(FxRobot robot) throws Exception {
        ConfigEditorViewModel model = open(robot);
        String original = node.configText();
        setPriority(robot, "130");
        // Another admin changes the file on the node meanwhile.
        String theirs = original.replace("advert_int 1", "advert_int 2");
        Files.writeString(node.config(), theirs);

        robot.clickOn("#editor-push");
        robot.clickOn("#push-confirm");
        waitFor(() -> pushModel(robot).stageProperty().get() == PushViewModel.Stage.CONFLICT);
        assertThat(label(robot, "#push-verdict-headline")).isEqualTo(node.config() + " changed on n1 · " + node.daemon());
        assertThat(node.configText()).isEqualTo(theirs);
        // Both versions side by side: theirs on the left, mine on the right.
        assertThat(robot.lookup("#diff-rows").queryListView().getItems()).anySatisfy(row -> {
            org.keepwatch.drafts.SideBySideDiff.Row r = (org.keepwatch.drafts.SideBySideDiff.Row) row;
            assertThat(r.oldText()).contains("advert_int 2");
            assertThat(r.newText()).contains("advert_int 1");
        });

        robot.clickOn("#conflict-merge");
        assertThat(pushModel(robot).stageProperty().get()).isEqualTo(PushViewModel.Stage.REVIEW);
        assertThat(label(robot, "#diff-stats")).endsWith("1 line(s) changed, 0 added, 0 removed");
        robot.clickOn("#push-confirm");
        PushViewModel.PushVerdict verdict = awaitVerdict(robot);
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        assertThat(node.configText()).isEqualTo(theirs.replace("priority 100", "priority 130"));
        assertThat(model.draft().text(model.draft().mainPath())).isEqualTo(node.configText());
    }

    @Test
    void closingWithEditsNotPushedAsksFirstAndANodeNotConnectedSaysSo(FxRobot robot) throws Exception {
        ConfigEditorViewModel model = open(robot);
        setPriority(robot, "131");
        Stage stage = windows.stage(model.target()).orElseThrow();
        robot.interact(() -> stage.fireEvent(new javafx.stage.WindowEvent(stage, javafx.stage.WindowEvent.WINDOW_CLOSE_REQUEST)));
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0)).contains("n1 · " + node.daemon()).contains("edited keepalived.conf");
        assertThat(stage.isShowing()).isTrue();

        ConfigEditorViewModel[] other = new ConfigEditorViewModel[1];
        robot.interact(() -> other[0] = windows.openNode(new EditTarget("n9", "keepalived", Optional.empty())));
        waitFor(() -> other[0].phaseProperty().get() == ConfigEditorViewModel.Phase.FAILED);
        assertThat(other[0].problemProperty().get()).isEqualTo("n9 is not connected: its agent must be online to read, check or push its configuration");
    }

    private static org.keepwatch.fleet.InstanceObservation observed(String node, String daemon, VrrpState state, int priority) {
        return new org.keepwatch.fleet.InstanceObservation(node, daemon, "", "VI_1", 51, "eth0", state, priority, priority,
                List.of("10.98.0.100"), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.empty(),
                org.keepwatch.fleet.InstanceStats.NONE);
    }

    private void setPriority(FxRobot robot, String value) {
        TextField priority = robot.lookup("#field-priority").queryAs(TextField.class);
        robot.clickOn(priority).eraseText(priority.getText().length()).write(value).type(KeyCode.ENTER);
    }

    private static PushViewModel pushModel(FxRobot robot) {
        return pushView(robot);
    }

    private static PushViewModel pushView(FxRobot robot) {
        javafx.scene.Parent root = robot.lookup("#push-view").queryParent();
        return (PushViewModel) root.getProperties().get(PushViewModel.class);
    }

    private static PushViewModel.PushVerdict awaitVerdict(FxRobot robot) throws Exception {
        waitFor(() -> pushView(robot).stageProperty().get() == PushViewModel.Stage.DONE);
        return pushView(robot).verdictProperty().get();
    }

    private static String label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }

    static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, condition);
        WaitForAsyncUtils.waitForFxEvents();
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
