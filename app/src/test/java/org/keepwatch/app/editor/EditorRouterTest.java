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
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/**
 * The router editor over two real nodes (a real keepalived and agent each, in kwt-ed-<n> namespaces):
 * a priority and the VIPs edited once, the peer report following the edit, every member's change
 * reviewed and pushed as a rolling apply (master last) with each member's steps, a change of a setting every
 * member must share named at review; a priority keepalived refuses on one member is written on none.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EditorRouterTest {

    private static final RouterKey VRID_51 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private static final String VIP = "10.98.250.100";

    @TempDir
    Path dir;
    private final Map<String, LocalKeepalived> nodes = new java.util.LinkedHashMap<>();
    private final Map<String, List<Consumer<AgentEvent>>> listeners = new java.util.concurrent.ConcurrentHashMap<>();
    private ExecutorService io;
    private FleetState state;

    @BeforeEach
    void nodes() throws Exception {
        LocalKeepalived.assumeAvailable();
        // Two routers (VI_1, VI_2) with the same VIPs on both members.
        String config = LocalKeepalived.sampleConfig().replace("10.98.%N.100/24", VIP + "/24").replace("10.98.%N.200/24", "10.98.250.200/24");
        for (String name : List.of("a", "b")) {
            Files.createDirectories(dir.resolve(name));
            nodes.put(name, LocalKeepalived.start(dir.resolve(name), "kwt-ed-", config));
        }
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
        nodes.values().forEach(LocalKeepalived::close);
        if (io != null) {
            io.shutdownNow();
        }
    }

    private RouterEditorViewModel open(FxRobot robot) throws Exception {
        Map<String, AgentSession> sessions = new java.util.HashMap<>();
        for (var entry : nodes.entrySet()) {
            List<Consumer<AgentEvent>> hear = listeners.computeIfAbsent(entry.getKey(), k -> new CopyOnWriteArrayList<>());
            sessions.put(entry.getKey(), entry.getValue().agent(e -> hear.forEach(l -> l.accept(e))));
        }
        NodeAgents agents = NodeAgents.of(n -> Optional.ofNullable(sessions.get(n)), (n, l) -> {
            listeners.get(n).add(l);
            return () -> listeners.get(n).remove(l);
        });
        // What the fleet sees: a MASTER and a BACKUP of VRID 51.
        state = new FleetState(new MutableClock(), FleetSettings.DEFAULTS);
        state.addNode("a", "lab");
        state.addNode("b", "lab");
        state.nodeStatus(online("a"));
        state.nodeStatus(online("b"));
        state.applyReport(report("a", List.of(instance("a", "VI_1", 51, MASTER, 100, VIP)), List.of()));
        state.applyReport(report("b", List.of(instance("b", "VI_1", 51, BACKUP, 100, VIP)), List.of()));
        NodeConfigService configs = new NodeConfigService(agents, io);
        EditorWindows windows = new EditorWindows(configs, new PushService(agents, () -> state, io), Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> false, s -> Optional.of(s)));
        List<EditTarget> members = List.of(new EditTarget("a", nodes.get("a").daemon(), Optional.of("VI_1")),
                new EditTarget("b", nodes.get("b").daemon(), Optional.of("VI_1")));
        RouterEditorViewModel.Spec spec = new RouterEditorViewModel.Spec(VRID_51, "VI_1 (VRID 51)", members, () -> state.router(VRID_51));
        RouterEditorViewModel[] model = new RouterEditorViewModel[1];
        robot.interact(() -> model[0] = windows.openRouter(spec));
        waitFor(() -> model[0].phaseProperty().get() == RouterEditorViewModel.Phase.READY);
        return model[0];
    }

    @Test
    void aPriorityAndTheVipsEditedOnceArePushedToEveryMemberMasterLast(FxRobot robot) throws Exception {
        RouterEditorViewModel model = open(robot);
        String aBefore = nodes.get("a").configText();
        String bBefore = nodes.get("b").configText();
        // Equal priorities: the peer check says so.
        waitFor(() -> model.findings().stream().anyMatch(f -> f.text().contains("[VI_1 (VRID 51)]")));
        assertThat(model.findings()).anySatisfy(f -> assertThat(f.text()).contains("priority").contains("[VI_1 (VRID 51)]"));
        assertThat(label(robot, "#router-title")).isEqualTo("Router VI_1 (VRID 51)");

        TextField priority = robot.lookup("#priority-a").queryAs(TextField.class);
        robot.clickOn(priority).eraseText(3).write("150").type(KeyCode.ENTER);
        robot.interact(() -> robot.lookup("#router-vips-input").queryAs(TextField.class).requestFocus());
        robot.write("10.98.250.101/24").type(KeyCode.ENTER);
        // VI_1's priorities differ now; VI_2 (the other instance of the sync group) still has equal ones.
        waitFor(() -> model.findings().stream().noneMatch(f -> f.text().contains("[VI_1 (VRID 51)]")));
        assertThat(model.peerVerdictProperty().get()).isEqualTo("0 disagreement(s), 2 warning(s) between members");  // one per member

        robot.clickOn("#router-review");
        assertThat(model.diffs()).extracting(FileDiff::leftTitle).containsExactly("a now", "b now");
        assertThat(model.diffs().get(0).stats().toString()).isEqualTo("1 line(s) changed, 1 added, 0 removed");
        assertThat(model.diffs().get(1).stats().toString()).isEqualTo("0 line(s) changed, 1 added, 0 removed");
        // A VIP added to every member is a setting they must share: said before anything is written.
        assertThat(label(robot, "#router-split-warning")).startsWith("This change alters virtual_ipaddress of VI_1 ("
                + VIP + " → " + VIP + " 10.98.250.101) on every member").contains("second MASTER", "at the same time");
        robot.clickOn("#router-push");
        waitFor(() -> model.stageProperty().get() == RouterEditorViewModel.Stage.DONE);
        PushViewModel.PushVerdict verdict = model.verdictProperty().get();
        assertThat(verdict.success()).as(verdict.toString()).isTrue();
        assertThat(verdict.headline()).isEqualTo("Pushed to every member of VI_1 (VRID 51)");
        assertThat(label(robot, "#rolling-a")).isEqualTo("applied");
        assertThat(label(robot, "#rolling-b")).isEqualTo("applied");
        for (String node : List.of("a", "b")) {
            assertThat(robot.lookup("#steps-" + node + " #step-reload").queryAs(javafx.scene.layout.HBox.class).getStyleClass())
                    .as(node).contains("kw-step-ok");
        }
        String vips = "        " + VIP + "/24\n        10.98.250.101/24\n";
        assertThat(nodes.get("a").configText()).isEqualTo(aBefore.replace("priority 100", "priority 150")
                .replace("        " + VIP + "/24\n", vips));
        assertThat(nodes.get("b").configText()).isEqualTo(bBefore.replace("        " + VIP + "/24\n", vips));
        // The master was written last: its backup is the younger one.
        assertThat(newestBackup("a")).isAfter(newestBackup("b"));
        assertThat(model.changedProperty().get()).isFalse();
    }

    @Test
    void aPriorityCountsAsItIsTypedAndTheReviewSaysWhatTheElectionWillDo(FxRobot robot) throws Exception {
        RouterEditorViewModel model = open(robot);
        javafx.scene.control.Button review = robot.lookup("#router-review").queryAs(javafx.scene.control.Button.class);
        assertThat(review.isDisabled()).isTrue();
        TextField priority = robot.lookup("#priority-b").queryAs(TextField.class);
        robot.clickOn(priority).eraseText(3).write("150");
        // no Enter, the field keeps the focus: the edit counts all the same
        assertThat(priority.isFocused()).isTrue();
        assertThat(model.changedProperty().get()).isTrue();
        assertThat(review.isDisabled()).as("Review and push follows the typing").isFalse();

        robot.clickOn("#router-review");
        assertThat(model.stageProperty().get()).isEqualTo(RouterEditorViewModel.Stage.REVIEW);
        // a is MASTER at 100, b BACKUP at 100: raised to 150, b preempts
        assertThat(label(robot, "#router-election")).isEqualTo("b (150) will take VI_1 over from a (100)");
        robot.clickOn("#router-back");
        robot.clickOn("#priority-b").eraseText(3).write("90");
        robot.clickOn("#router-review");
        assertThat(label(robot, "#router-election")).isEqualTo("No master changes for VI_1: a (100) stays master");
    }

    @Test
    void aPriorityKeepalivedRefusesOnOneMemberIsWrittenOnNone(FxRobot robot) throws Exception {
        RouterEditorViewModel model = open(robot);
        String aBefore = nodes.get("a").configText();
        String bBefore = nodes.get("b").configText();
        TextField priority = robot.lookup("#priority-b").queryAs(TextField.class);
        robot.clickOn(priority).eraseText(3).write("300").type(KeyCode.ENTER);
        robot.interact(() -> robot.lookup("#router-advert_int").queryAs(TextField.class).requestFocus());
        robot.eraseText(1).write("2").type(KeyCode.ENTER);
        waitFor(() -> model.findings().stream().anyMatch(f -> f.text().startsWith("b: ") && f.text().contains("priority")));

        robot.clickOn("#router-review");
        assertThat(label(robot, "#router-split-warning")).startsWith("This change alters advert_int of VI_1 (1 s → 2 s) on every member");
        robot.clickOn("#router-push");
        waitFor(() -> model.stageProperty().get() == RouterEditorViewModel.Stage.DONE);
        PushViewModel.PushVerdict verdict = model.verdictProperty().get();
        assertThat(verdict.success()).isFalse();
        assertThat(verdict.headline()).isEqualTo("Stopped at b: keepalived -t refused the change");
        assertThat(verdict.detail()).contains("Nothing was written on any member");
        assertThat(nodes.get("a").configText()).isEqualTo(aBefore);
        assertThat(nodes.get("b").configText()).isEqualTo(bBefore);
        assertThat(nodes.values()).allMatch(LocalKeepalived::alive);
        assertThat(model.changedProperty().get()).isTrue();
    }

    private java.time.Instant newestBackup(String node) throws Exception {
        try (var files = Files.walk(dir.resolve(node).resolve("state/backups"))) {
            return files.filter(Files::isRegularFile).map(f -> {
                try {
                    return Files.getLastModifiedTime(f).toInstant();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).max(java.util.Comparator.naturalOrder()).orElseThrow();
        }
    }

    private static String label(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
