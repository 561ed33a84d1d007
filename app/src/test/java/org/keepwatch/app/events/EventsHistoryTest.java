package org.keepwatch.app.events;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The Events view's older events, read from a real history a page at a time with the filters applied by the store. */
class EventsHistoryTest {

    @TempDir
    Path dir;
    private HistoryStore store;
    private final Instant t0 = Instant.parse("2026-11-20T00:00:00Z");
    private final List<HistoryQuery> asked = new ArrayList<>();

    @BeforeEach
    void threeDaysOfHistory() {
        store = HistoryStore.openNow(HistorySettings.of(dir.resolve("history.db").toString()), Clock.systemUTC());
        for (int i = 0; i < 1_200; i++) {
            Instant at = t0.plus(Duration.ofMinutes(4L * i)); // 3.3 days
            String node = "n" + (1 + i % 3);
            // as the fleet engine tells them: the store learns each instance and its router
            int vrid = i % 2 == 0 ? 51 : 52;
            store.event(new FleetEvent.InstanceChanged(at, new RouterKey(RouterKey.Kind.VRRP, "lab", Integer.toString(vrid)),
                    Optional.of(Observations.instance(node, "VI_" + vrid, vrid, VrrpState.BACKUP, 100)),
                    Observations.instance(node, "VI_" + vrid, vrid, VrrpState.MASTER, 100), "#" + i));
            if (i % 100 == 0) {
                store.record(HistoryEvent.of(at, HistoryEvent.Kind.HAND_EDIT, node, "/etc/keepalived/keepalived.conf on " + node
                        + " (keepalived) changed outside Keepwatch").withDaemon("keepalived"));
            }
        }
        store.flush(Duration.ofSeconds(10));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private EventsViewModel model() {
        EventsViewModel model = new EventsViewModel();
        model.useHistory(q -> {
            asked.add(q);
            return store.query(q);
        }, Tasks.sameThread());
        return model;
    }

    @Test
    void aPushOrAHandEditRecordedWhileTheAppRunsJoinsTheLiveRowsOnce() {
        EventsViewModel model = model();
        model.pollRecent();
        model.flush();
        assertThat(model.rows()).as("nothing recorded since the model began").isEmpty();
        Instant now = Instant.now();
        store.record(HistoryEvent.of(now, HistoryEvent.Kind.HAND_EDIT, "n2", "/etc/keepalived/keepalived.conf on n2 (keepalived) "
                + "changed outside Keepwatch").withDaemon("keepalived"));
        store.record(HistoryEvent.of(now, HistoryEvent.Kind.PUSH, "n1", "alice@desk pushed /etc/keepalived/keepalived.conf on n1")
                .withDaemon("keepalived"));
        // a transition is the fleet's to tell (its live row): not brought in again from the history
        store.record(HistoryEvent.of(now, HistoryEvent.Kind.TRANSITION, "n1", "n1 VI_51 BACKUP → MASTER"));
        store.flush(Duration.ofSeconds(10));
        model.pollRecent();
        model.pollRecent();
        model.flush();
        assertThat(model.rows()).extracting(EventRow::kind).containsExactlyInAnyOrder(EventKind.CONFIG, EventKind.ACTION);
        assertThat(model.rows()).extracting(EventRow::text).anyMatch(t -> t.contains("changed outside Keepwatch"))
                .anyMatch(t -> t.contains("alice@desk pushed"));
        assertThat(model.rows()).allMatch(r -> r.config().isPresent(), "each offers its configuration history");
        // looked for again: the same events are not added twice
        model.pollRecent();
        model.flush();
        assertThat(model.rows()).hasSize(2);
    }

    @Test
    void olderEventsComeAPageAtATimeNewestFirstUntilThereAreNoMore() {
        EventsViewModel model = model();
        assertThat(model.historyAvailableProperty().get()).isTrue();
        model.loadOlder();
        assertThat(model.rows()).hasSize(EventsViewModel.PAGE);
        assertThat(model.rows().get(0).text()).contains("#1199");
        assertThat(model.rows()).extracting(EventRow::at).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        model.loadOlder();
        model.loadOlder();
        assertThat(model.rows()).hasSize(1_212);
        assertThat(model.exhaustedProperty().get()).isTrue();
        assertThat(model.historyStatusProperty().get()).isEqualTo("1212 from the history, no older");
        assertThat(asked).hasSize(3);
        assertThat(asked.get(1).after()).isPresent(); // keyset: the second page starts where the first ended
        model.loadOlder();
        assertThat(asked).hasSize(3); // nothing more is asked once the history said there was no more
        // a stored transition keeps its instance (its log is reachable) and its router by the live rows' name
        EventRow transition = model.rows().stream().filter(r -> r.kind() == EventKind.TRANSITION).findFirst().orElseThrow();
        assertThat(transition.instance()).isPresent();
        assertThat(transition.router()).isIn("VRID 51", "VRID 52");
        assertThat(model.routers()).contains("VRID 51", "VRID 52");
    }

    @Test
    void aFilterIsAppliedByTheStoreAndReadsItsFirstPageAgain() {
        EventsViewModel model = model();
        model.loadOlder();
        model.routerProperty().set("VRID 51");
        assertThat(asked.get(asked.size() - 1).router()).contains("51");
        assertThat(model.rows()).hasSize(EventsViewModel.PAGE).allSatisfy(r -> assertThat(r.router()).isEqualTo("VRID 51"));
        model.nodeProperty().set("n2");
        model.kindProperty().set(EventKind.CONFIG);
        assertThat(model.rows()).isEmpty(); // hand edits have no router
        model.routerProperty().set(EventsViewModel.ANY);
        assertThat(model.rows()).hasSize(4).allSatisfy(r -> {
            assertThat(r.kind()).isEqualTo(EventKind.CONFIG);
            assertThat(r.node()).isEqualTo("n2");
        });
        model.kindProperty().set(null);
        model.textProperty().set("#1198");
        assertThat(model.rows()).singleElement().satisfies(r -> assertThat(r.text()).contains("#1198"));
    }

    @Test
    void aHistoryThatCannotBeReadIsSaidAndTheLiveEventsStay() {
        EventsViewModel model = new EventsViewModel();
        AtomicInteger calls = new AtomicInteger();
        model.useHistory(q -> {
            calls.incrementAndGet();
            throw new org.keepwatch.history.HistoryException("/x/history.db: the database is locked by another program");
        }, Tasks.sameThread());
        model.loadOlder();
        assertThat(model.historyStatusProperty().get()).contains("could not be read", "/x/history.db", "locked");
        assertThat(model.loadingProperty().get()).isFalse();
        assertThat(calls).hasValue(1);
    }

}
