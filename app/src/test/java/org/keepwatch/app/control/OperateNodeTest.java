package org.keepwatch.app.control;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
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
import org.keepwatch.agent.LogLine;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.logs.LogViewModel;
import org.keepwatch.app.logs.LogWindows;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonLogs;
import org.keepwatch.daemons.DaemonPlan;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.NodeReport;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.push.NodeAgents;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.online;

/**
 * Operating a node from the window, against the real agent beside a real keepalived in a kwt-ed-<n> namespace: the
 * stop of a router's last live member asked about naming its routers (and nothing done on a no), its steps and
 * outcome shown; the log window following the daemon and showing the restart's election, searched and filtered;
 * and a log opened around a moment marks the line nearest to it.
 */
@ExtendWith(ApplicationExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OperateNodeTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
    private final FleetState fleet = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
    private NodeAgents agents;

    @BeforeEach
    void node() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        agents = NodeAgents.of(n -> n.equals("bed") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        String daemon = node.daemon();
        fleet.addNode("bed", "lab");
        fleet.nodeStatus(online("bed"));
        fleet.applyReport(new NodeReport("bed", Instant.now(), List.of(new DaemonObservation("bed", daemon, daemon,
                DaemonStatus.RUNNING, Optional.empty())), List.of(instance(daemon, "VI_1", 51), instance(daemon, "VI_2", 52)),
                List.of()));
    }

    private static InstanceObservation instance(String daemon, String name, int vrid) {
        return new InstanceObservation("bed", daemon, daemon, name, vrid, "eth0", VrrpState.MASTER, 100, 100,
                List.of("10.98.0." + vrid), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.empty(), InstanceStats.NONE);
    }

    @Start
    void start(Stage stage) {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        io = Executors.newCachedThreadPool();
        stage.setScene(new Scene(new Label("main window"), 300, 200));
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

    private DaemonControlWindows controls(List<DaemonPlan> asked, boolean answer) {
        return new DaemonControlWindows(new DaemonControl(agents, () -> fleet, io), () -> fleet, Tasks.onFxThread(io),
                () -> null, new DaemonControlWindows.Questions(plan -> {
                    asked.add(plan);
                    return answer;
                }, (title, daemons) -> Optional.of(daemons.get(0))), problem -> { throw new AssertionError(problem); });
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, condition);
    }

    @Test
    void aStopOfTheLastMemberIsAskedNamingItsRoutersAndItsStepsAndOutcomeShown(FxRobot robot) throws Exception {
        List<DaemonPlan> asked = new CopyOnWriteArrayList<>();
        AtomicReference<Optional<DaemonControlViewModel>> refused = new AtomicReference<>();
        robot.interact(() -> refused.set(controls(asked, false).open(new Destination.ControlDaemon("bed", DaemonAction.STOP))));
        assertThat(refused.get()).isEmpty();
        assertThat(asked).singleElement().satisfies(plan -> {
            assertThat(plan.routerNames()).containsExactly("VI_1", "VI_2");
            assertThat(plan.describe()).contains("will have no master");
        });
        assertThat(node.alive()).as("a no does nothing").isTrue();

        AtomicReference<Optional<DaemonControlViewModel>> ran = new AtomicReference<>();
        robot.interact(() -> ran.set(controls(asked, true).open(new Destination.ControlDaemon("bed", DaemonAction.STOP))));
        DaemonControlViewModel model = ran.get().orElseThrow();
        waitFor(() -> !model.outcomeProperty().get().isEmpty());
        assertThat(model.outcomeProperty().get()).startsWith("done: keepalived stopped (signal, ");
        assertThat(model.failedProperty().get()).isFalse();
        assertThat(node.alive()).isFalse();
        ListView<?> steps = robot.lookup("#daemon-steps").queryAs(ListView.class);
        assertThat(steps.getItems()).extracting(Object::toString)
                .contains("stop keepalived " + node.daemon() + " on bed: routers VI_1, VI_2 have no other live member and "
                        + "will have no master", "verify: ok", "audit: ok");
        assertThat(robot.lookup("#daemon-outcome").queryAs(Label.class).getText()).startsWith("done: keepalived stopped");
        assertThat(Files.readString(dir.resolve("state/audit.log"))).contains("\"op\": \"daemon.stop\"")
                .contains("\"reason\": \"from the Keepwatch window\"");
    }

    @Test
    void aFollowedLogOpensAtItsNewestLine(FxRobot robot) throws Exception {
        // more lines than the window shows: keepalived's own lines before them, the newest last
        StringBuilder older = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            older.append("Sat Dec  5 10:00:00 2026: (VI_1) received lower priority (100) advert from 10.98.0.2 - discarding ")
                    .append(i).append('\n');
            if (i % 100 == 0) {
                older.append("Sat Dec  5 10:00:00 2026: Printing VRRP as json for process(4242) on signal\n");
            }
        }
        Files.writeString(dir.resolve("keepalived.log"), older.toString(), java.nio.file.StandardOpenOption.APPEND);
        LogWindows windows = new LogWindows(new DaemonLogs(agents, io), () -> fleet, Tasks.onFxThread(io), () -> null,
                problem -> { throw new AssertionError(problem); });
        AtomicReference<LogViewModel> opened = new AtomicReference<>();
        robot.interact(() -> opened.set(windows.open(new Destination.ShowLog("bed", Optional.empty(), Optional.empty(),
                Optional.empty()))));
        LogViewModel model = opened.get();
        waitFor(() -> model.statusProperty().get().endsWith(", following"));
        TableView<?> table = robot.lookup("#log-table").queryAs(TableView.class);
        assertThat(table.getItems().size()).isGreaterThan(300);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.control.skin.VirtualFlow<?> flow = (javafx.scene.control.skin.VirtualFlow<?>) table.lookup(".virtual-flow");
        assertThat(flow.getFirstVisibleCell().getIndex()).as("the oldest lines are out of view").isGreaterThan(0);
        assertThat(flow.getLastVisibleCell().getIndex()).as("the newest line is in view").isEqualTo(table.getItems().size() - 1);
        // the agent's own dump requests ("Printing VRRP as json for process(N) on signal") are hidden unless ticked
        assertThat(model.rows()).noneMatch(LogLine::dumpAsked);
        robot.clickOn("#log-dumps-asked");
        assertThat(model.rows()).filteredOn(LogLine::dumpAsked).extracting(LogLine::text)
                .contains("Printing VRRP as json for process(4242) on signal");
        robot.interact(model::close);
    }

    @Test
    void theLogWindowFollowsTheDaemonIsSearchedAndFiltered(FxRobot robot) throws Exception {
        LogWindows windows = new LogWindows(new DaemonLogs(agents, io), () -> fleet, Tasks.onFxThread(io), () -> null,
                problem -> { throw new AssertionError(problem); });
        AtomicReference<LogViewModel> opened = new AtomicReference<>();
        robot.interact(() -> opened.set(windows.open(new Destination.ShowLog("bed", Optional.empty(), Optional.of("VI_1"),
                Optional.empty()))));
        LogViewModel model = opened.get();
        waitFor(() -> model.statusProperty().get().endsWith(", following"));
        assertThat(model.instances()).containsExactly(LogViewModel.ANY_INSTANCE, "VI_1", "VI_2");
        assertThat(model.statusProperty().get()).contains(dir.resolve("keepalived.log").toString());
        assertThat(model.rows()).isNotEmpty().allSatisfy(l -> assertThat(l.instance()).contains("VI_1"));
        assertThat(model.rows()).noneMatch(LogLine::dumpAsked);

        Instant restarted = Instant.now();
        DaemonControl control = new DaemonControl(agents, () -> fleet, io);
        control.run("bed", node.daemon(), DaemonAction.RESTART, Set.of("VI_1", "VI_2"), "test", s -> { })
                .get(90, TimeUnit.SECONDS);
        waitFor(() -> model.rows().stream().anyMatch(l -> l.text().equals("(VI_1) Entering MASTER STATE")
                && l.time().orElseThrow().isAfter(restarted.minusSeconds(2))));
        TableView<?> table = robot.lookup("#log-table").queryAs(TableView.class);
        assertThat(table.getItems()).hasSameSizeAs(model.rows());

        robot.clickOn("#log-search").write("master state");
        waitFor(() -> model.rows().stream().allMatch(l -> l.text().contains("MASTER STATE")));
        assertThat(model.rows()).isNotEmpty();

        @SuppressWarnings("unchecked")
        ComboBox<String> level = robot.lookup("#log-level-filter").queryAs(ComboBox.class);
        robot.interact(() -> level.setValue("err"));
        waitFor(() -> model.statusProperty().get().endsWith(", following") && model.rows().isEmpty());
        robot.interact(() -> level.setValue("notice"));
        waitFor(() -> !model.rows().isEmpty());
        assertThat(model.rows()).allSatisfy(l -> assertThat(l.atLeast("notice")).isTrue());

        // Around a moment: no follow, the line nearest it marked.
        AtomicReference<LogViewModel> around = new AtomicReference<>();
        robot.interact(() -> around.set(windows.open(new Destination.ShowLog("bed", Optional.of(node.daemon()),
                Optional.of("VI_1"), Optional.of(restarted)))));
        waitFor(() -> around.get().markedProperty().get() != null);
        LogLine marked = around.get().markedProperty().get();
        assertThat(marked.time().orElseThrow()).isBetween(restarted.minusSeconds(5), restarted.plusSeconds(15));
        assertThat(around.get().followingProperty().get()).isFalse();
        assertThat(around.get().rows()).allSatisfy(l -> assertThat(l.time().orElseThrow())
                .isBetween(restarted.minus(LogViewModel.BEFORE).minusSeconds(1), restarted.plus(LogViewModel.AFTER).plusSeconds(1)));
        robot.interact(() -> {
            model.close();
            around.get().close();
        });
    }
}
