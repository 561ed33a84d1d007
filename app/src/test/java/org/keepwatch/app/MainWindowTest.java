package org.keepwatch.app;

import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.events.EventKind;
import org.keepwatch.app.events.EventRow;
import org.keepwatch.app.instances.InstanceRow;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.daemon;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.Observations.vip;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/**
 * The main window over a real FleetState fed with what agents report: tables, detail, banner,
 * timeline and filters as an operator uses them. Every change goes through the pulse.
 */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {

    private static final String VIP = "10.77.0.101";
    private static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private final MutableClock clock = new MutableClock();
    private final List<FleetEvent.Alarm> notified = new ArrayList<>();
    private final List<String> reconnected = new ArrayList<>();
    private FleetService service;
    private AppWindow window;

    @Start
    void start(Stage stage) {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        service = new FleetService(clock, Runnable::run, null);
        Fleet fleet = Fleet.empty();
        for (String node : List.of("n1", "n2", "n3")) {
            fleet = fleet.withNode(FleetNode.of(node, "lab", ConnectionSettings.NONE));
        }
        service.watch(fleet, null);
        window = new AppWindow(service, clock, Runnable::run, notified::add, reconnected::add,
                new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
        stage.setScene(window.scene());
        stage.show();
        window.model().fleetOpened("lab");
        FleetState state = service.state();
        for (String node : List.of("n1", "n2", "n3")) {
            state.nodeStatus(online(node));
        }
        state.applyReport(report("n1", List.of(instance("n1", "VI_1", 51, MASTER, 150, VIP)), List.of(vip("n1", VIP))));
        state.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, BACKUP, 100, VIP)), List.of()));
        state.applyReport(report("n3", List.of(instance("n3", "VI_1", 51, BACKUP, 50, VIP)), List.of()));
        window.pulse().pump();
    }

    @Test
    void theRoutersTableShowsTheRouterItsMasterAndMembers(FxRobot robot) {
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        assertThat(table.getItems()).hasSize(1);
        RouterRow row = table.getItems().get(0);
        assertThat(row.nameProperty().get()).isEqualTo("VI_1  (VRID 51)");
        assertThat(row.masterProperty().get()).isEqualTo("n1");
        assertThat(row.vipsProperty().get()).isEqualTo(VIP);
        assertThat(row.verdictProperty().get()).isEqualTo(Verdict.HEALTHY);
        // Drawn as an operator sees it: the verdict as a word with its icon, the members side by side.
        assertThat(robot.lookup("#routers-table .kw-badge").queryAll()).extracting(n -> ((Label) n).getText())
                .contains("Healthy", "n1 master 150 ●", "n2 backup 100", "n3 backup 50");
        // The status line follows within a second (MainView's timer); run that tick now.
        robot.interact(() -> window.model().refreshSummaryIfDirty());
        assertThat(robot.lookup("#status-line").queryAs(Label.class).getText()).isEqualTo("1 routers, 1 healthy · 3 of 3 nodes online");
    }

    @Test
    void lastChangeIsTheRoutersLastTransitionAsKeepalivedSaysNotWhenKeepwatchConnected(FxRobot robot) {
        // keepalived says n1 became MASTER five minutes before Keepwatch connected (now, on the test's clock)
        Instant transition = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyInstance(new org.keepwatch.fleet.InstanceObservation("n1", "keepalived", "", "VI_1", 51, "eth0", MASTER,
                    150, 150, List.of(VIP), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.of(transition),
                    org.keepwatch.fleet.InstanceStats.NONE), "snapshot");
            window.pulse().pump();
        });
        RouterRow row = window.model().routers().row(VI_1);
        assertThat(row.lastChangeProperty().get()).isEqualTo(transition);
        assertThat(row.view().lastChange()).as("when Keepwatch connected").isNotEqualTo(transition);
        List<String> shown = robot.lookup("#routers-table .table-cell").queryAllAs(javafx.scene.control.TableCell.class).stream()
                .filter(c -> c.getTableColumn() != null && "routers-last-change".equals(c.getTableColumn().getId()) && c.getText() != null)
                .map(javafx.scene.control.TableCell::getText).toList();
        assertThat(shown).containsExactly(org.keepwatch.app.common.Formats.clock(transition));
    }

    @Test
    void aFailoverChangesTheRowAndLandsInTheTimeline(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyInstance(instance("n1", "VI_1", 51, VrrpState.STOP, 150, VIP), "stopped");
            state.applyVip(vip("n1", VIP), false);
            state.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "master down");
            state.applyVip(vip("n2", VIP), true);
            window.pulse().pump();
        });
        RouterRow row = window.model().routers().row(VI_1);
        assertThat(row.masterProperty().get()).isEqualTo("n2");
        InstanceRow n2 = window.model().instances().rows().stream().filter(r -> r.nodeProperty().get().equals("n2"))
                .findFirst().orElseThrow();
        assertThat(n2.stateProperty().get()).isEqualTo(MASTER);
        assertThat(n2.vipsHeldProperty().get()).isEqualTo(VIP);
        robot.interact(() -> window.model().events().flush());
        List<EventRow> events = window.model().events().rows();
        assertThat(events).extracting(EventRow::kind).contains(EventKind.TRANSITION);
        assertThat(events.get(0).text()).isEqualTo("n2 VI_1: BACKUP → MASTER (priority 100; master down)");
    }

    @Test
    void aSplitBrainRaisesTheBannerAndOneNotificationAndTheBannerLeadsToTheRouter(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "partition");
            state.applyVip(vip("n2", VIP), true);
            clock.advance(Duration.ofSeconds(2));
            state.tick();
            window.pulse().pump();
            state.tick();
            window.pulse().pump();
        });
        HBox banner = robot.lookup("#alarm-banner").queryAs(HBox.class);
        assertThat(banner.isVisible()).isTrue();
        assertThat(robot.lookup("#alarm-text").queryAs(Label.class).getText())
                .startsWith("Split brain on VRID 51: n1 and n2 are both MASTER");
        assertThat(notified).hasSize(1);
        assertThat(notified.get(0).verdict()).isEqualTo(Verdict.SPLIT_BRAIN);

        robot.interact(() -> robot.lookup("#tab-nodes").queryAll().forEach(n -> { }));
        robot.interact(() -> ((TabPane) robot.lookup(".tab-pane").query()).getSelectionModel().select(2));
        robot.clickOn("#alarm-show");
        TableView<RouterRow> table = robot.lookup("#routers-table").queryTableView();
        assertThat(table.getSelectionModel().getSelectedItem().key()).isEqualTo(VI_1);
        assertThat(robot.lookup("#detail-verdict").queryAs(Label.class).getText()).isEqualTo("Split brain");
        assertThat(robot.lookup(".kw-member-card").queryAll()).hasSize(3);

        robot.interact(() -> {
            state.applyInstance(instance("n2", "VI_1", 51, BACKUP, 100, VIP), "healed");
            state.applyVip(vip("n2", VIP), false);
            window.pulse().pump();
        });
        assertThat(banner.isVisible()).isFalse();
        assertThat(notified).hasSize(1);
    }

    @Test
    void aStaleNodeShowsUnknownStatesAndItsErrorAndCanBeReconnected(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.nodeStatus(new NodeStatus("n3", ConnectionState.OFFLINE, clock.instant(),
                    Optional.of("Connection to 10.77.0.13 port 22 refused"), Optional.of("2.2.7"), Optional.of("0.1.0")));
            window.pulse().pump();
        });
        InstanceRow n3 = window.model().instances().rows().stream().filter(r -> r.nodeProperty().get().equals("n3"))
                .findFirst().orElseThrow();
        assertThat(n3.stateProperty().get()).isEqualTo(VrrpState.UNKNOWN);
        assertThat(n3.currentProperty().get()).isFalse();
        NodeRow node = window.model().nodes().row("n3");
        assertThat(node.connectionProperty().get()).isEqualTo(ConnectionState.OFFLINE);
        assertThat(node.lastErrorProperty().get()).isEqualTo("Connection to 10.77.0.13 port 22 refused");

        robot.interact(() -> ((TabPane) robot.lookup(".tab-pane").query()).getSelectionModel().select(2));
        TableView<NodeRow> nodes = robot.lookup("#nodes-table").queryTableView();
        robot.interact(() -> nodes.getSelectionModel().select(node));
        robot.clickOn("#reconnect-button");
        assertThat(reconnected).containsExactly("n3");
    }

    @Test
    void aKeepalivedStoppedToDrainItsNodeIsSaidAsDrainedNotAsDown(FxRobot robot) {
        FleetState state = service.state();
        org.keepwatch.fleet.MaintenanceWeight stopped = new org.keepwatch.fleet.MaintenanceWeight(java.util.Optional.empty(),
                java.util.Optional.empty(), List.of(), java.util.Map.of(), true, java.util.Optional.of(clock.instant()),
                java.util.Optional.of("alice@desk-7"), java.util.Optional.of("kernel update"), java.util.Optional.empty(),
                java.util.Optional.of(org.keepwatch.fleet.MaintenanceWeight.Method.STOP));
        robot.interact(() -> {
            state.applyReport(new org.keepwatch.fleet.NodeReport("n1", clock.instant(),
                    List.of(new org.keepwatch.fleet.DaemonObservation("n1", "keepalived", "", DaemonStatus.STOPPED,
                            java.util.Optional.empty(), java.util.Optional.of(stopped))),
                    List.of(instance("n1", "VI_1", 51, BACKUP, 150, VIP)), List.of()));
            state.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, MASTER, 100, VIP)), List.of(vip("n2", VIP))));
            window.pulse().pump();
            window.model().refreshSummaryIfDirty();
        });
        assertThat(window.model().nodes().row("n1").daemonsProperty().get()).isEqualTo("drained (keepalived stopped)");
        assertThat(robot.lookup("#status-line").queryAs(Label.class).getText()).endsWith("nodes online · drained: n1")
                .doesNotContain("keepalived down");
    }

    @Test
    void aKeepalivedFoundHungShowsOnItsNodeItsMemberAndTheStatusLine(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            // What n1's agent says after its VRRP process was stopped: no dump, its instance from its configuration.
            state.applyReport(new org.keepwatch.fleet.NodeReport("n1", clock.instant(),
                    List.of(daemon("n1", DaemonStatus.HUNG)),
                    List.of(instance("n1", "VI_1", 51, VrrpState.UNKNOWN, 150, VIP)), List.of(vip("n1", VIP))));
            state.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, MASTER, 100, VIP)), List.of(vip("n2", VIP))));
            window.pulse().pump();
            window.model().refreshSummaryIfDirty();
        });
        assertThat(window.model().nodes().row("n1").daemonsProperty().get()).isEqualTo("hung");
        assertThat(window.model().nodes().row("n1").daemonsDetailProperty().get())
                .isEqualTo("keepalived hung (does not answer): keepalived hung (does not answer)");
        assertThat(window.model().nodes().row("n2").daemonsProperty().get()).isEqualTo("running");
        InstanceRow n1 = window.model().instances().rows().stream().filter(r -> r.nodeProperty().get().equals("n1"))
                .findFirst().orElseThrow();
        assertThat(n1.stateProperty().get()).isEqualTo(VrrpState.HUNG);
        assertThat(robot.lookup("#status-line").queryAs(Label.class).getText()).endsWith("· keepalived down on n1");

        robot.interact(() -> ((TabPane) robot.lookup(".tab-pane").query()).getSelectionModel().select(2));
        assertThat(robot.lookup("#nodes-table .kw-daemon-down").queryAll()).extracting(n -> ((javafx.scene.control.Labeled) n).getText())
                .singleElement().asString().startsWith("hung");
    }

    @Test
    void theFilterBoxFiltersRoutersAndInstances(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyInstance(instance("n1", "VI_2", 52, BACKUP, 50, "10.77.0.102"), "new");
            state.applyInstance(instance("n2", "VI_2", 52, MASTER, 150, "10.77.0.102"), "new");
            window.pulse().pump();
        });
        assertThat(window.model().routers().rows()).hasSize(2);
        robot.clickOn("#filter-box").write("102");
        assertThat(window.model().routers().rows()).extracting(r -> r.nameProperty().get()).containsExactly("VI_2  (VRID 52)");
        assertThat(window.model().instances().rows()).hasSize(2);
        robot.interact(() -> window.model().filterProperty().set(""));
        assertThat(window.model().routers().rows()).hasSize(2);
    }

    @Test
    void theTimelineFiltersByNodeAndKind(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyInstance(instance("n1", "VI_1", 51, BACKUP, 150, VIP), "one");
            state.applyInstance(instance("n2", "VI_1", 51, MASTER, 100, VIP), "two");
            state.nodeStatus(new NodeStatus("n3", ConnectionState.STALE, clock.instant(), Optional.of("no heartbeat"),
                    Optional.empty(), Optional.empty()));
            window.pulse().pump();
        });
        var events = window.model().events();
        robot.interact(events::flush);
        // Newest first: the three changes above, then the connections coming up.
        assertThat(events.rows().subList(0, 3)).extracting(EventRow::text).containsExactly("n3 STALE: no heartbeat",
                "n2 VI_1: BACKUP → MASTER (priority 100; two)", "n1 VI_1: MASTER → BACKUP (priority 150; one)");
        robot.interact(() -> {
            events.nodeProperty().set("n2");
            events.kindProperty().set(EventKind.TRANSITION);
        });
        assertThat(events.rows()).singleElement().satisfies(r -> assertThat(r.text()).startsWith("n2 VI_1: BACKUP → MASTER"));
        robot.interact(() -> {
            events.nodeProperty().set("n3");
            events.kindProperty().set(EventKind.NODE);
        });
        assertThat(events.rows()).extracting(EventRow::text).containsExactly("n3 STALE: no heartbeat", "n3 ONLINE",
                "n3 CONNECTING");
    }

    @Test
    void copiesAndExportsRowsAsAnOperatorPastesThem() {
        RouterRow row = window.model().routers().row(VI_1);
        String csv = org.keepwatch.app.common.TableSupport.csv(List.of(row), List.of("Router", "Members"),
                r -> List.of(r.nameProperty().get(), "n1 MASTER, n2 BACKUP"));
        assertThat(csv).isEqualTo("Router,Members\r\nVI_1  (VRID 51),\"n1 MASTER, n2 BACKUP\"\r\n");
    }

    @Test
    void aRemovedDaemonShowsItsMembersStopped(FxRobot robot) {
        FleetState state = service.state();
        robot.interact(() -> {
            state.applyDaemon(daemon("n3", false));
            window.pulse().pump();
        });
        assertThat(window.model().routers().row(VI_1).membersProperty().get()).filteredOn(m -> m.node().equals("n3"))
                .singleElement().satisfies(m -> assertThat(m.state()).isEqualTo(VrrpState.STOP));
        assertThat(robot.lookup("#routers-table .kw-badge").queryAll()).extracting(n -> ((Label) n).getText())
                .contains("n3 stopped 50");
        assertThat(Instant.now()).isNotNull();
        assertThat(robot.lookup("#open-fleet").queryAs(Button.class).isVisible()).isTrue();
    }

    @Test
    void aReadOnlyNodeSaysSoAndEveryActionThatWouldChangeItIsDisabledUpFrontSayingWhy(FxRobot robot) {
        String why = "read-only: ops on n3 has no sudo (sudo is off for this node); keepalived's state needs root, so its "
                + "instances are not watched (its configuration can still be read), and nothing can be changed";
        FleetState state = service.state();
        robot.interact(() -> {
            state.nodeStatus(new NodeStatus("n3", ConnectionState.ONLINE, clock.instant(), Optional.of(why),
                    Optional.of("2.2.7"), Optional.of("0.1.0"), Optional.empty(), Optional.of(why)));
            window.pulse().pump();
        });
        robot.interact(() -> ((TabPane) robot.lookup(".tab-pane").query()).getSelectionModel().select(2));
        TableView<NodeRow> nodes = robot.lookup("#nodes-table").queryTableView();
        assertThat(robot.lookup("#nodes-table .kw-read-only").queryAll()).as("its badge, n3's only")
                .singleElement().satisfies(n -> assertThat(((Label) n).getText()).isEqualTo("read-only"));
        List<String> refusing = List.of("#node-maintenance-menu", "#node-daemon-menu");
        robot.interact(() -> nodes.getSelectionModel().select(window.model().nodes().row("n1")));
        for (String id : refusing) {
            assertThat(robot.lookup(id).queryButton().isDisabled()).as(id + " on n1").isFalse();
        }
        assertThat(robot.lookup("#node-read-only").queryAs(Label.class).isVisible()).isFalse();

        robot.interact(() -> nodes.getSelectionModel().select(window.model().nodes().row("n3")));
        for (String id : refusing) {
            Button button = robot.lookup(id).queryButton();
            assertThat(button.isDisabled()).as(id + " on n3").isTrue();
            assertThat(button.getTooltip().getText()).as(id).isEqualTo(why + " — changes need root (a login with sudo)");
        }
        // its drain, undrain, set-up and keepalived's start/stop/restart/reload items too, whatever opens them
        for (String id : List.of("node-drain-button", "node-undrain-button", "node-maintenance-setup-button",
                "node-daemon-start", "node-daemon-stop", "node-daemon-restart", "node-daemon-reload")) {
            assertThat(robot.lookup(".button").queryAllAs(Button.class).stream()
                    .flatMap(b -> b.getContextMenu() == null ? java.util.stream.Stream.empty()
                            : b.getContextMenu().getItems().stream())
                    .filter(item -> id.equals(item.getId()))).as(id).singleElement()
                    .satisfies(item -> assertThat(item.isDisable()).isTrue());
        }
        // watching and reading stay: reconnect, details, backups (listed; restoring one is refused in its window), log
        for (String id : List.of("#reconnect-button", "#node-backups-button", "#node-log-button", "#node-config-button")) {
            assertThat(robot.lookup(id).queryButton().isDisabled()).as(id).isFalse();
        }
        robot.interact(() -> window.model().refreshSummaryIfDirty());
        assertThat(robot.lookup("#status-line").queryAs(Label.class).getText()).endsWith(" · read-only: n3");
        Label said = robot.lookup("#node-read-only").queryAs(Label.class);
        assertThat(said.isVisible()).isTrue();
        assertThat(said.getText()).startsWith("read-only: ops on n3 has no sudo");

        // it becomes root (sudo set up, reconnected): everything comes back at once
        robot.interact(() -> {
            state.nodeStatus(online("n3"));
            window.pulse().pump();
        });
        for (String id : refusing) {
            assertThat(robot.lookup(id).queryButton().isDisabled()).as(id + " after").isFalse();
        }
        assertThat(robot.lookup("#nodes-table .kw-read-only").queryAll()).isEmpty();
    }
}
