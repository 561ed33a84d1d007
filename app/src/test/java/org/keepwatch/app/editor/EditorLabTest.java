package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.app.AppWindow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.push.RollingApply;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;

/**
 * The app connected to the lab over real SSH, headless, as an operator uses it: VRID 51 chosen in the
 * Routers table, the priorities of its members edited in the router form and pushed as a rolling
 * apply show up in lab/status, then are put back the same way; a VRID of 300 typed into n2's form is
 * refused by keepalived -t there and no node's file changes.
 */
@Tag("lab")
@ExtendWith({LabExtension.class, ApplicationExtension.class})
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EditorLabTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final RouterKey VRID_51 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private static Lab lab;
    private static ExecutorService io;
    private FleetService fleet;
    private AppWindow window;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
        io = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopIo() {
        io.shutdownNow();
    }

    @Start
    void start(Stage stage) throws Exception {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Clock clock = Clock.systemUTC();
        fleet = new FleetService(clock, io, () -> {
            SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
            try {
                return new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(), SshPrompts.BATCH,
                        AgentScript.bundled(), AgentSession.Options.defaults(), NodeSupervisor.Settings.defaults(), clock);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        window = new AppWindow(fleet, clock, io, alarm -> { }, fleet::reconnect,
                new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
        stage.setScene(window.scene());
        stage.show();
        fleet.open(lab.fleetFile()).get(30, TimeUnit.SECONDS);
        window.model().fleetOpened("keepwatch-lab");
        window.pulse().start();
    }

    private void awaitOnline() throws Exception {
        waitFor(() -> NODES.stream().allMatch(n -> fleet.state().nodes().stream()
                .anyMatch(s -> s.node().equals(n) && s.connection() == ConnectionState.ONLINE))
                && fleet.state().router(VRID_51).map(r -> r.members().size() == 3 && r.members().stream().allMatch(m -> m.current()))
                .orElse(false));
    }

    @Test
    void prioritiesEditedInTheRouterFormAndPushedShowUpInLabStatusAndArePutBack(FxRobot robot) throws Exception {
        awaitOnline();
        LabStatus before = lab.awaitHealthy(Duration.ofSeconds(30));
        Map<String, ConfigFiles.File> original = readAll();
        Map<String, Integer> priorities = new LinkedHashMap<>();
        before.router("vrid 51").orElseThrow().members().forEach(m -> priorities.put(m.node(), m.priority()));
        try {
            RouterEditorViewModel editor = openRouterFromTheTable(robot);
            priorities.forEach((node, p) -> typePriority(robot, node, p - 10));
            push(robot, editor);
            LabStatus after = lab.awaitHealthy(Duration.ofSeconds(30));
            priorities.forEach((node, p) -> assertThat(member(after, node).priority()).as(node).isEqualTo(p - 10));
            assertThat(after.router("vrid 51").orElseThrow().masters()).containsExactly("n1");

            // Back as it was, the same way.
            robot.clickOn("#router-done");
            priorities.forEach((node, p) -> typePriority(robot, node, p));
            push(robot, editor);
            LabStatus restored = lab.awaitHealthy(Duration.ofSeconds(30));
            priorities.forEach((node, p) -> assertThat(member(restored, node).priority()).as(node).isEqualTo(p));
            Map<String, ConfigFiles.File> now = readAll();
            NODES.forEach(n -> assertThat(now.get(n).text()).as(n).isEqualTo(original.get(n).text()));
        } finally {
            closeEditors(robot);
            putBack(original);
        }
    }

    @Test
    void aVridOf300TypedIntoTheFormIsRefusedAtCheckAndNoNodeChanges(FxRobot robot) throws Exception {
        awaitOnline();
        lab.awaitHealthy(Duration.ofSeconds(30));
        Map<String, ConfigFiles.File> original = readAll();
        try {
            selectVrid51(robot);
            robot.clickOn("#detail-edit-n2");
            ConfigEditorViewModel editor = (ConfigEditorViewModel) window.editors().stages().stream()
                    .filter(s -> s.getUserData() instanceof ConfigEditorViewModel).findFirst().orElseThrow().getUserData();
            waitFor(() -> editor.phaseProperty().get() == ConfigEditorViewModel.Phase.READY);
            TextField vrid = robot.lookup("#field-virtual_router_id").queryAs(TextField.class);
            robot.clickOn(vrid).eraseText(vrid.getText().length()).write("300").type(KeyCode.ENTER);
            robot.clickOn("#editor-check");
            waitFor(() -> editor.problems().stream().anyMatch(p -> p.source() == ProblemRow.Source.NODE && p.error()));
            assertThat(editor.problems()).filteredOn(p -> p.source() == ProblemRow.Source.NODE)
                    .anySatisfy(p -> assertThat(p.message()).contains("300"));

            robot.clickOn("#editor-push");
            robot.clickOn("#push-confirm");
            waitFor(() -> pushModel(robot).stageProperty().get() == PushViewModel.Stage.DONE);
            PushViewModel.PushVerdict verdict = pushModel(robot).verdictProperty().get();
            assertThat(verdict.success()).isFalse();
            assertThat(verdict.headline()).isEqualTo("Refused by keepalived -t on n2");
            assertThat(verdict.detail()).startsWith("Nothing was written or reloaded.").contains("300");

            Map<String, ConfigFiles.File> now = readAll();
            NODES.forEach(n -> assertThat(now.get(n).sha256()).as("%s untouched", n).isEqualTo(original.get(n).sha256()));
            assertThat(lab.awaitHealthy(Duration.ofSeconds(20)).router("vrid 51").orElseThrow().masters()).containsExactly("n1");
        } finally {
            closeEditors(robot);
            putBack(original);
        }
    }

    /** The editors go without asking (an editor with edits would ask before closing). */
    private void closeEditors(FxRobot robot) {
        robot.interact(() -> window.editors().stages().forEach(stage -> {
            stage.setOnCloseRequest(null);
            stage.close();
        }));
    }

    private void selectVrid51(FxRobot robot) throws Exception {
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        waitFor(() -> table.getItems().stream().anyMatch(r -> r.key().equals(VRID_51)));
        robot.interact(() -> {
            RouterRow row = table.getItems().stream().filter(r -> r.key().equals(VRID_51)).findFirst().orElseThrow();
            table.getSelectionModel().clearSelection();
            table.getSelectionModel().select(row);
        });
    }

    private RouterEditorViewModel openRouterFromTheTable(FxRobot robot) throws Exception {
        selectVrid51(robot);
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        robot.interact(() -> table.getContextMenu().getItems().stream().filter(i -> "menu-edit-router".equals(i.getId()))
                .findFirst().orElseThrow().fire());
        RouterEditorViewModel editor = (RouterEditorViewModel) window.editors().stages().stream()
                .filter(s -> s.getUserData() instanceof RouterEditorViewModel).findFirst().orElseThrow().getUserData();
        waitFor(() -> editor.phaseProperty().get() == RouterEditorViewModel.Phase.READY);
        assertThat(robot.lookup("#router-title").queryAs(Label.class).getText()).isEqualTo("Router VI_1 (VRID 51)");
        return editor;
    }

    private static void typePriority(FxRobot robot, String node, int priority) {
        TextField field = robot.lookup("#priority-" + node).queryAs(TextField.class);
        robot.clickOn(field).eraseText(field.getText().length()).write(String.valueOf(priority)).type(KeyCode.ENTER);
    }

    private static void push(FxRobot robot, RouterEditorViewModel editor) throws Exception {
        robot.clickOn("#router-review");
        robot.clickOn("#router-push");
        waitFor(() -> editor.stageProperty().get() == RouterEditorViewModel.Stage.DONE);
        PushViewModel.PushVerdict verdict = editor.verdictProperty().get();
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        // The master went last.
        assertThat(robot.lookup("#rolling-n1").queryAs(Label.class).getText()).isEqualTo("applied");
    }

    private static LabStatus.Member member(LabStatus status, String node) {
        return status.router("vrid 51").orElseThrow().members().stream().filter(m -> m.node().equals(node)).findFirst().orElseThrow();
    }

    private static PushViewModel pushModel(FxRobot robot) {
        return (PushViewModel) robot.lookup("#push-view").queryParent().getProperties().get(PushViewModel.class);
    }

    private Map<String, ConfigFiles.File> readAll() throws Exception {
        Map<String, ConfigFiles.File> files = new LinkedHashMap<>();
        for (String node : NODES) {
            ConfigFiles read = new ConfigOps(fleet.session(node).orElseThrow()).read("keepalived").get(20, TimeUnit.SECONDS);
            files.put(node, read.file(read.main()).orElseThrow());
        }
        return files;
    }

    /** Whatever happened, the lab's files end as they were found (through the agents' safe apply). */
    private void putBack(Map<String, ConfigFiles.File> original) throws Exception {
        Map<String, ConfigFiles.File> now = readAll();
        List<RollingApply.Change> back = new ArrayList<>();
        for (String node : NODES) {
            if (!now.get(node).sha256().equals(original.get(node).sha256())) {
                back.add(new RollingApply.Change(node, "keepalived", Optional.of(now.get(node).path()), now.get(node).sha256(),
                        original.get(node).text()));
            }
        }
        if (!back.isEmpty()) {
            RollingApply.Result result = new RollingApply(fleet.sessions(), fleet.state(), Duration.ofSeconds(30)).run(VRID_51, back, p -> { });
            assertThat(result.success()).as("putting the lab's configs back: " + result).isTrue();
        }
    }
}
