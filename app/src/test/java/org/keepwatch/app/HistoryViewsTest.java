package org.keepwatch.app;

import javafx.geometry.VerticalDirection;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryStore;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.HistoryDay.at;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.Observations.vip;

/** The history's views in the window: the fleet as of a moment (banner, back to live, actions off) and the zoomable timeline. */
@ExtendWith(ApplicationExtension.class)
class HistoryViewsTest {

    private static final Instant NOW = HistoryDay.DAY.plus(Duration.ofDays(1));
    private static Path dir;
    private static HistoryStore store;
    private AppWindow window;

    @BeforeAll
    static void aDay() throws IOException {
        dir = Files.createTempDirectory("kw-history-views");
        store = HistoryDay.fill(dir);
    }

    @AfterAll
    static void close() throws IOException {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        FleetService service = new FleetService(clock, Runnable::run, null);
        Fleet fleet = Fleet.empty();
        for (String node : List.of("n1", "n2")) {
            fleet = fleet.withNode(FleetNode.of(node, "lab", ConnectionSettings.NONE));
        }
        service.watch(fleet, null);
        window = new AppWindow(service, clock, Runnable::run, a -> { }, n -> { },
                new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
        window.useHistory(store);
        stage.setScene(window.scene());
        stage.show();
        window.model().fleetOpened("lab");
        FleetState state = service.state();
        state.nodeStatus(online("n1"));
        state.nodeStatus(online("n2"));
        state.applyReport(report("n1", List.of(HistoryDay.instance("n1", "VI_1", 51, VrrpState.MASTER)),
                List.of(vip("n1", HistoryDay.VIP))));
        state.applyReport(report("n2", List.of(HistoryDay.instance("n2", "VI_1", 51, VrrpState.BACKUP)), List.of()));
        window.pulse().pump();
    }

    private static String local(Instant at, String pattern) {
        return DateTimeFormatter.ofPattern(pattern).withZone(ZoneId.systemDefault()).format(at);
    }

    private static void settle() {
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void asOfATypedMomentTheTablesShowThePastMarkedSoWithActionsOffUntilBackToLive(FxRobot robot) throws Exception {
        Node banner = robot.lookup("#as-of-banner").query();
        assertThat(banner.isVisible()).isFalse();
        robot.clickOn("#as-of-field").write(local(at("01:30:00"), "HH:mm")).type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, banner::isVisible);
        assertThat(robot.lookup("#as-of-banner-text").queryAs(Label.class).getText())
                .isEqualTo("As of " + local(at("01:30:00"), "yyyy-MM-dd HH:mm:ss") + " — the past, not live");
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        assertThat(table.getStyleClass()).contains("kw-past");
        // the routers the history knew then (the ten noisy ones too), VI_1 with n2 master then (n1 is now)
        assertThat(table.getItems()).hasSize(11).allSatisfy(row -> assertThat(row.asOf()).contains(at("01:30:00")));
        RouterRow then = table.getItems().stream().filter(r -> r.key().equals(HistoryDay.VI_1)).findFirst().orElseThrow();
        assertThat(then.masterProperty().get()).isEqualTo("n2");
        // every action is off, and the menu says why; the detail pane shows the router as it was, without its actions
        robot.interact(() -> table.getSelectionModel().select(then));
        settle();
        assertThat(robot.lookup("#detail-past").queryAs(Label.class).getText()).contains("the past, not live", "go back to live");
        assertThat(robot.lookup("#detail-edit-router").tryQuery()).isEmpty();
        assertThat(robot.lookup("#detail-why").tryQuery()).isEmpty();
        ContextMenu menu = table.getContextMenu();
        robot.interact(() -> menu.show(table, 100, 100));
        MenuItem note = item(menu, "menu-routers-past");
        assertThat(note.isVisible()).isTrue();
        assertThat(note.getText()).contains("Showing the past", "back to live");
        assertThat(item(menu, "menu-edit-router").isDisable()).isTrue();
        assertThat(item(menu, "menu-move-master-away").isDisable()).isTrue();
        robot.interact(menu::hide);

        robot.clickOn("#as-of-back-to-live");
        settle();
        assertThat(banner.isVisible()).isFalse();
        assertThat(table.getStyleClass()).doesNotContain("kw-past");
        assertThat(table.getItems()).singleElement().satisfies(row -> {
            assertThat(row.masterProperty().get()).isEqualTo("n1");
            assertThat(row.asOf()).isEmpty();
        });
        robot.clickOn(robot.lookup("#routers-table .table-row-cell").nth(0).queryAs(Node.class));
        settle();
        robot.interact(() -> menu.show(table, 100, 100));
        assertThat(item(menu, "menu-routers-past").isVisible()).isFalse();
        assertThat(item(menu, "menu-edit-router").isDisable()).isFalse();
        robot.interact(menu::hide);
    }

    @Test
    void aBadMomentIsSaidUnderTheHeaderAndNothingChanges(FxRobot robot) {
        robot.clickOn("#as-of-field").write("25:00").type(javafx.scene.input.KeyCode.ENTER);
        settle();
        Label error = robot.lookup("#as-of-error").queryAs(Label.class);
        assertThat(error.isVisible()).isTrue();
        assertThat(error.getText()).contains("'25:00' is not a moment", "no hour 25");
        assertThat(robot.lookup("#as-of-banner").query().isVisible()).isFalse();
    }

    @Test
    void theTimelineZoomsFromMinutesToWeeksPansBackAndOffersTheFleetAsOfAMoment(FxRobot robot) throws Exception {
        robot.clickOn(robot.lookup("#routers-table .table-row-cell").nth(0).queryAs(Node.class));
        settle();
        Label range = robot.lookup("#timeline-range").queryAs(Label.class);
        assertThat(range.getText()).isEqualTo("10 min to now");
        robot.interact(() -> robot.lookup("#router-detail").query().getParent().getParent().getParent()
                .lookupAll(".scroll-pane").forEach(p -> ((javafx.scene.control.ScrollPane) p).setVvalue(1)));
        robot.clickOn("#timeline-zoom-1day");
        settle();
        assertThat(range.getText()).isEqualTo("1 day to now");
        assertThat(robot.lookup("#timeline-lane-n1").tryQuery()).isPresent();
        assertThat(robot.lookup("#timeline-lane-n2").tryQuery()).isPresent();
        robot.clickOn("#timeline-zoom-in");
        settle();
        assertThat(range.getText()).isEqualTo("12 h to now");
        robot.moveTo("#timeline-lane-n1").scroll(1, VerticalDirection.UP);
        settle();
        String wheeled = range.getText();
        assertThat(wheeled).isIn("6 h to now", "1 day to now");
        robot.scroll(1, VerticalDirection.DOWN);
        settle();
        assertThat(range.getText()).isEqualTo("12 h to now");
        robot.clickOn("#timeline-back");
        settle();
        assertThat(range.getText()).isEqualTo("12 h to " + local(at("18:00:00"), "yyyy-MM-dd HH:mm:ss"));
        assertThat(robot.lookup("#timeline-live").queryAs(Button.class).isDisable()).isFalse();
        robot.clickOn("#timeline-zoom-4weeks");
        settle();
        assertThat(range.getText()).startsWith("4 weeks to ");
        robot.clickOn("#timeline-live");
        settle();
        assertThat(range.getText()).isEqualTo("4 weeks to now");
        // a click on a lane offers the fleet as of that moment
        robot.clickOn("#timeline-zoom-1day");
        settle();
        robot.clickOn("#timeline-lane-n1");
        settle();
        MenuItem asOf = contextItem("timeline-as-of");
        assertThat(asOf.getText()).startsWith("Show the fleet as of this moment");
        robot.interact(asOf::fire);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#as-of-banner").query().isVisible());
        assertThat(window.asOf().asOfProperty().get()).isBetween(HistoryDay.DAY, NOW);
        robot.interact(() -> window.asOf().backToLive());
    }

    @Test
    void anEventsMenuShowsTheFleetAsOfThatEvent(FxRobot robot) throws Exception {
        robot.interact(() -> window.view().showTab("tab-events"));
        robot.clickOn("#events-load-older");
        robot.interact(() -> window.model().events().textProperty().set("VI_1 (")); // the store filters: VI_1's events
        TableView<org.keepwatch.app.events.EventRow> events = robot.lookup("#events-table").queryTableView();
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> events.getItems().stream().anyMatch(r -> r.at().equals(at("20:30:00"))));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(events.getItems().size() + " rows, " + window.model().events().historyStatusProperty().get()
                    + ": " + events.getItems().stream().limit(5).map(Object::toString).toList());
        }
        org.keepwatch.app.events.EventRow split = events.getItems().stream()
                .filter(r -> r.at().equals(at("20:30:00")) && r.node().equals("n2")).findFirst().orElseThrow();
        robot.interact(() -> events.getSelectionModel().select(split));
        MenuItem asOf = item(events.getContextMenu(), "events-as-of");
        assertThat(asOf.getText()).isEqualTo("Show the fleet as of this event");
        assertThat(asOf.isVisible()).isTrue();
        robot.interact(asOf::fire);
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#as-of-banner").query().isVisible());
        assertThat(window.asOf().asOfProperty().get()).isEqualTo(at("20:30:00"));
        // the Routers tab comes forward, the split brain as it was
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        assertThat(table.getItems().stream().filter(r -> r.key().equals(HistoryDay.VI_1)).findFirst().orElseThrow()
                .verdictProperty().get()).isEqualTo(org.keepwatch.fleet.Verdict.SPLIT_BRAIN);
        robot.interact(() -> window.asOf().backToLive());
    }

    private static MenuItem item(ContextMenu menu, String id) {
        return menu.getItems().stream().filter(i -> id.equals(i.getId())).findFirst().orElseThrow();
    }

    private static MenuItem contextItem(String id) {
        return Window.getWindows().stream().filter(w -> w instanceof ContextMenu && w.isShowing())
                .flatMap(w -> ((ContextMenu) w).getItems().stream()).filter(i -> id.equals(i.getId())).findFirst().orElseThrow();
    }
}
