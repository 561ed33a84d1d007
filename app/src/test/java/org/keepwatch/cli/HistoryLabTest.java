package org.keepwatch.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshPrompts;
import org.keepwatch.testing.PostgresServer;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proof of the history against the lab: a push, a hand edit on a node, a failover and a partition, recorded
 * through the library as the CLI's action commands and the app record them, are all in the history once the store
 * is closed and opened again (a restart), with who pushed, the diff, the hand edit's diff, the transitions and the
 * split brain's alarm; on SQLite (the default) and on PostgreSQL (a team's). Everything done to the lab is undone.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class HistoryLabTest {

    private static final String CONF = "/etc/keepalived/keepalived.conf";
    private static final String SAVED = "/root/kw-history-lab-test.conf";
    private static Lab lab;
    @TempDir
    Path dir;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aPushAHandEditAFailoverAndAPartitionAreInTheHistoryAfterARestart(String database) throws Exception {
        String url;
        if (database.equals("postgresql")) {
            Assumptions.assumeTrue(PostgresServer.binaries().isPresent(), PostgresServer.missing());
            url = PostgresServer.newDatabase();
        } else {
            url = dir.resolve("history.db").toString();
        }
        lab.awaitHealthy(Duration.ofSeconds(60));
        // the default periodic read (120 s) is too slow for the 30 s this test waits: a hand edit must be noticed
        // through the agent's config event
        HistorySettings settings = HistorySettings.of(url);
        HistoryStore store = HistoryStore.openNow(settings, Clock.systemUTC());
        Keepwatch keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC()).withHistory(store);
        String stopped = null;
        boolean partitioned = false;
        boolean edited = false;
        try (FleetConnection fleet = FleetConnection.open(keepwatch, lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(List.of("n1", "n2"));
            fleet.settle();
            // a push: a comment added to n1's configuration, through the safe pipeline
            EditTarget n1 = new EditTarget("n1", "keepalived", Optional.empty());
            ConfigDraft before = new NodeConfigService(fleet.agents(), fleet.io()).open(n1).get(30, TimeUnit.SECONDS);
            String original = before.text(before.mainPath());
            PushService pushes = new PushService(fleet.agents(), fleet::state, fleet.io(), fleet.journal());
            PushOutcome pushed = pushes.pushNode(n1, before.withText(before.mainPath(), original + "# history lab test\n"),
                    "history lab test", s -> { }).get(120, TimeUnit.SECONDS);
            assertThat(pushed).isInstanceOf(PushOutcome.Applied.class);
            ConfigDraft after = ((PushOutcome.Applied) pushed).draft();
            PushOutcome back = pushes.pushNode(n1, after.withText(after.mainPath(), original), "history lab test: undone", s -> { })
                    .get(120, TimeUnit.SECONDS);
            assertThat(back).isInstanceOf(PushOutcome.Applied.class);

            // a hand edit on n2, outside Keepwatch, noticed through the agent's config event
            Lab.Result saved = lab.run("exec", "n2", "sh", "-c", "cp " + CONF + " " + SAVED + " && printf '# edited by hand\\n' >> " + CONF);
            assertThat(saved.exitCode()).as(saved.stderr()).isZero();
            edited = true;
            assertThat(Lab.await(Duration.ofSeconds(30), Duration.ofMillis(500), () -> !store.query(HistoryQuery.all()
                    .kinds(Set.of(HistoryEvent.Kind.HAND_EDIT)).node("n2")).events().isEmpty())).as("the hand edit noticed").isPresent();

            // a failover: VI_1's master stopped, a backup takes over
            RouterStatus vi1 = vi1(fleet);
            stopped = vi1.masters().get(0);
            lab.ok("fail", "stop", stopped);
            String old = stopped;
            assertThat(Lab.await(Duration.ofSeconds(30), Duration.ofMillis(200), () -> vi1(fleet).members().stream()
                    .anyMatch(m -> !m.node().equals(old) && m.state() == VrrpState.MASTER))).as("a backup took over").isPresent();
            lab.ok("fail", "stop", stopped, "--undo");
            stopped = null;
            lab.awaitHealthy(Duration.ofSeconds(60));

            // a partition: n2 cut off from the others, both sides MASTER, a split brain confirmed
            lab.ok("fail", "partition", "n2");
            partitioned = true;
            assertThat(Lab.await(Duration.ofSeconds(60), Duration.ofMillis(500), () -> !store.query(HistoryQuery.all()
                    .kinds(Set.of(HistoryEvent.Kind.ALARM)).text("split brain raised")).events().isEmpty()))
                    .as("the split brain's alarm").isPresent();
            lab.ok("fail", "partition", "n2", "--undo");
            partitioned = false;
            lab.awaitHealthy(Duration.ofSeconds(60));
        } finally {
            if (stopped != null) {
                lab.run("fail", "stop", stopped, "--undo");
            }
            if (partitioned) {
                lab.run("fail", "partition", "n2", "--undo");
            }
            if (edited) {
                lab.run("exec", "n2", "sh", "-c", "cp " + SAVED + " " + CONF + " && rm -f " + SAVED);
            }
            store.close();
        }

        // the restart: a new store on the same file
        try (HistoryStore reopened = HistoryStore.openNow(settings, Clock.systemUTC())) {
            List<HistoryEvent> pushes = reopened.query(HistoryQuery.all().node("n1").kinds(Set.of(HistoryEvent.Kind.PUSH)).oldestFirst()).events();
            assertThat(pushes).hasSize(2);
            assertThat(pushes.get(0).operator()).isPresent();
            assertThat(pushes.get(0).detail().orElseThrow()).contains("Reason: history lab test", "+# history lab test", "Outcome: applied");
            HistoryEvent edit = reopened.query(HistoryQuery.all().node("n2").kinds(Set.of(HistoryEvent.Kind.HAND_EDIT))).events().get(0);
            assertThat(edit.summary()).contains(CONF, "n2", "changed outside Keepwatch");
            assertThat(edit.detail().orElseThrow()).contains("+# edited by hand");
            assertThat(reopened.query(HistoryQuery.all().router("51").kinds(Set.of(HistoryEvent.Kind.TRANSITION)).limit(1000)).events())
                    .extracting(e -> e.from().orElse("") + "→" + e.to().orElse(""))
                    .contains("MASTER→STOP").anyMatch(t -> t.endsWith("→MASTER") && !t.startsWith("UNKNOWN"));
            List<HistoryEvent> splits = reopened.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.ALARM)).text("split brain raised"))
                    .events();
            assertThat(splits).as("the split brain's alarm after the restart").isNotEmpty();
            // the partition splits whichever of n2's routers elects first (VI_1 or VI_2), so the report covers that one too
            List<String> reported = new java.util.ArrayList<>(List.of("51"));
            splits.get(0).router().ifPresent(reported::add);
            assertThat(reopened.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.VERDICT))).events())
                    .extracting(e -> e.to().orElse("")).contains("SPLIT_BRAIN");
            // and the report of it all
            ReportCommand.Report report = ReportCommand.collect(reopened, pushes.get(0).at().minusSeconds(60),
                    java.time.Instant.now(), reported);
            assertThat(new ReportMarkdown(java.time.ZoneOffset.UTC).render(report, "made by the lab test"))
                    .contains("## Actions taken", "## Configuration changes", "split brain raised", "MASTER → STOP");
        }
    }

    private static RouterStatus vi1(FleetConnection fleet) {
        return fleet.state().routers().stream().filter(r -> r.name().equals("VI_1") && r.key().id().equals("51")).findFirst()
                .orElseThrow(() -> new AssertionError("no VI_1 (VRID 51) in the lab's fleet"));
    }
}
