package org.keepwatch.history;

import org.keepwatch.agent.Operator;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.keepwatch.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.keepwatch.history.HistoryStoreTest.PATH;
import static org.keepwatch.history.HistoryStoreTest.files;
import static org.keepwatch.history.HistoryStoreTest.sha;

/** A node's configuration history read from a real store (SQLite, and PostgreSQL where its server is installed). */
class ConfigHistoryTest {

    @TempDir
    Path directory;
    private final MutableClock clock = new MutableClock();
    private final List<HistoryStore> opened = new ArrayList<>();
    private final NodeAgents noAgents = NodeAgents.of(node -> Optional.empty(), (node, listener) -> () -> { });

    @AfterEach
    void closeAll() {
        opened.forEach(HistoryStore::close);
    }

    private HistoryStore open(String kind) {
        String url = "jdbc:sqlite:" + directory.resolve("history.db");
        if (kind.equals("postgresql")) {
            Assumptions.assumeTrue(PostgresServer.binaries().isPresent(), PostgresServer.missing());
            url = PostgresServer.newDatabase();
        }
        HistoryStore store = HistoryStore.openNow(HistorySettings.of(url), clock);
        opened.add(store);
        return store;
    }

    private ConfigHistory history(Optional<HistoryStore> store) {
        return new ConfigHistory(store, "the history is turned off", noAgents, new NodeConfigService(noAgents, Runnable::run),
                new PushService(noAgents, () -> null, Runnable::run), Runnable::run);
    }

