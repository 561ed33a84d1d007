package org.keepwatch.app.detail;

import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.app.TestStages;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.Transition;
import org.keepwatch.fleet.VrrpState;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(ApplicationExtension.class)
class StateTimelineTest {

    private static final double WIDTH = 600;
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final InstanceId VI_1 = new InstanceId("n1", "keepalived", "VI_1");
    /** Keepwatch connected a minute ago and saw n1 MASTER then. */
    private static final List<Transition> FIRST_SEEN = List.of(
            new Transition(NOW.minus(Duration.ofMinutes(1)), VI_1, VrrpState.UNKNOWN, VrrpState.MASTER, 150, "snapshot"));

    @Start
    void start(Stage stage) {
        TestStages.blankOwner(stage);
    }

    @Test
    void aMemberFirstSeenOnConnectHasHeldItsStateSinceKeepalivedsLastTransition() throws Exception {
        Color fiveMinutesAgo = pixelAt(Duration.ofMinutes(4), Optional.of(NOW.minus(Duration.ofMinutes(5))));
        Color eightMinutesAgo = pixelAt(Duration.ofMinutes(8), Optional.of(NOW.minus(Duration.ofMinutes(5))));
        assertThat(fiveMinutesAgo).isEqualTo(StateTimeline.colour(VrrpState.MASTER));
        assertThat(eightMinutesAgo).isEqualTo(StateTimeline.colour(VrrpState.UNKNOWN));
    }

    @Test
    void withoutKeepalivedsTransitionTimeTheTimeBeforeConnectingIsUnknown() throws Exception {
        assertThat(pixelAt(Duration.ofMinutes(4), Optional.empty())).isEqualTo(StateTimeline.colour(VrrpState.UNKNOWN));
        assertThat(pixelAt(Duration.ofSeconds(30), Optional.empty())).isEqualTo(StateTimeline.colour(VrrpState.MASTER));
    }

    /** The colour drawn for the moment {@code ago} before now, away from labels and ticks. */
    private static Color pixelAt(Duration ago, Optional<Instant> since) throws Exception {
        return WaitForAsyncUtils.asyncFx(() -> {
            StateTimeline timeline = new StateTimeline(WIDTH);
            timeline.draw(FIRST_SEEN, VrrpState.MASTER, since, NOW);
            WritableImage image = timeline.snapshot(null, null);
            double fraction = 1 - (double) ago.toMillis() / StateTimeline.WINDOW.toMillis();
            return image.getPixelReader().getColor((int) (fraction * WIDTH), 3);
        }).get();
    }
}
