package org.keepwatch.app.maintenance;

import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.TestStages;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.NodeReport;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.maintenance.MaintenancePlan;
import org.keepwatch.maintenance.MaintenanceService;
import org.keepwatch.push.NodeAgents;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.vip;

/** The plan dialog on a two-node router: the plan, a refusal in words, the explicit yes, a failure said. */
@ExtendWith(ApplicationExtension.class)
class MaintenanceDialogTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private FleetState fleet;
    private MaintenanceDialog dialog;

    @Start
    void start(Stage stage) {
        TestStages.blankOwner(stage);
    }

    @BeforeEach
    void twoNodes() {
        fleet = new FleetState(Clock.fixed(NOW, ZoneOffset.UTC), FleetSettings.DEFAULTS);
        for (String node : List.of("n1", "n2")) {
            fleet.addNode(node, "lab");
            fleet.nodeStatus(online(node));
        }
    }

    @AfterEach
    void close() throws Exception {
        if (dialog != null) {
            fx(() -> {
                dialog.stage().close();
                return null;
            });
        }
    }

    private void report(String node, int priority, VrrpState state, MaintenanceWeight weight) {
        InstanceObservation instance = new InstanceObservation(node, "keepalived", "", "VI_1", 51, "eth0", state, priority,
                priority, List.of("10.77.0.101"), List.of(), 1.0, 2, "PASS", false, List.of(), Optional.empty(), InstanceStats.NONE);
        fleet.applyReport(new NodeReport(node, NOW, List.of(new DaemonObservation(node, "keepalived", "", DaemonStatus.RUNNING,
                Optional.empty(), Optional.of(weight))), List.of(instance), state == VrrpState.MASTER
                ? List.of(vip(node, "10.77.0.101")) : List.of()));
    }

    private static MaintenanceWeight weight(boolean wired) {
        return new MaintenanceWeight(Optional.empty(), Optional.of("/var/lib/keepwatch/maintenance/keepalived.weight"),
                wired ? List.of("VI_1") : List.of(), wired ? Map.of() : Map.of("VI_1", "does not track it"), false,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private MaintenanceDialog open() throws Exception {
        MaintenanceService service = new MaintenanceService(NodeAgents.of(node -> Optional.empty(), (node, l) -> () -> { }),
                () -> fleet, null, null, Runnable::run);
        dialog = fx(() -> {
            MaintenanceDialog opened = new MaintenanceDialog(new MaintenanceViewModel(service, Tasks.sameThread(),
                    new Destination.PlanFailover(MaintenancePlan.Kind.DRAIN, Optional.of("n1"), Optional.empty())), null);
            opened.show();
            return opened;
        });
        return dialog;
    }

    private <T> T lookup(String id) throws Exception {
        return fx(() -> {
            @SuppressWarnings("unchecked")
            T node = (T) dialog.stage().getScene().lookup(id);
            return node;
        });
    }

    @Test
    void aNodeWithoutTheWeightIsRefusedInWordsWithTheFallbackAndNothingCanBeCarriedOut() throws Exception {
        report("n1", 150, VrrpState.MASTER, weight(false));
        report("n2", 100, VrrpState.BACKUP, weight(true));
        open();
        VBox refusals = lookup("#maintenance-refusals");
        assertThat(fx(() -> refusals.getChildren().stream().map(n -> ((Label) n).getText()).toList()))
                .containsExactly("Refused: n1: the maintenance weight is not set up: VI_1 does not track it");
        assertThat(fx(() -> ((Label) lookup("#maintenance-fallback")).getText())).startsWith("Fallback: without the maintenance weight");
        assertThat(fx(() -> ((Button) lookup("#maintenance-carry-out")).isDisabled())).isTrue();
    }

    @Test
    void theFallbackIsOfferedAndChoosingItPlansADrainByStoppingKeepalived() throws Exception {
        report("n1", 150, VrrpState.MASTER, weight(false));
        report("n2", 100, VrrpState.BACKUP, weight(false));
        open();
        CheckBox byStopping = lookup("#maintenance-by-stopping");
        assertThat(fx(byStopping::isVisible)).isTrue();
        fx(() -> {
            byStopping.setSelected(true);
            return null;
        });
        VBox plan = lookup("#maintenance-plan");
        assertThat(fx(() -> plan.getChildren().stream().map(n -> ((Label) n).getText()).toList())).containsExactly(
                "drain n1 by stopping its keepalived", "VI_1 (VRID 51): n1 (150) → n2 (100); no backup; n1 stopped");
        VBox refusals = lookup("#maintenance-refusals");
        assertThat(fx(() -> refusals.getChildren().size())).isZero();
        Label fallback = lookup("#maintenance-fallback");
        assertThat(fx(fallback::isVisible)).as("the fallback's words go once it is chosen").isFalse();
        CheckBox yes = lookup("#maintenance-acknowledge");
        assertThat(fx(yes::getText)).contains("VI_1 would be left without a healthy backup");
        fx(() -> {
            yes.setSelected(true);
            return null;
        });
        assertThat(fx(() -> ((Button) lookup("#maintenance-carry-out")).isDisabled())).isFalse();
        fx(() -> {
            byStopping.setSelected(false);
            return null;
        });
        assertThat(fx(byStopping::isVisible)).as("still offered, to go back").isTrue();
        assertThat(fx(() -> ((Button) lookup("#maintenance-carry-out")).isDisabled())).isTrue();
    }

    @Test
    void aRouterLeftWithoutAHealthyBackupNeedsTheExplicitYesAndAFailureIsSaid() throws Exception {
        report("n1", 150, VrrpState.MASTER, weight(true));
        report("n2", 100, VrrpState.BACKUP, weight(true));
        open();
        VBox plan = lookup("#maintenance-plan");
        assertThat(fx(() -> plan.getChildren().stream().map(n -> ((Label) n).getText()).toList())).containsExactly(
                "drain n1 (maintenance weight 253)", "VI_1 (VRID 51): n1 (150) → n2 (100); backup n1 (drained, 1)");
        CheckBox yes = lookup("#maintenance-acknowledge");
        Button carryOut = lookup("#maintenance-carry-out");
        assertThat(fx(yes::isVisible)).isTrue();
        assertThat(fx(yes::getText)).contains("VI_1 would be left without a healthy backup");
        assertThat(fx(carryOut::isDisabled)).as("not without the explicit yes").isTrue();
        fx(() -> {
            yes.setSelected(true);
            return null;
        });
        assertThat(fx(carryOut::isDisabled)).isFalse();
        fx(() -> {
            carryOut.fire();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(fx(() -> ((Label) lookup("#maintenance-outcome")).getText()))
                .isEqualTo("Failed: drain n1 failed: n1 is not connected");
        assertThat(fx(carryOut::isDisabled)).isTrue();
    }

    private static <T> T fx(Callable<T> work) throws Exception {
        return WaitForAsyncUtils.asyncFx(work).get();
    }
}
