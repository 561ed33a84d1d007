package org.keepwatch.app.logs;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.AppWindow;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/**
 * Where the main window opens a daemon's log: a router member's card and the Nodes view. Here no node has an agent,
 * so the log window says it cannot read the log, naming the node.
 */
@ExtendWith(ApplicationExtension.class)
class LogHooksTest {

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        MutableClock clock = new MutableClock();
        FleetService service = new FleetService(clock, Runnable::run, null);
        Fleet fleet = Fleet.empty();
        for (String node : List.of("n1", "n2")) {
            fleet = fleet.withNode(FleetNode.of(node, "lab", ConnectionSettings.NONE));
        }
        service.watch(fleet, null);
        AppWindow window = new AppWindow(service, clock, Runnable::run, alarm -> { }, node -> { },
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

    private static Optional<Stage> logWindow(String title) {
        return Window.getWindows().stream().filter(w -> w instanceof Stage s && title.equals(s.getTitle()))
                .map(w -> (Stage) w).findFirst();
    }

    @Test
    void aMembersCardOpensItsLogOnItsInstanceAndTheNodesViewTheWholeLog(FxRobot robot) throws Exception {
        TableView<RouterRow> routers = robot.lookup("#routers-table").queryTableView();
        robot.interact(() -> routers.getSelectionModel().select(0));
        robot.clickOn("#detail-log-n2");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> logWindow("Log of keepalived on n2").isPresent());
        Stage log = logWindow("Log of keepalived on n2").orElseThrow();
        Label status = (Label) log.getScene().lookup("#log-status");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> status.getText().startsWith("cannot read the log"));
        assertThat(status.getText()).isEqualTo("cannot read the log: n2 is not online: its log cannot be read now");
        assertThat(((ComboBox<?>) log.getScene().lookup("#log-instance-filter")).getValue())
                .isEqualTo("VI_1");
        robot.interact(log::close);

        robot.clickOn("Nodes");
        TableView<NodeRow> nodes = robot.lookup("#nodes-table").queryTableView();
        robot.interact(() -> nodes.getSelectionModel().select(0));
        robot.clickOn(robot.lookup("#node-log-button").queryAs(Button.class));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> logWindow("Log of keepalived on n1").isPresent());
        Stage whole = logWindow("Log of keepalived on n1").orElseThrow();
        assertThat(((ComboBox<?>) whole.getScene().lookup("#log-instance-filter")).getValue())
                .isEqualTo(LogViewModel.ANY_INSTANCE);
        robot.interact(whole::close);
    }
}
