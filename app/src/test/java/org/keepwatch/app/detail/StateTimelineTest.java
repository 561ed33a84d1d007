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
        assertThat(eightMinutesAgo).isEqualTo(StateTimeline.NOT_WATCHED_COLOUR);
    }

    @Test
    void theTimeBeforeKeepwatchWatchedIsNotWatchedNotUnknownAndALaterLossOfSightIsUnknown() {
        List<StateTimeline.Segment> firstSeen = StateTimeline.segments(FIRST_SEEN, VrrpState.MASTER, Optional.empty(), NOW);
        assertThat(firstSeen).extracting(StateTimeline.Segment::label).containsExactly("not watched", "MASTER");
        assertThat(firstSeen.get(0).to()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        List<StateTimeline.Segment> since = StateTimeline.segments(FIRST_SEEN, VrrpState.MASTER,
                Optional.of(NOW.minus(Duration.ofMinutes(5))), NOW);
        assertThat(since).extracting(StateTimeline.Segment::label).containsExactly("not watched", "MASTER");
        assertThat(since.get(0).to()).isEqualTo(NOW.minus(Duration.ofMinutes(5)));
        // watched, then the node went out of sight: that is UNKNOWN, Keepwatch was watching
        List<Transition> lost = List.of(FIRST_SEEN.get(0),
                new Transition(NOW.minus(Duration.ofSeconds(30)), VI_1, VrrpState.MASTER, VrrpState.UNKNOWN, 150, "disconnected"));
        assertThat(StateTimeline.segments(lost, VrrpState.UNKNOWN, Optional.empty(), NOW)).extracting(StateTimeline.Segment::label)
                .containsExactly("not watched", "MASTER", "UNKNOWN");
    }

    @Test
    void withoutKeepalivedsTransitionTimeTheTimeBeforeConnectingIsNotWatched() throws Exception {
        assertThat(pixelAt(Duration.ofMinutes(4), Optional.empty())).isEqualTo(StateTimeline.NOT_WATCHED_COLOUR);
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
