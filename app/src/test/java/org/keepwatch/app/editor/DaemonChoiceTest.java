package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.NotRootAgent;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.NodeDaemons;
import org.keepwatch.push.PushService;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;

/**
 * "Configuration…" of a read-only network node with two Neutron HA routers: the window asks the node's real agent
 * (run as nobody, a login without sudo) which daemons it knows, lists both with their configuration files and status,
 * says what the login cannot know, and opens the second router's configuration, read-only, when it is chosen.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DaemonChoiceTest {

    static final String FIRST = "3d611c8b-5c67-58e0-8664-b771a97976f3";
    static final String SECOND = "9a0e4f1c-2b3d-4e5f-8a9b-0c1d2e3f4a5b";
    static final String WHY = "read-only: nobody on net1 has no sudo (not root); nothing can be changed";

    @TempDir
    Path dir;
    private NotRootAgent agent;
    private ExecutorService io;
    private EditorWindows windows;
    private final Navigator navigator = new Navigator();

    @BeforeEach
    void node() throws Exception {
        NotRootAgent.assumeAvailable();
        io = Executors.newCachedThreadPool();
        agent = NotRootAgent.start(dir, "net1", List.of(
                new NotRootAgent.Router(FIRST, config("VR_1", 1), true),
                new NotRootAgent.Router(SECOND, config("VR_2", 2), false)), e -> { });
        NodeAgents agents = NodeAgents.of(n -> n.equals("net1") ? Optional.of(agent.session()) : Optional.empty(),
                (n, l) -> () -> { });
        NodeConfigService configs = new NodeConfigService(agents, io);
        FleetState fleet = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        fleet.addNode("net1", "lab");
        fleet.nodeStatus(new NodeStatus("net1", ConnectionState.ONLINE, Instant.now(), Optional.of(WHY), Optional.empty(),
                Optional.of("0.1.0"), Optional.empty(), Optional.of(WHY)));
        windows = new EditorWindows(configs, new PushService(agents, () -> fleet, io), new BackupService(agents, io),
                Tasks.onFxThread(io), () -> null,
                new EditorWindows.Questions(q -> false, Optional::of));
        windows.answer(navigator, () -> fleet);
    }

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        stage.setScene(new javafx.scene.Scene(new Label("main window"), 300, 200));
        stage.show();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        if (io != null) {
            io.shutdownNow();
        }
    }

    private static String config(String instance, int vrid) {
        return """
                vrrp_instance %s {
                    state BACKUP
                    interface ha-%d
                    virtual_router_id %d
                    priority 50
                    nopreempt
                    advert_int 2
                    virtual_ipaddress {
                        169.254.0.%d/24 dev ha-%d
                    }
                }
                """.formatted(instance, vrid, vrid, vrid, vrid);
    }

    @Test
    void theOperatorPicksTheSecondRoutersKeepalivedAndItsConfigurationOpensReadOnly(FxRobot robot) throws Exception {
        robot.interact(() -> assertThat(navigator.go(new Destination.ChooseDaemon("net1", Optional.empty()))).isTrue());
        ListView<NodeDaemons.Choice> list = robot.lookup("#daemon-choice-list").queryListView();
        waitFor(() -> list.getItems().size() == 2);
        assertThat(list.getItems()).extracting(NodeDaemons.Choice::name).containsExactly(FIRST, SECOND);
        assertThat(list.getSelectionModel().getSelectedItem().name()).as("the first is chosen first").isEqualTo(FIRST);
        // each in words, as the agent knows it: the running one it cannot see, the stopped one
        assertThat(robot.lookup("#daemon-choice-list .list-cell").queryAllAs(javafx.scene.control.ListCell.class).stream()
                .map(cell -> cell.getGraphic() == null ? "" : ((javafx.scene.layout.VBox) cell.getGraphic()).getChildren().stream()
                        .map(n -> ((Label) n).getText()).reduce((a, b) -> a + "\n" + b).orElse(""))
                .filter(t -> !t.isEmpty()).toList())
                .anySatisfy(t -> assertThat(t).startsWith(FIRST + "\nnot visible to nobody (not root")
                        .contains("configuration " + dir.resolve("ha_confs/" + FIRST + "/keepalived.conf")))
                .anySatisfy(t -> assertThat(t).startsWith(SECOND + "\nnot running · configuration "));
        Label unseen = robot.lookup("#daemon-choice-unseen").queryAs(Label.class);
        assertThat(unseen.isVisible()).isTrue();
        assertThat(unseen.getText()).startsWith("nobody is not root: ").contains("is not seen at all");

        robot.clickOn(robot.lookup("#daemon-choice-list .list-cell").nth(1).queryAs(javafx.scene.control.ListCell.class));
        assertThat(list.getSelectionModel().getSelectedItem().name()).isEqualTo(SECOND);
        robot.clickOn("#daemon-choice-open");

        EditTarget second = new EditTarget("net1", SECOND, Optional.empty());
        waitFor(() -> windows.stage(second).isPresent());
        ConfigEditorViewModel editor = (ConfigEditorViewModel) windows.stage(second).get().getUserData();
        waitFor(() -> editor.phaseProperty().get() == ConfigEditorViewModel.Phase.READY);
        assertThat(editor.draft().text(editor.draft().mainPath())).contains("vrrp_instance VR_2 {").doesNotContain("VR_1");
        assertThat(editor.readOnlyProperty().get()).isEqualTo(WHY);
        assertThat(windows.stage(new EditTarget("net1", FIRST, Optional.empty()))).as("only the one chosen").isEmpty();
        assertThat(Window.getWindows()).as("the choice closed once the editor opened")
                .noneMatch(w -> w instanceof Stage s && s.getTitle() != null && s.getTitle().startsWith("Which keepalived"));
    }

    @Test
    void backupsOfANodeWhoseWatchedStateNamesNoDaemonOfferTheAgentsDaemons(FxRobot robot) throws Exception {
        // the Nodes view has no daemon of a read-only node to give: the window's daemon choice is the agent's
        robot.interact(() -> assertThat(navigator.go(new Destination.Backups("net1", List.of()))).isTrue());
        waitFor(() -> windows.stages().stream().anyMatch(s -> s.getUserData() instanceof BackupsViewModel));
        BackupsViewModel backups = (BackupsViewModel) windows.stages().stream().map(Stage::getUserData)
                .filter(BackupsViewModel.class::isInstance).findFirst().orElseThrow();
        assertThat(backups.daemons()).containsExactly(FIRST, SECOND);
        assertThat(robot.lookup("#backups-daemon").queryComboBox().getItems()).containsExactly(FIRST, SECOND);
        // root's backups are not this login's to read: said, not shown as "none yet"; nothing to restore with
        waitFor(() -> !backups.problemProperty().get().isEmpty());
        assertThat(backups.problemProperty().get()).contains("are root's").contains("nobody is not root here")
                .contains("permission_denied");
        assertThat(robot.lookup("#backups-list").queryListView().getPlaceholder()).isInstanceOfSatisfying(Label.class,
                none -> assertThat(none.getText()).isEqualTo("The backups could not be listed: why is said below."));
        assertThat(robot.lookup("#backups-restore").queryButton().isVisible()).isFalse();
        assertThat(robot.lookup("#restore-reason").query().isVisible()).isFalse();
        assertThat(robot.lookup("#backups-read-only").queryAs(Label.class).isVisible()).isTrue();
    }

    @Test
    void aNodeNotConnectedSaysSoAndOffersNothingToOpen(FxRobot robot) throws Exception {
        DaemonChoiceViewModel[] model = new DaemonChoiceViewModel[1];
        robot.interact(() -> model[0] = windows.openDaemonChoice("net2", Optional.empty()));
        waitFor(() -> !model[0].busyProperty().get());
        assertThat(robot.lookup("#daemon-choice-problem").queryAs(Label.class).getText()).startsWith("net2 is not connected");
        assertThat(robot.lookup("#daemon-choice-open").queryButton().isDisabled()).isTrue();
        assertThat(model[0].openSelected()).isFalse();
    }
}
