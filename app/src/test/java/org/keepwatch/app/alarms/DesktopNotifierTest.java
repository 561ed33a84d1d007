package org.keepwatch.app.alarms;

import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.TestStages;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.Verdict;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ApplicationExtension.class)
class DesktopNotifierTest {

    private Stage owner;

    @Start
    void start(Stage stage) {
        TestStages.blankOwner(stage);
        owner = stage;
    }

    @Test
    void aSplitThatHealsSaysSoInTheNotificationStillShownAndInANewOneOnceItIsGone(FxRobot robot) throws Exception {
        DesktopNotifier notifier = new DesktopNotifier(() -> owner);
        FleetEvent.Alarm split = alarm("51", Verdict.SPLIT_BRAIN, "n1 and n2 are both MASTER");
        List<FleetEvent.Alarm> told = new java.util.ArrayList<>();
        AlarmsViewModel alarms = new AlarmsViewModel(new AlarmNotifier() {
            @Override
            public void raised(FleetEvent.Alarm alarm) {
                told.add(alarm);
                notifier.raised(alarm);
            }

            @Override
            public void cleared(FleetEvent.Alarm cleared) {
                told.add(cleared);
                notifier.cleared(cleared);
            }
        });
        robot.interact(() -> alarms.onBatch(batch(split)));
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> texts(robot, "#alarm-notification").contains(
                "Split brain on VRID 51"));
        FleetEvent.Alarm healed = new FleetEvent.Alarm(Instant.parse("2026-12-05T10:02:03Z"), split.router(), Verdict.SPLIT_BRAIN,
                false, List.of());
        robot.interact(() -> alarms.onBatch(batch(healed)));
        assertThat(told).extracting(FleetEvent.Alarm::raised).containsExactly(true, false);
        List<String> now = texts(robot, "#alarm-notification");
        assertThat(now).noneMatch(t -> t.startsWith("Split brain on"));
        assertThat(now).anyMatch(t -> t.startsWith("Healed: split brain on VRID 51 ended at "));
        assertThat(now).contains("The router is out of that state again.");

        // the notification gone (hidden after its time), the healing of a later alarm gets one of its own
        robot.interact(() -> javafx.stage.Window.getWindows().stream().filter(w -> w != owner).toList()
                .forEach(javafx.stage.Window::hide));
        FleetEvent.Alarm again = alarm("52", Verdict.SPLIT_BRAIN, "n1 and n3 are both MASTER");
        robot.interact(() -> alarms.onBatch(batch(again)));
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> texts(robot, "#alarm-notification").contains(
                "Split brain on VRID 52"));
        robot.interact(() -> javafx.stage.Window.getWindows().stream().filter(w -> w != owner).toList()
                .forEach(javafx.stage.Window::hide));
        robot.interact(() -> alarms.onBatch(batch(new FleetEvent.Alarm(Instant.now(), again.router(), Verdict.SPLIT_BRAIN, false, List.of()))));
        WaitForAsyncUtils.waitFor(10, java.util.concurrent.TimeUnit.SECONDS, () -> texts(robot, "#alarm-healed").stream()
                .anyMatch(t -> t.startsWith("Healed: split brain on VRID 52")));
    }

    private static org.keepwatch.app.pulse.FleetBatch batch(FleetEvent event) {
        return new org.keepwatch.app.pulse.FleetBatch(List.of(event), java.util.Map.of(), java.util.Set.of(), java.util.Map.of(),
                java.util.Set.of(), java.util.Map.of(), java.util.Map.of(), false);
    }

    private static List<String> texts(FxRobot robot, String query) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> robot.lookup(query + " .label").queryAllAs(Label.class).stream()
                .filter(l -> l.getScene() != null && l.getScene().getWindow().isShowing()).map(Label::getText).toList()).get();
    }

    private static FleetEvent.Alarm alarm(String vrid, Verdict verdict, String reason) {
        return new FleetEvent.Alarm(Instant.now(), new RouterKey(RouterKey.Kind.VRRP, "lab", vrid), verdict, true, List.of(reason));
    }

    @Test
    void alarmsRaisedTogetherShareOneNotificationWithOneHeadingPerKind() throws Exception {
        List<FleetEvent.Alarm> partition = List.of(
                alarm("51", Verdict.SPLIT_BRAIN, "n1, n2 and n3 are all MASTER"),
                alarm("52", Verdict.SPLIT_BRAIN, "n1 and n2 are both MASTER"),
                alarm("53", Verdict.SPLIT_BRAIN, "n1 and n3 are both MASTER"),
                alarm("54", Verdict.SPLIT_BRAIN, "n2 and n3 are both MASTER"),
                alarm("55", Verdict.SPLIT_BRAIN, "n1 and n2 are both MASTER"),
                alarm("56", Verdict.ORPHAN_VIP, "10.77.0.106 is on n1, whose keepalived is not running"));
        List<String> texts = WaitForAsyncUtils.asyncFx(() -> DesktopNotifier.content(partition).getChildren().stream()
                .map(n -> ((Label) n).getText()).toList()).get();
        assertThat(texts.get(0)).isEqualTo("Split brain on VRID 51, VRID 52, VRID 53, VRID 54 and 1 more");
        assertThat(texts.get(1)).isEqualTo("Orphan VIP on VRID 56");
        assertThat(texts.get(2)).isEqualTo("n1, n2 and n3 are all MASTER");
        assertThat(texts).hasSize(4);
    }

    @Test
    void theTextWrapsInsteadOfWideningThePopupPastTheScreen() throws Exception {
        double width = WaitForAsyncUtils.asyncFx(() -> {
            VBox box = DesktopNotifier.content(List.of(alarm("51", Verdict.SPLIT_BRAIN, "n1 and n2 are both MASTER")));
            new javafx.scene.Scene(box);
            box.applyCss();
            box.layout();
            return box.prefWidth(-1);
        }).get();
        assertThat(width).isLessThan(450);
    }
}
