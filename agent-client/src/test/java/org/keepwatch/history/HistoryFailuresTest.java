package org.keepwatch.history;

import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.Observations;
import org.keepwatch.fleet.VrrpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A history that cannot be kept is reported, and the fleet is watched all the same. */
class HistoryFailuresTest {

    @TempDir
    Path directory;
    private final MutableClock clock = new MutableClock();

    @Test
    void aDamagedFileIsReportedNamingItAndWatchingGoesOnWithoutHistory() throws Exception {
        Path file = directory.resolve("history.db");
        Files.write(file, "this was a history once, then a disk ate it\n".repeat(200).getBytes());
        List<String> problems = new CopyOnWriteArrayList<>();
        try (HistoryStore store = HistoryStore.open(HistorySettings.of(file.toString()), clock, problems::add)) {
            assertThatThrownBy(() -> store.query(HistoryQuery.all()))
                    .isInstanceOf(HistoryException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining("not a history database, or a damaged one");
            assertThat(store.status().state()).isEqualTo(HistoryStore.State.FAILED);
            assertThat(problems).singleElement().asString().contains(file.toString(), "watching goes on without history");
            // the fleet engine feeds it as ever: nothing thrown, nothing waited for
            FleetState fleet = new FleetState(clock, FleetSettings.DEFAULTS, store);
            fleet.addNode("n1", "lab");
            fleet.applyInstance(Observations.instance("n1", "VI_1", 51, VrrpState.MASTER, 100), "snapshot");
            assertThat(fleet.routers()).hasSize(1);
        }
        assertThat(Files.readString(file)).startsWith("this was a history once"); // never overwritten
    }

    @Test
    void aFileAnotherProgramHoldsLockedIsReportedAfterTheBusyTimeoutNotWaitedForever() throws Exception {
        Path file = directory.resolve("history.db");
        HistoryStore.openNow(HistorySettings.of(file.toString()), clock).close();
        // another process takes the database's write lock and keeps it
        Process holder = new ProcessBuilder("python3", "-c", "import sqlite3, sys, time\n"
                + "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                + "c.execute('BEGIN EXCLUSIVE')\n"
                + "c.execute('INSERT INTO schema_version VALUES (0)')\n"
                + "print('locked', flush=True)\n"
                + "time.sleep(60)\n", file.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream()));
            assertThat(said.readLine()).isEqualTo("locked");
            long start = System.nanoTime();
            List<String> problems = new CopyOnWriteArrayList<>();
            try (HistoryStore store = HistoryStore.open(HistorySettings.of(file.toString()).withBusyTimeout(Duration.ofSeconds(1)),
                    clock, problems::add)) {
                assertThatThrownBy(() -> store.query(HistoryQuery.all())).hasMessageContaining(file.toString())
                        .hasMessageContaining("locked by another program");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
                assertThat(problems).hasSize(1);
            }
        } finally {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // once the other program lets go, the history opens again with what it had
        try (HistoryStore store = HistoryStore.openNow(HistorySettings.of(file.toString()), clock)) {
            assertThat(store.status().state()).isEqualTo(HistoryStore.State.OPEN);
        }
    }

    @Test
    void aPostgresqlServerThatDoesNotAnswerIsReportedNamingItsUrlWithoutItsPassword() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/history?user=kw&password=s3cret";
        List<String> problems = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        try (HistoryStore store = HistoryStore.open(HistorySettings.of(url), clock, problems::add)) {
            assertThatThrownBy(() -> store.query(HistoryQuery.all())).isInstanceOf(HistoryException.class)
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageNotContaining("s3cret");
            assertThat(problems).singleElement().asString().doesNotContain("s3cret").contains("watching goes on without history");
            assertThat(store.status().state()).isEqualTo(HistoryStore.State.FAILED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aHistoryWrittenByANewerKeepwatchIsRefusedNotDowngraded() throws Exception {
        Path file = directory.resolve("history.db");
        HistoryStore.openNow(HistorySettings.of(file.toString()), clock).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (" + (Database.MIGRATIONS.size() + 1) + ")");
        }
        assertThatThrownBy(() -> HistoryStore.openNow(HistorySettings.of(file.toString()), clock))
                .hasMessageContaining(file.toString()).hasMessageContaining("written by a newer Keepwatch");
    }

    @Test
    void theFileAndItsDirectoryAreTheirOwnersAlone() throws Exception {
        // the history keeps configurations, and with them their auth_pass
        Path file = directory.resolve("new").resolve("history.db");
        HistoryStore.openNow(HistorySettings.of(file.toString()), clock).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void aFullQueueDropsWithoutBlockingAndTheGapIsWrittenDown() {
        Path file = directory.resolve("history.db");
        try (HistoryStore store = HistoryStore.openNow(HistorySettings.of(file.toString()).withQueue(100), clock)) {
            int offered = 200_000;
            long start = System.nanoTime();
            long slowest = 0;
            for (int i = 0; i < offered; i++) {
                long before = System.nanoTime();
                store.record(HistoryEvent.of(Instant.parse("2026-11-26T10:00:00Z").plusMillis(i), HistoryEvent.Kind.DAEMON, "n1", "e" + i));
                slowest = Math.max(slowest, System.nanoTime() - before);
            }
            long took = System.nanoTime() - start;
            assertThat(store.flush(Duration.ofSeconds(30))).isTrue();
            HistoryStore.Status status = store.status();
            assertThat(status.dropped()).isPositive();
            assertThat(status.written() - countGaps(store) + status.dropped()).isEqualTo(offered);
            assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.GAP))).events()).isNotEmpty()
                    .allSatisfy(g -> assertThat(g.summary()).contains("events were not kept between"));
            // never waited for the disk: 200,000 offers in well under the time the writer needs for them
            assertThat(Duration.ofNanos(took)).isLessThan(Duration.ofSeconds(5));
            assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofMillis(200));
        }
    }

    private static long countGaps(HistoryStore store) {
        return store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.GAP)).limit(HistoryQuery.MAX_LIMIT)).events().size();
    }
}
