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
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ApplicationExtension.class)
class DesktopNotifierTest {

    @Start
    void start(Stage stage) {
        TestStages.blankOwner(stage);
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