    private static FleetAction push(Instant at, String kind, String who, String reason, String text) {
        return new FleetAction(at, kind.equals("restore") ? FleetAction.Kind.RESTORE : FleetAction.Kind.PUSH, "n1", "keepalived",
                Optional.empty(), new Operator(who, "desk-7"), "pushed " + PATH, reason, "diff", List.of("write: ok"), true,
                "applied", List.of(new FleetAction.FileVersion(PATH, sha(text), text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyVersionSaysWhoMadeItAndWhy(String kind) {
        HistoryStore store = open(kind);
        String v1 = "vrrp_instance VI_1 {\n  priority 100\n}\n";
        String v2 = v1.replace("100", "120");
        String v3 = v1.replace("100", "90");
        store.configRead("n1", files(v1));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(1));
        // a failed push the same minute writes no version and must not be taken for the one that did
        store.action(new FleetAction(clock.instant().minusMillis(5), FleetAction.Kind.PUSH, "n1", "keepalived", Optional.empty(),
                new Operator("bob", "desk-9"), "pushed " + PATH, "a typo", "diff", List.of(), false, "refused", List.of()));
        store.action(push(clock.instant(), "push", "alice", "raise n1 for the switch swap", v2));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(1));
        store.configRead("n1", files(v3));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(1));
        store.action(push(clock.instant(), "restore", "carol", "", v1));
        // another daemon's file on the same node, at the same instant: not this daemon's history
        store.configRead("n1", new org.keepwatch.agent.ConfigFiles("other", "/etc/keepalived/other.conf", List.of(
                new org.keepwatch.agent.ConfigFiles.File("/etc/keepalived/other.conf", "main", "x\n", sha("x\n"))), List.of()));
        store.flush(Duration.ofSeconds(10));

        List<ConfigChange> changes = history(Optional.of(store)).versions("n1", Optional.of("keepalived")).join();

        assertThat(changes).extracting(ConfigChange::origin).containsExactly(ConfigChange.Origin.FIRST_SEEN,
                ConfigChange.Origin.PUSH, ConfigChange.Origin.OUTSIDE, ConfigChange.Origin.RESTORE);
        assertThat(changes).extracting(ConfigChange::who).containsExactly("first seen at connect", "alice@desk-7",
                "changed outside Keepwatch", "carol@desk-7");
        assertThat(changes.get(1).reason()).contains("raise n1 for the switch swap");
        assertThat(changes.get(3).reason()).isEmpty();
        assertThat(changes).extracting(ConfigChange::shortHash).containsExactly(sha(v1).substring(0, 12), sha(v2).substring(0, 12),
                sha(v3).substring(0, 12), sha(v1).substring(0, 12));
        // each links to its event: the push's, the hand edit's (which names the version it found)
        HistoryEvent handEdit = store.query(HistoryQuery.all().kinds(java.util.Set.of(HistoryEvent.Kind.HAND_EDIT))).events().get(0);
        assertThat(changes.get(2).event()).contains(handEdit.id());
        assertThat(handEdit.to()).contains(changes.get(2).shortHash());
        assertThat(changes.get(0).event()).isEmpty();
        assertThat(history(Optional.of(store)).text(changes.get(1)).join()).isEqualTo(v2);
        assertThat(history(Optional.of(store)).versions("n1", Optional.empty()).join()).hasSize(5);
    }

    /**
     * A push's own write read back from the node while the push still ran (the read after the reload, or a periodic
     * one, before the push was told to the history) is the push's version, not a change outside Keepwatch: whether the
     * read was already written or waits in the same batch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite-written", "sqlite-same-batch", "postgresql-written"})
    void aPushsOwnWriteReadBackBeforeThePushWasToldIsThePushsVersion(String how) {
        HistoryStore store = open(how.startsWith("postgresql") ? "postgresql" : "sqlite");
        String v1 = "vrrp_instance VI_1 {\n  priority 100\n}\n";
        String v2 = v1.replace("100", "120");
        store.configRead("n1", files(v1));
        store.flush(Duration.ofSeconds(10));
        clock.advance(Duration.ofMinutes(1));
        Instant pushStarted = clock.instant();
        clock.advance(Duration.ofSeconds(3));
        store.configRead("n1", files(v2));       // the agent has written, the push is still watching health
        if (how.endsWith("written")) {
            store.flush(Duration.ofSeconds(10));
            assertThat(store.query(HistoryQuery.all().kinds(java.util.Set.of(HistoryEvent.Kind.HAND_EDIT))).events()).hasSize(1);
        }
        clock.advance(Duration.ofSeconds(5));
        store.action(push(pushStarted, "push", "alice", "raise n1", v2));
        store.flush(Duration.ofSeconds(10));

        List<ConfigChange> changes = history(Optional.of(store)).versions("n1", Optional.empty()).join();
        assertThat(changes).extracting(ConfigChange::origin).containsExactly(ConfigChange.Origin.FIRST_SEEN, ConfigChange.Origin.PUSH);
        assertThat(changes.get(1).who()).isEqualTo("alice@desk-7");
        assertThat(changes.get(1).reason()).contains("raise n1");
        assertThat(changes.get(1).version().at()).isEqualTo(pushStarted);
        assertThat(store.query(HistoryQuery.all().kinds(java.util.Set.of(HistoryEvent.Kind.HAND_EDIT))).events()).isEmpty();
        // a real hand edit afterwards is one
        clock.advance(Duration.ofMinutes(1));
        store.configRead("n1", files(v1));
        store.flush(Duration.ofSeconds(10));
        assertThat(store.query(HistoryQuery.all().kinds(java.util.Set.of(HistoryEvent.Kind.HAND_EDIT))).events()).hasSize(1);
    }

    @Test
    void theReasonOfARestoreNamesTheVersionAndItsTimeInUtc() {
        ConfigVersion v = new ConfigVersion(7, Instant.parse("2026-12-05T15:02:11.345Z"), "n1", "keepalived", PATH,
                "3f2a9c1d0b7e" + "0".repeat(52), "outside", Optional.empty());
        ConfigChange change = new ConfigChange(v, ConfigChange.Origin.OUTSIDE, Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(ConfigHistory.reason(change, "")).isEqualTo("restored version 3f2a9c1d0b7e of 2026-12-05 15:02:11 UTC");
        assertThat(ConfigHistory.reason(change, "  back before the hand edit ")).isEqualTo(
                "restored version 3f2a9c1d0b7e of 2026-12-05 15:02:11 UTC: back before the hand edit");
    }

    @Test
    void noHistoryOrABrokenOneIsSaidInWords() throws Exception {
        ConfigHistory off = history(Optional.empty());
        assertThat(off.unavailable()).contains("the history is turned off");
        assertThatThrownBy(() -> off.versions("n1", Optional.empty()).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(HistoryException.class).hasMessageContaining("the history is turned off");

        Path file = directory.resolve("broken.db");
        Files.writeString(file, "not a database at all\n".repeat(300));
        HistoryStore broken = HistoryStore.open(HistorySettings.of(file.toString()), clock, p -> { });
        opened.add(broken);
        ConfigHistory history = history(Optional.of(broken));
        assertThatThrownBy(() -> history.versions("n1", Optional.empty()).join()).hasMessageContaining(file.toString())
                .hasMessageContaining("not a history database");
        assertThat(history.unavailable()).get().asString().contains("could not be opened", file.toString());
    }

    @Test
    void aReviewOfANodeNotConnectedSaysSo() {
        HistoryStore store = open("sqlite");
        store.configRead("n1", files("a\n"));
        store.flush(Duration.ofSeconds(10));
        ConfigHistory history = history(Optional.of(store));
        ConfigChange first = history.versions("n1", Optional.empty()).join().get(0);
        assertThatThrownBy(() -> history.review(first).join()).hasMessageContaining("n1 is not connected");
    }

    @Test
    void aReadOnlySessionIsRefusedBeforeAnythingIsSent() throws Exception {
        org.keepwatch.testing.RequiredCommands.assumeRoot("runs the agent as the user nobody");
        org.keepwatch.testing.RequiredCommands.require("runuser", "util-linux");
        Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        Path agentDir = Files.createDirectory(directory.resolve("agent"));
        Files.setPosixFilePermissions(agentDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Process process = new ProcessBuilder("runuser", "-u", "nobody", "--", "python3",
                org.keepwatch.agent.LocalAgent.script(agentDir).toString(), "serve", "--state-dir",
                agentDir.resolve("nobody-state").toString()).start();
        org.keepwatch.agent.AgentSession session = org.keepwatch.agent.AgentSession.attach(
                org.keepwatch.agent.AgentStreams.of(process), "n1", new org.keepwatch.agent.AgentSession.Options(false, false,
                        Duration.ofSeconds(20), Duration.ofSeconds(10)), e -> { });
        try {
            List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
            NodeAgents agents = NodeAgents.of(node -> Optional.of(session), (node, listener) -> () -> { });
            HistoryStore store = open("sqlite");
            store.configRead("n1", files("vrrp_instance VI_1 {\n  priority 100\n}\n"));
            store.flush(Duration.ofSeconds(10));
            ConfigHistory history = new ConfigHistory(Optional.of(store), "off", agents, new NodeConfigService(agents, Runnable::run),
                    new PushService(agents, () -> null, Runnable::run, new org.keepwatch.fleet.FleetJournal() {
                        @Override
                        public void event(org.keepwatch.fleet.FleetEvent event) {
                        }

                        @Override
                        public void action(FleetAction action) {
                            sent.add(action.what());
                        }
                    }), Runnable::run);
            ConfigChange version = history.versions("n1", Optional.empty()).join().get(0);
            ConfigHistory.Review review = history.review(version).get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(review.refusal()).get().asString().startsWith("Restoring is refused on n1: the session is read-only: nobody on n1 has no sudo");
            org.keepwatch.push.PushOutcome outcome = history.restore(review, "", step -> { }).join();
            assertThat(outcome).isInstanceOfSatisfying(org.keepwatch.push.PushOutcome.Failed.class,
                    f -> assertThat(f.message()).startsWith("Restoring is refused on n1"));
            assertThat(sent).as("no push was attempted").isEmpty();
        } finally {
            session.close();
            process.destroyForcibly();
        }
    }
}
