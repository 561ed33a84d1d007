package org.keepwatch.app.detail;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.HistoryDay;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryException;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.keepwatch.app.HistoryDay.at;

/** A router's timeline read from a real history: a day of it, zoomed and panned, with its gaps; and without one. */
class RouterTimelineHistoryTest {

    @TempDir
    static Path dir;
    private static HistoryStore store;
    /** The end of the day: the timeline's "now". */
    private static final Instant NOW = HistoryDay.DAY.plus(Duration.ofDays(1));
    private final List<HistoryQuery> asked = new ArrayList<>();
    private final FleetState fleet = new FleetState(Clock.fixed(NOW, ZoneOffset.UTC), FleetSettings.DEFAULTS);

    @BeforeAll
    static void aDay() {
        store = HistoryDay.fill(dir);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private RouterTimelineViewModel model(boolean history) {
        fleet.addNode("n1", "lab");
        fleet.addNode("n2", "lab");
        fleet.nodeStatus(Observations.online("n1"));
        fleet.nodeStatus(Observations.online("n2"));
        fleet.applyInstance(HistoryDay.instance("n1", "VI_1", 51, VrrpState.MASTER), "snapshot");
        fleet.applyInstance(HistoryDay.instance("n2", "VI_1", 51, VrrpState.BACKUP), "snapshot");
        RouterTimelineViewModel model = new RouterTimelineViewModel(() -> fleet, Clock.fixed(NOW, ZoneOffset.UTC));
        if (history) {
            model.useHistory(q -> {
                asked.add(q);
                return store.query(q);
            }, Tasks.sameThread());
        }
        model.show(router());
        return model;
    }

    private RouterStatus router() {
        return fleet.routers().stream().filter(r -> r.key().equals(HistoryDay.VI_1)).findFirst().orElseThrow();
    }

    /** What a lane shows at a moment: a state's name, or "not watched". */
    private static String shown(RouterTimelineViewModel model, String node, Instant moment) {
        RouterTimelineViewModel.Lane lane = model.pictureProperty().get().lanes().stream()
                .filter(l -> l.node().equals(node)).findFirst().orElseThrow();
        return lane.segments().stream().filter(s -> !s.from().isAfter(moment) && s.to().isAfter(moment)).findFirst()
                .map(StateTimeline.Segment::label).orElse("nothing");
    }

    @Test
    void aDayOfTheRoutersTimelineIsReadFromTheHistoryOneLanePerMemberWithItsGaps() {
        RouterTimelineViewModel model = model(true);
        model.zoom(Duration.ofDays(1));
        RouterTimelineViewModel.Picture day = model.pictureProperty().get();
        assertThat(day.from()).isEqualTo(HistoryDay.DAY);
        assertThat(day.to()).isEqualTo(NOW);
        assertThat(day.lanes()).extracting(RouterTimelineViewModel.Lane::node).containsExactly("n1", "n2");
        assertThat(model.noteProperty().get()).isEmpty();
        // before Keepwatch first saw the members, nothing was watched; then master swapped every hour
        assertThat(shown(model, "n1", at("00:00:01"))).isEqualTo("not watched");
        assertThat(shown(model, "n1", at("00:30:00"))).isEqualTo("MASTER");
        assertThat(shown(model, "n2", at("00:30:00"))).isEqualTo("BACKUP");
        assertThat(shown(model, "n1", at("01:30:00"))).isEqualTo("BACKUP");
        assertThat(shown(model, "n2", at("01:30:00"))).isEqualTo("MASTER");
        // n2 not connected from 10:10 to 10:40: not watched, and its state again once it was
        assertThat(shown(model, "n2", at("10:20:00"))).isEqualTo("not watched");
        assertThat(shown(model, "n1", at("10:20:00"))).isEqualTo("MASTER");
        assertThat(shown(model, "n2", at("10:50:00"))).isEqualTo("BACKUP");
        // Keepwatch closed from 14:00 to 15:00: nobody watched; seen again from 15:00:02
        assertThat(shown(model, "n1", at("14:30:00"))).isEqualTo("not watched");
        assertThat(shown(model, "n2", at("14:30:00"))).isEqualTo("not watched");
        assertThat(shown(model, "n1", at("15:30:00"))).isEqualTo("BACKUP");
        assertThat(shown(model, "n2", at("20:30:30"))).isEqualTo("MASTER");
        assertThat(shown(model, "n1", at("20:30:30"))).isEqualTo("MASTER");
        // the router's own transitions were asked by its stored name (the router index), not the ten noisy routers'
        assertThat(asked).filteredOn(q -> q.router().isPresent()).allSatisfy(q -> assertThat(q.router()).contains("lab:51"));
    }

    @Test
    void zoomingAndPanningReadTheSpanAskedAndNowFollowsTheClockAgain() {
        RouterTimelineViewModel model = model(true);
        assertThat(model.spanProperty().get()).isEqualTo(Duration.ofMinutes(10));
        model.zoom(Duration.ofHours(6));
        assertThat(model.pictureProperty().get().from()).isEqualTo(at("18:00:00"));
        model.zoomIn();
        assertThat(model.spanProperty().get()).isEqualTo(Duration.ofHours(3));
        model.back();
        RouterTimelineViewModel.Picture back = model.pictureProperty().get();
        assertThat(back.to()).isEqualTo(at("22:30:00"));
        assertThat(back.from()).isEqualTo(at("19:30:00"));
        assertThat(back.live()).isFalse();
        assertThat(shown(model, "n2", at("20:30:30"))).isEqualTo("MASTER");
        HistoryQuery last = asked.stream().filter(q -> q.router().isPresent() && q.since().isPresent()).reduce((a, b) -> b).orElseThrow();
        assertThat(last.since()).contains(at("19:30:00"));
        assertThat(last.until()).contains(at("22:30:00"));
        model.forward();
        assertThat(model.endProperty().get()).isNull(); // reached now: follows the clock again
        assertThat(model.pictureProperty().get().to()).isEqualTo(NOW);
        model.zoom(Duration.ofDays(1000));
        assertThat(model.spanProperty().get()).isEqualTo(RouterTimelineViewModel.LONGEST);
        model.zoom(Duration.ofSeconds(5));
        assertThat(model.spanProperty().get()).isEqualTo(RouterTimelineViewModel.SHORTEST);
    }

    @Test
    void aRouterAsOfAMomentIsShownAroundItWithTheMomentMarkedUntilLiveAgain() {
        RouterTimelineViewModel model = model(true);
        model.zoom(Duration.ofHours(1));
        model.showAround(router(), at("20:30:30"));
        RouterTimelineViewModel.Picture around = model.pictureProperty().get();
        assertThat(around.from()).isEqualTo(at("20:00:30"));
        assertThat(around.to()).isEqualTo(at("21:00:30"));
        assertThat(around.mark()).contains(at("20:30:30"));
        assertThat(shown(model, "n2", at("20:30:30"))).isEqualTo("MASTER");
        model.live();
        assertThat(model.pictureProperty().get().mark()).isEmpty();
        assertThat(model.pictureProperty().get().to()).isEqualTo(NOW);
    }

    @Test
    void withoutAHistoryTheLanesAreTheMemorysAndTheTimelineSaysWhy() {
        RouterTimelineViewModel model = model(false);
        model.noHistory("it is off in the settings");
        model.zoom(Duration.ofDays(1));
        assertThat(model.noteProperty().get()).contains("No history", "off in the settings", "in memory");
        // the memory saw the members only now: the day before is not watched, not a state
        assertThat(shown(model, "n1", at("12:00:00"))).isEqualTo("not watched");
        assertThat(model.pictureProperty().get().lanes()).hasSize(2);
    }

    @Test
    void aHistoryThatCannotBeReadIsSaidAndTheMemoryIsShown() {
        RouterTimelineViewModel model = model(false);
        model.useHistory(q -> {
            throw new HistoryException("/x/history.db: the database is locked by another program");
        }, Tasks.sameThread());
        model.zoom(Duration.ofHours(1));
        assertThat(model.noteProperty().get()).contains("could not be read", "/x/history.db", "locked");
        assertThat(model.pictureProperty().get().lanes()).hasSize(2);
        assertThat(model.loadingProperty().get()).isFalse();
    }

    @Test
    void theStoredLaneFollowsConnectionsAndTransitionsInOrder() {
        assertThat(RouterTimelineViewModel.lane(at("00:00:00"), at("01:00:00"), Optional.empty(), List.of(), Optional.empty(),
                List.of())).singleElement().satisfies(s -> assertThat(s.label()).isEqualTo("not watched"));
    }
}
