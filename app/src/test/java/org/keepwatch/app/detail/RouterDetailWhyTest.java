package org.keepwatch.app.detail;

import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.TestStages;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The detail pane's "Why?": offered as such for a router in trouble, and it asks for that router's diagnosis. */
@ExtendWith(ApplicationExtension.class)
class RouterDetailWhyTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private final Navigator navigator = new Navigator();
    private final List<Destination.Diagnose> asked = new ArrayList<>();
    private RouterDetailView detail;

    @Start
    void start(Stage owner) {
        TestStages.blankOwner(owner);
        navigator.register(Destination.Diagnose.class, asked::add);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        detail = new RouterDetailView(() -> new FleetState(clock, FleetSettings.DEFAULTS), clock, navigator);
        Stage stage = new Stage();
        stage.setScene(new Scene((Parent) detail.root(), 900, 500));
        stage.show();
    }

    private static RouterStatus router(Verdict verdict, VrrpState second) {
        List<RouterMember> members = List.of(
                new RouterMember("n1", Observations.instance("n1", "VI_1", 51, VrrpState.MASTER, 150, "10.77.0.101"), true,
                        NOW, List.of("10.77.0.101"), Optional.empty()),
                new RouterMember("n2", Observations.instance("n2", "VI_1", 51, second, 100, "10.77.0.101"), true,
                        NOW, List.of(), Optional.empty()));
        return new RouterStatus(new RouterKey(RouterKey.Kind.VRRP, "lab", "51"), "VI_1", 51, List.of("10.77.0.101"),
                members, Map.of(), verdict, List.of(), NOW);
    }

    @Test
    void aSplitRouterOffersWhyAndAsksForItsDiagnosis(FxRobot robot) {
        RouterStatus split = router(Verdict.SPLIT_BRAIN, VrrpState.MASTER);
        robot.interact(() -> detail.show(new RouterRow(split)));
        Button why = robot.lookup("#detail-why").queryButton();
        assertThat(why.getText()).isEqualTo("Why?");
        robot.clickOn(why);
        assertThat(asked).extracting(d -> d.router().key()).containsExactly(split.key());
    }

    @Test
    void aHealthyRouterOffersADiagnosisInPlainerWords(FxRobot robot) {
        robot.interact(() -> detail.show(new RouterRow(router(Verdict.HEALTHY, VrrpState.BACKUP))));
        assertThat(robot.lookup("#detail-why").queryButton().getText()).isEqualTo("Diagnose…");
    }
}
