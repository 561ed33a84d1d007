package org.keepwatch.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.Operator;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.history.ConfigChange;
import org.keepwatch.history.ConfigHistory;
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

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's configuration history against the lab: a push to n1 and a hand edit of n1's file are versions with who made
 * them (this operator with the push's reason; changed outside Keepwatch), then the version n1 had before both is restored
 * from the history through the service (reviewed against the live file, pushed through the safe pipeline): n1's file
 * is that text again, and the history keeps the restore as a push with the reason "restored version HASH of TIME".
 * n1's file is put back as it was in the end whatever happens.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class ConfigHistoryLabTest {

    private static final String CONF = "/etc/keepalived/keepalived.conf";
    private static final String SAVED = "/root/kw-config-history-lab-test.conf";
    private static Lab lab;
    @TempDir
    Path dir;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @Test
    void aPushAndAHandEditAreVersionsWithWhoMadeThemAndAnEarlierVersionIsRestoredFromTheHistory() throws Exception {
        lab.awaitHealthy(Duration.ofSeconds(60));
        HistorySettings settings = HistorySettings.of(dir.resolve("history.db").toString()).withConfigCheck(Duration.ofSeconds(3));
        HistoryStore store = HistoryStore.openNow(settings, Clock.systemUTC());
        Keepwatch keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC()).withHistory(store);
        Lab.Result saved = lab.run("exec", "n1", "sh", "-c", "cp -p " + CONF + " " + SAVED);
        assertThat(saved.exitCode()).as(saved.stderr()).isZero();
        try (FleetConnection fleet = FleetConnection.open(keepwatch, lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(List.of("n1"));
            fleet.settle();
            NodeConfigService configs = new NodeConfigService(fleet.agents(), fleet.io());
            PushService pushes = new PushService(fleet.agents(), fleet::state, fleet.io(), fleet.journal());
            ConfigHistory history = new ConfigHistory(Optional.of(store), "off", fleet.agents(), configs, pushes, fleet.io());
            EditTarget n1 = new EditTarget("n1", "keepalived", Optional.empty());
            ConfigDraft before = configs.open(n1).get(30, TimeUnit.SECONDS);
            String original = before.text(before.mainPath());
            // the history has read n1's file as it is (at connect)
            assertThat(Lab.await(Duration.ofSeconds(30), Duration.ofMillis(300), () -> !store.configChanges("n1",
                    Optional.of("keepalived"), Optional.of(CONF)).isEmpty())).as("n1's configuration read at connect").isPresent();

            // a push through Keepwatch
            PushOutcome pushed = pushes.pushNode(n1, before.withText(before.mainPath(), original + "# config history lab test: pushed\n"),
                    "config history lab test", s -> { }).get(120, TimeUnit.SECONDS);
            assertThat(pushed).isInstanceOf(PushOutcome.Applied.class);
            // an edit by hand on the node, noticed by the periodic read
            Lab.Result edited = lab.run("exec", "n1", "sh", "-c", "printf '# config history lab test: by hand\\n' >> " + CONF);
            assertThat(edited.exitCode()).as(edited.stderr()).isZero();
            assertThat(Lab.await(Duration.ofSeconds(30), Duration.ofMillis(500), () -> !store.query(HistoryQuery.all()
                    .kinds(Set.of(HistoryEvent.Kind.HAND_EDIT)).node("n1")).events().isEmpty())).as("the hand edit noticed").isPresent();

            List<ConfigChange> versions = history.versions("n1", Optional.of("keepalived")).get(30, TimeUnit.SECONDS).stream()
                    .filter(c -> c.version().path().equals(CONF)).toList();
            assertThat(versions).hasSizeGreaterThanOrEqualTo(3);
            List<ConfigChange> last = versions.subList(versions.size() - 3, versions.size());
            String me = Operator.ofThisWorkstation().user() + "@" + Operator.ofThisWorkstation().workstation();
            assertThat(last).extracting(ConfigChange::who).containsExactly(last.get(0).who(), me, "changed outside Keepwatch");
            assertThat(last.get(1).reason()).contains("config history lab test");
            ConfigChange earlier = last.get(0);
            assertThat(store.configText(earlier.version().sha256())).contains(original);

            // the version before both restored from the history: reviewed against the live file, then pushed
            ConfigHistory.Review review = history.review(earlier).get(60, TimeUnit.SECONDS);
            assertThat(review.refusal()).isEmpty();
            assertThat(review.liveText()).contains("# config history lab test: by hand");
            assertThat(review.versionText()).isEqualTo(original);
            PushOutcome restored = history.restore(review, "lab test", s -> { }).get(120, TimeUnit.SECONDS);
            assertThat(restored).as(restored.toString()).isInstanceOf(PushOutcome.Applied.class);

            Lab.Result now = lab.run("exec", "n1", "cat", CONF);
            assertThat(now.stdout()).isEqualTo(original);
            String reason = ConfigHistory.reason(earlier, "lab test");
            assertThat(reason).startsWith("restored version " + earlier.shortHash() + " of ");
            store.flush(Duration.ofSeconds(10));
            List<ConfigChange> after = history.versions("n1", Optional.of("keepalived")).get(30, TimeUnit.SECONDS);
            ConfigChange newest = after.get(after.size() - 1);
            assertThat(newest.origin()).isEqualTo(ConfigChange.Origin.PUSH);
            assertThat(newest.who()).isEqualTo(me);
            assertThat(newest.reason()).contains(reason);
            assertThat(newest.version().sha256()).isEqualTo(earlier.version().sha256());
            HistoryEvent push = store.query(HistoryQuery.all().node("n1").kinds(Set.of(HistoryEvent.Kind.PUSH))).events().get(0);
            assertThat(push.detail().orElseThrow()).startsWith("Reason: " + reason).contains("Outcome: applied");
            // the periodic read after the restore finds what Keepwatch wrote: no hand edit
            Thread.sleep(settings.configCheck().toMillis() * 2);
            assertThat(store.query(HistoryQuery.all().kinds(Set.of(HistoryEvent.Kind.HAND_EDIT)).node("n1")).events()).hasSize(1);
        } finally {
            lab.run("exec", "n1", "sh", "-c", "cp -p " + SAVED + " " + CONF + " && rm -f " + SAVED);
            store.close();
        }
    }
}
