package org.keepwatch.history;

import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The history on SQLite and on a real PostgreSQL server, the same tests for both. */
class HistoryStoreTest {

    @TempDir
    Path directory;
    private final MutableClock clock = new MutableClock();
    private final List<HistoryStore> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(HistoryStore::close);
    }

    /** A new, empty history on this database kind. */
    private String newDatabase(String kind) {
        if (kind.equals("postgresql")) {
            Assumptions.assumeTrue(PostgresServer.binaries().isPresent(), PostgresServer.missing());
            return PostgresServer.newDatabase();
        }
        return "jdbc:sqlite:" + directory.resolve("history.db");
    }

    private HistoryStore open(String url) {
        HistoryStore store = HistoryStore.openNow(HistorySettings.of(url), clock);
        opened.add(store);
        return store;
    }

    private HistoryStore reopen(HistoryStore store) {
        store.close();
        opened.remove(store);
        return open(store.settings().url());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theFleetsTransitionsVerdictsAlarmsAndConnectionsAreKeptAcrossAReopen(String kind) {
        HistoryStore store = open(newDatabase(kind));
        FleetState fleet = new FleetState(clock, FleetSettings.DEFAULTS, store);
        fleet.addNode("n1", "lab");
        fleet.addNode("n2", "lab");
        fleet.nodeStatus(Observations.online("n1"));
        fleet.nodeStatus(Observations.online("n2"));
        fleet.applyReport(Observations.report("n1", List.of(Observations.instance("n1", "VI_1", 51, VrrpState.MASTER, 150, "10.0.0.1")),
                List.of(Observations.vip("n1", "10.0.0.1"))));
        fleet.applyReport(Observations.report("n2", List.of(Observations.instance("n2", "VI_1", 51, VrrpState.BACKUP, 100, "10.0.0.1")),
                List.of()));
        clock.advance(Duration.ofSeconds(10));
        // n2 becomes MASTER too and takes the VIP: a split brain, confirmed after the hold-down
        fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.MASTER, 100, "10.0.0.1"), "vrrp");
        fleet.applyVip(Observations.vip("n2", "10.0.0.1"), true);
        clock.advance(FleetSettings.DEFAULTS.confirmAfter().plusSeconds(1));
        fleet.tick();
        fleet.nodeStatus(Observations.stale("n1"));
        assertThat(store.flush(Duration.ofSeconds(10))).isTrue();

        store = reopen(store);
        List<HistoryEvent> all = store.query(HistoryQuery.all().oldestFirst().limit(100)).events();
        assertThat(all).extracting(e -> e.kind().word()).contains("connection", "transition", "verdict", "alarm");
        HistoryEvent failover = store.query(HistoryQuery.all().node("n2").kinds(Set.of(HistoryEvent.Kind.TRANSITION))).events().get(0);
        assertThat(failover.from()).contains("BACKUP");
        assertThat(failover.to()).contains("MASTER");
        assertThat(failover.instance()).contains("VI_1");
        assertThat(failover.router()).contains("lab:51");
        assertThat(failover.summary()).contains("n2 VI_1", "BACKUP → MASTER", "vrrp");
        // raised once confirmed, cleared when n1 went stale (its state no longer current)
        assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.ALARM)).oldestFirst()).events())
                .extracting(HistoryEvent::summary)
                .containsExactly("VRID 51 (lab): split brain raised", "VRID 51 (lab): split brain cleared");
        assertThat(store.query(HistoryQuery.all().router("51").kinds(Set.of(HistoryEvent.Kind.VERDICT))).events())
                .extracting(HistoryEvent::to).contains(Optional.of("SPLIT_BRAIN"));
        assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.CONNECTION)).node("n1")).events())
                .extracting(HistoryEvent::to).containsExactly(Optional.of("STALE"), Optional.of("ONLINE"), Optional.of("CONNECTING"));
        assertThat(store.query(HistoryQuery.all().text("SPLIT BRAIN")).events()).isNotEmpty()
                .allSatisfy(e -> assertThat(e.summary() + e.detail().orElse("")).containsIgnoringCase("split brain"));
        assertThat(store.query(HistoryQuery.all().text("100%_")).events()).isEmpty();
        // counters and priorities that do not change the state are not history
        long before = store.query(HistoryQuery.all().limit(1000)).events().size();
        fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.MASTER, 101, "10.0.0.1"), "priority");
        store.flush(Duration.ofSeconds(10));
        assertThat(store.query(HistoryQuery.all().limit(1000)).events()).hasSize((int) before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void pagesFollowEachOtherWithoutLossOrRepeatEvenWithinOneMillisecond(String kind) {
        HistoryStore store = open(newDatabase(kind));
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        for (int i = 0; i < 250; i++) {
            // five events per millisecond: the cursor must cut between events of the same time
            store.record(HistoryEvent.of(t0.plusMillis(i / 5), HistoryEvent.Kind.DAEMON, "n" + (i % 3), "event " + i));
        }
        store.flush(Duration.ofSeconds(10));
        for (boolean newestFirst : List.of(true, false)) {
            HistoryQuery query = HistoryQuery.all().limit(7);
            query = newestFirst ? query : query.oldestFirst();
            Set<String> seen = new HashSet<>();
            List<Instant> times = new ArrayList<>();
            HistoryPage page = store.query(query);
            int pages = 1;
            while (true) {
                page.events().forEach(e -> {
                    assertThat(seen.add(e.summary())).as("repeated: " + e.summary()).isTrue();
                    times.add(e.at());
                });
                if (page.next().isEmpty()) {
                    break;
                }
                page = store.query(query.after(page.next()));
                pages++;
            }
            assertThat(seen).hasSize(250);
            assertThat(pages).isEqualTo(36);
            assertThat(times).isSortedAccordingTo(newestFirst ? java.util.Comparator.reverseOrder() : java.util.Comparator.naturalOrder());
        }
        HistoryPage window = store.query(HistoryQuery.all().node("n1").between(Optional.of(t0.plusMillis(10)), Optional.of(t0.plusMillis(20))));
        assertThat(window.events()).allSatisfy(e -> {
            assertThat(e.node()).contains("n1");
            assertThat(e.at()).isBetween(t0.plusMillis(10), t0.plusMillis(19));
        }).hasSize(16);
        assertThatThrownBy(() -> store.query(HistoryQuery.all().after(Optional.of("garbage"))))
                .hasMessageContaining("not a page cursor");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theFleetAsOfAMomentIsEachInstancesLastTransitionUpToThen(String kind) {
        HistoryStore store = open(newDatabase(kind));
        FleetState fleet = new FleetState(clock, FleetSettings.DEFAULTS, store);
        fleet.addNode("n1", "lab");
        fleet.addNode("n2", "lab");
        fleet.applyInstance(Observations.instance("n1", "VI_1", 51, VrrpState.MASTER, 150), "snapshot");
        fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.BACKUP, 100), "snapshot");
        Instant beforeFailover = clock.instant().plusSeconds(5);
        clock.advance(Duration.ofSeconds(10));
        fleet.applyInstance(Observations.instance("n1", "VI_1", 51, VrrpState.FAULT, 150), "vrrp");
        fleet.applyInstance(Observations.instance("n2", "VI_1", 51, VrrpState.MASTER, 100), "vrrp");
        Instant early = clock.instant().minusSeconds(60);
        store.flush(Duration.ofSeconds(10));

        assertThat(store.asOf(beforeFailover)).extracting(i -> i.node() + "=" + i.state().orElse("-"))
                .containsExactlyInAnyOrder("n1=MASTER", "n2=BACKUP");
        assertThat(store.asOf(clock.instant())).extracting(i -> i.node() + "=" + i.state().orElse("-"))
                .containsExactlyInAnyOrder("n1=FAULT", "n2=MASTER");
        assertThat(store.asOf(early)).allSatisfy(i -> assertThat(i.state()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aConfigurationIsStoredOnceAndAHandEditIsReportedWithItsDiffButAPushIsNot(String kind) {
        String url = newDatabase(kind);
        HistoryStore store = open(url);
        String v1 = "vrrp_instance VI_1 {\n  priority 100\n}\n";
        store.configRead("n1", files(v1));
        store.configRead("n1", files(v1));
        store.flush(Duration.ofSeconds(10));
        assertThat(store.configVersions("n1", Optional.of("keepalived"), Optional.empty())).singleElement()
                .satisfies(v -> assertThat(v.source()).isEqualTo("read"));
        assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.HAND_EDIT))).events()).isEmpty();

        // pushed through Keepwatch: a version of its own, and the read after it is no hand edit
        String v2 = v1.replace("100", "120");
        clock.advance(Duration.ofMinutes(1));
        store.action(new FleetAction(clock.instant(), FleetAction.Kind.PUSH, "n1", "keepalived", Optional.empty(),
                new Operator("alice", "desk-7"), "pushed " + PATH, "raise n1", "-  priority 100\n+  priority 120",
                List.of("compare ok", "check ok", "write ok", "reload ok"), true, "applied",
                List.of(new FleetAction.FileVersion(PATH, sha(v2), v2))));
        store.flush(Duration.ofSeconds(10));
        // another workstation's store (the same database) reads the pushed file: Keepwatch knew it
        HistoryStore other = open(url);
        other.configRead("n1", files(v2));
        other.flush(Duration.ofSeconds(10));
        store.configRead("n1", files(v2));
        store.flush(Duration.ofSeconds(10));
        assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.HAND_EDIT))).events()).isEmpty();
        HistoryEvent push = store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.PUSH))).events().get(0);
        assertThat(push.operator()).contains("alice@desk-7");
        assertThat(push.summary()).contains("alice@desk-7", "n1", "done");
        assertThat(push.detail().orElseThrow()).contains("Reason: raise n1", "+  priority 120", "reload ok", "Outcome: applied");

        // edited by hand on the node
        String v3 = v2.replace("120", "90");
        clock.advance(Duration.ofMinutes(1));
        store.configRead("n1", files(v3));
        store.flush(Duration.ofSeconds(10));
        HistoryEvent edit = store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.HAND_EDIT))).events().get(0);
        assertThat(edit.summary()).contains(PATH, "n1", "changed outside Keepwatch");
        assertThat(edit.detail().orElseThrow()).contains("-  priority 120", "+  priority 90", "@@");
        List<ConfigVersion> versions = store.configVersions("n1", Optional.of("keepalived"), Optional.of(PATH));
        assertThat(versions).extracting(ConfigVersion::source).containsExactly("read", "keepwatch", "outside");
        assertThat(versions.get(1).operator()).contains("alice@desk-7");
        assertThat(store.configText(versions.get(2).sha256())).contains(v3);
        // the text back is stored once however often it is seen: v1 again is a hand edit, and no second copy of it
        store.configRead("n1", files(v1));
        store.flush(Duration.ofSeconds(10));
        assertThat(store.configVersions("n1", Optional.empty(), Optional.empty())).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void retentionDeletesWhatIsTooOldButKeepsTheLastVersionOfEachFile(String kind) {
        HistoryStore store = HistoryStore.openNow(HistorySettings.of(newDatabase(kind)).withLimits(Duration.ofDays(30),
                HistorySettings.DEFAULT_MAX_BYTES), clock);
        opened.add(store);
        store.record(HistoryEvent.of(clock.instant(), HistoryEvent.Kind.DAEMON, "n1", "old"));
        store.configRead("n1", files("old text\n"));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofDays(31));
        store.record(HistoryEvent.of(clock.instant(), HistoryEvent.Kind.DAEMON, "n1", "new"));
        store.flush(Duration.ofSeconds(10));
        // the writer applies the limits on its own every hour (here: at once, the clock having jumped a month)
        store.retainNow();
        assertThat(store.query(HistoryQuery.all()).events()).extracting(HistoryEvent::summary).containsExactly("new");
        assertThat(store.configVersions("n1", Optional.empty(), Optional.empty())).hasSize(1);
    }

    @org.junit.jupiter.api.Test
    void retentionKeepsTheStoreUnderItsSize() {
        HistoryStore store = HistoryStore.openNow(HistorySettings.of(newDatabase("sqlite")).withLimits(Duration.ofDays(365),
                2L * 1024 * 1024), clock);
        opened.add(store);
        String padding = "x".repeat(400);
        for (int i = 0; i < 20_000; i++) {
            store.record(HistoryEvent.of(clock.instant().plusMillis(i), HistoryEvent.Kind.DAEMON, "n1", "event " + i + " " + padding));
        }
        store.flush(Duration.ofSeconds(30));
        assertThat(store.size()).isGreaterThan(2L * 1024 * 1024);
        assertThat(store.retainNow()).isGreaterThan(0);
        assertThat(store.size()).isLessThanOrEqualTo(2L * 1024 * 1024);
        assertThat(directory.resolve("history.db").toFile().length()).isLessThan(4L * 1024 * 1024);
        // what is left is the newest
        assertThat(store.query(HistoryQuery.all().limit(1)).events().get(0).summary()).startsWith("event 19999 ");
    }

    static final String PATH = "/etc/keepalived/keepalived.conf";

    static ConfigFiles files(String text) {
        return new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, sha(text))), List.of());
    }

    static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
