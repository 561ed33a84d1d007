package org.keepwatch.app.events;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryPage;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** "Show configuration history" on a hand edit read from the history opens its node's history at the version it found. */
@ExtendWith(ApplicationExtension.class)
class EventsConfigHistoryTest {

    private static final Instant AT = Instant.parse("2026-12-05T03:12:00Z");
    private final List<Destination> went = new CopyOnWriteArrayList<>();
    private EventsViewModel model;

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        Navigator navigator = new Navigator();
        navigator.register(Destination.ConfigHistory.class, went::add);
        model = new EventsViewModel();
        EventsView view = new EventsView(model, Tasks.sameThread(), p -> { }, navigator);
        HistoryEvent handEdit = HistoryEvent.of(AT, HistoryEvent.Kind.HAND_EDIT, "n2",
                        "/etc/keepalived/keepalived.conf on n2 (keepalived) changed outside Keepwatch")
                .withDaemon("keepalived").withStates("0a1b2c3d4e5f", "abc123def456");
        HistoryEvent connection = HistoryEvent.of(AT.minusSeconds(60), HistoryEvent.Kind.CONNECTION, "n2", "n2 online");
        model.useHistory(query -> new HistoryPage(List.of(handEdit, connection), Optional.empty()), Tasks.sameThread());
        model.loadOlder();
        stage.setScene(new Scene((BorderPane) view.root(), 900, 400));
        stage.show();
    }

    @Test
    void aHandEditOpensItsNodesConfigurationHistoryAtTheVersionItFound(FxRobot robot) {
        TableView<?> table = robot.lookup("#events-table").queryAs(TableView.class);
        assertThat(table.getItems()).hasSize(2);
        MenuItem show = table.getContextMenu().getItems().stream().filter(i -> "Show configuration history".equals(i.getText()))
                .findFirst().orElseThrow();
        robot.interact(() -> table.getSelectionModel().select(1));
        assertThat(show.isDisable()).as("a connection names no configuration").isTrue();
        robot.interact(() -> table.getSelectionModel().select(0));
        assertThat(show.isDisable()).isFalse();
        robot.interact(show::fire);
        assertThat(went).containsExactly(new Destination.ConfigHistory("n2", List.of("keepalived"), Optional.of("abc123def456")));
    }
}
