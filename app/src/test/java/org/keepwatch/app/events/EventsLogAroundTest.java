package org.keepwatch.app.events;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.VrrpState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;

/** "Log around this" on a transition in the Events view opens its node's log around the moment, on its instance. */
@ExtendWith(ApplicationExtension.class)
class EventsLogAroundTest {

    private static final Instant AT = Instant.parse("2026-12-05T09:47:05Z");
    private final List<Destination> went = new CopyOnWriteArrayList<>();
    private EventsViewModel model;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        Navigator navigator = new Navigator();
        navigator.register(Destination.ShowLog.class, went::add);
        model = new EventsViewModel();
        EventsView view = new EventsView(model, Tasks.sameThread(), p -> { }, navigator);
        InstanceObservation before = instance("n2", "VI_1", 51, VrrpState.BACKUP, 100, "10.77.0.101");
        InstanceObservation after = instance("n2", "VI_1", 51, VrrpState.MASTER, 100, "10.77.0.101");
        NodeStatus n2 = online("n2");
        model.onBatch(new FleetBatch(List.of(
                new FleetEvent.InstanceChanged(AT, new RouterKey(RouterKey.Kind.VRRP, "lab", "51"), Optional.of(before),
                        after, "advert timeout"),
                new FleetEvent.NodeChanged(AT.plusSeconds(1), n2)),
                Map.of(), Set.of(), Map.of(), Set.of(), Map.of(), Map.of(), false));
        model.flush();
        stage.setScene(new Scene((BorderPane) view.root(), 900, 400));
        stage.show();
    }

    @Test
    void aTransitionsLogIsOpenedAroundItAndOtherEventsHaveNone(FxRobot robot) {
        TableView<?> table = robot.lookup("#events-table").queryAs(TableView.class);
        Button logAround = robot.lookup("#events-log-around").queryAs(Button.class);
        robot.interact(() -> table.getSelectionModel().select(0));     // newest first: the node's event
        assertThat(logAround.isDisabled()).as("a connection event has no log").isTrue();
        robot.interact(() -> table.getSelectionModel().select(1));
        assertThat(logAround.isDisabled()).isFalse();
        robot.clickOn(logAround);
        assertThat(went).containsExactly(new Destination.ShowLog("n2", Optional.of("keepalived"), Optional.of("VI_1"),
                Optional.of(AT)));
    }
}
