package org.keepwatch.app.editor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.Operator;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.history.ConfigHistory;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration history's view model over a real SQLite history, its node not connected. */
class ConfigHistoryViewModelTest {

    private static final String PATH = "/etc/keepalived/keepalived.conf";
    private static final String V1 = "vrrp_instance VI_1 {\n  priority 100\n}\n";
    private static final String V2 = V1.replace("100", "120");
    private static final String V3 = V1.replace("100", "90");

    @TempDir
    Path directory;
    private final MutableClock clock = new MutableClock();
    private HistoryStore store;
    private final NodeAgents none = NodeAgents.of(node -> Optional.empty(), (node, listener) -> () -> { });

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private ConfigHistory history(Optional<HistoryStore> kept) {
        return new ConfigHistory(kept, "Keepwatch keeps no history on this workstation", none, new NodeConfigService(none, Runnable::run),
                new PushService(none, () -> null, Runnable::run), Runnable::run);
    }

    private ConfigHistoryViewModel model(Optional<String> preselect) {
        store = HistoryStore.openNow(HistorySettings.of(directory.resolve("history.db").toString()), clock);
        store.configRead("n1", files(V1));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(5));
        store.action(new FleetAction(clock.instant(), FleetAction.Kind.PUSH, "n1", "keepalived", Optional.empty(),
                new Operator("alice", "desk-7"), "pushed " + PATH, "raise n1", "diff", List.of(), true, "applied",
                List.of(new FleetAction.FileVersion(PATH, sha(V2), V2))));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(5));
        store.configRead("n1", files(V3));
        store.flush(Duration.ofSeconds(10));
        ConfigHistoryViewModel model = new ConfigHistoryViewModel("n1", List.of("keepalived"), preselect, history(Optional.of(store)),
                Tasks.sameThread(), target -> { });
        model.load();
        return model;
    }

    @Test
    void versionsAreListedNewestFirstWithWhoHowAndWhyAndTheNewestIsComparedWithTheLiveFile() {
        ConfigHistoryViewModel model = model(Optional.empty());
        assertThat(model.unavailableProperty().get()).isEmpty();
        assertThat(model.rows()).extracting(ConfigHistoryViewModel.VersionRow::who).containsExactly("changed outside Keepwatch",
                "alice@desk-7", "first seen at connect");
        assertThat(model.rows()).extracting(ConfigHistoryViewModel.VersionRow::how).containsExactly("hand edit", "push", "first read");
        assertThat(model.rows().get(1).reason()).isEqualTo("raise n1");
        assertThat(model.rows().get(0).hash()).isEqualTo(sha(V3).substring(0, 12));
        // the node is not connected: the list is there, the live file is said to be unreadable, in words
        assertThat(model.statusProperty().get()).contains("3 version(s)", "the live file could not be read", "n1 is not connected");
        assertThat(model.selectedProperty().get()).isEqualTo(model.rows().get(0));
        assertThat(model.comparisonProperty().get()).startsWith("The live file could not be read to compare with: ")
                .contains("n1 is not connected");
        assertThat(model.diffProperty().get()).isNull();
    }

    @Test
    void twoVersionsAreComparedTheOlderOnTheLeftWhicheverWasPickedFirst() {
        ConfigHistoryViewModel model = model(Optional.empty());
        model.select(List.of(model.rows().get(0), model.rows().get(2)));
        FileDiff diff = model.diffProperty().get();
        assertThat(diff.leftTitle()).startsWith("Version " + sha(V1).substring(0, 12));
        assertThat(diff.rightTitle()).startsWith("Version " + sha(V3).substring(0, 12));
        assertThat(diff.rows()).anySatisfy(r -> {
            assertThat(r.oldText()).contains("priority 100");
            assertThat(r.newText()).contains("priority 90");
        });
        assertThat(model.selectedProperty().get()).as("Restore acts on the newer").isEqualTo(model.rows().get(0));
        model.select(List.copyOf(model.rows()));
        assertThat(model.diffProperty().get()).isNull();
        assertThat(model.comparisonProperty().get()).contains("not 3");
    }

    @Test
    void aHandEditsVersionIsSelectedByItsShortHash() {
        ConfigHistoryViewModel model = model(Optional.of(sha(V2).substring(0, 12)));
        assertThat(model.selectedProperty().get().who()).isEqualTo("alice@desk-7");
    }

    @Test
    void aReviewOfANodeNotConnectedSaysSoAndNothingHappens() {
        ConfigHistoryViewModel model = model(Optional.empty());
        model.reviewRestore();
        assertThat(model.stageProperty().get()).isEqualTo(ConfigHistoryViewModel.Stage.BROWSE);
        assertThat(model.problemProperty().get()).contains("n1 is not connected");
        model.restore();
        assertThat(model.stageProperty().get()).isEqualTo(ConfigHistoryViewModel.Stage.BROWSE);
    }

    @Test
    void withoutAHistoryTheWindowSaysWhy() {
        ConfigHistoryViewModel model = new ConfigHistoryViewModel("n1", List.of("keepalived"), Optional.empty(),
                history(Optional.empty()), Tasks.sameThread(), target -> { });
        model.load();
        assertThat(model.unavailableProperty().get()).isEqualTo("Keepwatch keeps no history on this workstation");
        assertThat(model.rows()).isEmpty();
    }

    private static ConfigFiles files(String text) {
        return new ConfigFiles("keepalived", PATH, List.of(new ConfigFiles.File(PATH, "main", text, sha(text))), List.of());
    }

    private static String sha(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
