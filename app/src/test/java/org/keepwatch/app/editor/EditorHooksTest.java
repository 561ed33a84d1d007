package org.keepwatch.app.editor;

import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.AppWindow;
import org.keepwatch.app.instances.InstanceRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.editor.EditorNodeTest.waitFor;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/**
 * Where the main window opens the editor: the Routers and Instances menus and the router detail.
 * Here no node has an agent, so the editors say so, naming the node.
 */
@ExtendWith(ApplicationExtension.class)
class EditorHooksTest {

    private AppWindow window;

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        MutableClock clock = new MutableClock();
        FleetService service = new FleetService(clock, Runnable::run, null);
        Fleet fleet = Fleet.empty();
        for (String node : List.of("n1", "n2")) {
            fleet = fleet.withNode(FleetNode.of(node, "lab", ConnectionSettings.NONE));
        }
        service.watch(fleet, null);
        window = new AppWindow(service, clock, Runnable::run, alarm -> { }, node -> { },
                new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
        stage.setScene(window.scene());
        stage.show();
        window.model().fleetOpened("lab");
        FleetState state = service.state();
        state.nodeStatus(online("n1"));
        state.nodeStatus(online("n2"));
        state.applyReport(report("n1", List.of(instance("n1", "VI_1", 51, MASTER, 150, "10.77.0.101")), List.of()));
        state.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, BACKUP, 100, "10.77.0.101")), List.of()));
        window.pulse().pump();
    }

    @Test
    void theRoutersMenuOpensTheRouterEditorWhichNamesTheNodeItCannotRead(FxRobot robot) throws Exception {
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        robot.interact(() -> table.getSelectionModel().select(0));
        MenuItem edit = item(table, "menu-edit-router");
        assertThat(edit.getText()).isEqualTo("Edit config of all members…");
        robot.interact(edit::fire);
        RouterEditorViewModel editor = (RouterEditorViewModel) window.editors().stages().get(0).getUserData();
        waitFor(() -> editor.phaseProperty().get() == RouterEditorViewModel.Phase.FAILED);
        assertThat(editor.spec().label()).isEqualTo("VI_1 (VRID 51)");
        assertThat(editor.problemProperty().get()).startsWith("n").contains("is not connected");
        // Asking again brings the same window to the front.
        robot.interact(edit::fire);
        assertThat(window.editors().stages()).hasSize(1);
    }

    @Test
    void theDetailPaneAndTheInstancesMenuOpenOneNodesEditor(FxRobot robot) throws Exception {
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        robot.interact(() -> table.getSelectionModel().select(0));
        assertThat(robot.lookup("#detail-edit-router").tryQuery()).isPresent();
        robot.clickOn("#detail-edit-n2");
        ConfigEditorViewModel editor = (ConfigEditorViewModel) window.editors().stages().get(0).getUserData();
        assertThat(editor.target().node()).isEqualTo("n2");
        assertThat(editor.target().instance()).contains("VI_1");
        waitFor(() -> editor.phaseProperty().get() == ConfigEditorViewModel.Phase.FAILED);
        assertThat(robot.lookup("#editor-retry").tryQuery()).isPresent();
        assertThat(editor.problemProperty().get()).isEqualTo("n2 is not connected: its agent must be online to read, check or push its configuration");

        TableView<InstanceRow> instances = robot.lookup("#instances-table").queryTableView();
        robot.interact(() -> instances.getSelectionModel().select(0));
        robot.interact(() -> item(instances, "menu-edit-node").fire());
        assertThat(window.editors().stages()).hasSize(2);
    }

    private static MenuItem item(TableView<?> table, String id) {
        return table.getContextMenu().getItems().stream().filter(i -> id.equals(i.getId())).findFirst().orElseThrow();
    }

    static String text(FxRobot robot, String query) {
        return robot.lookup(query).queryAs(Label.class).getText();
    }
}
