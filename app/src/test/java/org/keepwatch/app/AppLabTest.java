package org.keepwatch.app;

import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.VerdictAgreement;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The app (headless) connected to the real lab over SSH: a failover changes the router's row, a
 * partition raises the split-brain banner.
 */
@Tag("lab")
@ExtendWith({LabExtension.class, ApplicationExtension.class})
class AppLabTest {

    private static final RouterKey VI_1 = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
    private final List<FleetEvent.Alarm> notified = new CopyOnWriteArrayList<>();
    private FleetService service;
    private AppWindow window;
    private Lab lab;

    @Start
    void start(Stage stage) throws Exception {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Clock clock = Clock.systemUTC();
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        FleetMonitor.Parts parts = new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(), SshPrompts.BATCH,
                AgentScript.bundled(), AgentSession.Options.defaults(), NodeSupervisor.Settings.defaults(), clock);
        service = new FleetService(clock, Executors.newCachedThreadPool(), () -> parts);
        window = new AppWindow(service, clock, Runnable::run, notified::add, service::reconnect,
                new MainView.Actions(() -> { }, () -> { }, new ArrayList<>()), List.of());
        stage.setScene(window.scene());
        stage.show();
        window.pulse().start();
    }

    @AfterEach
    void stop() {
        if (lab != null) {
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(40));
        }
        service.close();
    }

    @Test
    void aFailoverChangesTheRowAndAPartitionRaisesTheBanner(Lab theLab, FxRobot robot) throws Exception {
        lab = theLab;
        lab.awaitHealthy(Duration.ofSeconds(40));
        service.open(lab.fleetFile()).get(20, TimeUnit.SECONDS);
        robot.interact(() -> window.model().fleetOpened("keepwatch-lab"));
        await(Duration.ofSeconds(60), () -> masterOf(VI_1).equals("n1"));

        lab.ok("fail", "stop", "n1");
        await(Duration.ofSeconds(10), () -> masterOf(VI_1).equals("n2"));
        lab.ok("fail", "stop", "n1", "--undo");
        await(Duration.ofSeconds(15), () -> masterOf(VI_1).equals("n1"));

        lab.ok("fail", "partition");
        await(Duration.ofSeconds(20), () -> robot.lookup("#alarm-banner").queryAs(HBox.class).isVisible());
        assertThat(robot.lookup("#alarm-text").queryAs(Label.class).getText()).startsWith("Split brain on VRID");
        assertThat(notified).anySatisfy(a -> assertThat(a.verdict()).isEqualTo(Verdict.SPLIT_BRAIN));
        lab.ok("fail", "partition", "--undo");
        await(Duration.ofSeconds(20), () -> !robot.lookup("#alarm-banner").queryAs(HBox.class).isVisible());
    }

    @Test
    void faultsMadeBeforeTheAppConnectsShowOnTheRoutersNodesAndStatusLine(Lab theLab, FxRobot robot) throws Exception {
        // The page comes first, the tool second: n1's VRRP process was stopped while it held VRID 51's VIP,
        // and n2 took over; then the operator opens Keepwatch.
        lab = theLab;
        lab.awaitHealthy(Duration.ofSeconds(40));
        lab.ok("fail", "hang", "n1");
        Lab.await(Duration.ofSeconds(20), Duration.ofMillis(500), () -> lab.status().router("vrid 51")
                .map(r -> "SPLIT_BRAIN".equals(r.verdict())).orElse(false))
                .orElseThrow(() -> new AssertionError("the lab never split after hang n1"));
        service.open(lab.fleetFile()).get(20, TimeUnit.SECONDS);
        robot.interact(() -> window.model().fleetOpened("keepwatch-lab"));

        await(Duration.ofSeconds(30), () -> verdictOf(VI_1) == Verdict.SPLIT_BRAIN);
        await(Duration.ofSeconds(10), () -> onFx(() -> window.model().nodes().row("n1").daemonsProperty().get())
                .startsWith("hung"));
        await(Duration.ofSeconds(10), () -> onFx(() -> {
            window.model().refreshSummaryIfDirty();
            return robot.lookup("#status-line").queryAs(Label.class).getText();
        }).endsWith("keepalived down on n1"));
        assertThat(onFx(() -> window.model().routers().row(new RouterKey(RouterKey.Kind.VRRP, "lab", "52"))
                .verdictProperty().get())).as("n1 is a hung member of VRID 52").isNotEqualTo(Verdict.HEALTHY);
        assertThat(onFx(() -> window.model().instances().rows().stream()
                .filter(r -> r.nodeProperty().get().equals("n1")).map(r -> r.stateProperty().get()).distinct().toList()))
                .containsExactly(org.keepwatch.fleet.VrrpState.HUNG);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(VerdictAgreement.LabFault.class)
    void everyFaultMadeBeforeTheAppConnectsShowsAsTheLabSaysIt(VerdictAgreement.LabFault fault, Lab theLab)
            throws Exception {
        lab = theLab;
        lab.awaitHealthy(Duration.ofSeconds(40));
        lab.ok("fail", fault.args());
        org.keepwatch.lab.LabStatus truth = VerdictAgreement.settled(lab);
        service.open(lab.fleetFile()).get(20, TimeUnit.SECONDS);
        WaitForAsyncUtils.asyncFx(() -> window.model().fleetOpened("keepwatch-lab")).get(5, TimeUnit.SECONDS);
        // Connect, first snapshots and an alarm's hold-down, then the 5 s the issue allows.
        long deadline = System.nanoTime() + Duration.ofSeconds(25).toNanos();
        List<String> disagreements;
        do {
            Thread.sleep(250);
            disagreements = VerdictAgreement.disagreements(fault, truth, onFx(() -> window.model().routers().rows()
                    .stream().map(r -> new VerdictAgreement.Said(r.key().label(), r.verdictProperty().get(),
                            r.membersProperty().get().stream().map(m -> m.node()).toList())).toList()));
        } while (!disagreements.isEmpty() && System.nanoTime() < deadline);
        assertThat(disagreements).as("the app's Routers table after " + fault + " made before it connected").isEmpty();
    }

    private Verdict verdictOf(RouterKey key) {
        return onFx(() -> {
            RouterRow row = window.model().routers().row(key);
            return row == null ? null : row.verdictProperty().get();
        });
    }

    private static <T> T onFx(java.util.concurrent.Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String masterOf(RouterKey key) {
        try {
            return WaitForAsyncUtils.asyncFx(() -> {
                RouterRow row = window.model().routers().row(key);
                return row == null ? "" : row.masterProperty().get();
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(100);
        }
    }
}
