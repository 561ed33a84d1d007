package org.keepwatch.history;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.agent.Operator;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The services record what they carry out, against the real agent and a real keepalived: a push with who, its
 * diff, the agent's steps and the outcome; a restart; and a file then edited by hand on the node, noticed by the
 * next read as a change outside Keepwatch with its diff.
 */
class HistoryRecordingTest {

    @TempDir
    Path dir;
    private LocalKeepalived node;
    private ExecutorService io;
    private AgentSession session;
    private NodeAgents agents;
    private HistoryStore store;
    private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-hist-", LocalKeepalived.sampleConfig());
        session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        io = Executors.newCachedThreadPool();
        agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        store = HistoryStore.openNow(HistorySettings.of(dir.resolve("history.db").toString()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        if (node != null) {
            node.close();
        }
        if (io != null) {
            io.shutdownNow();
        }
    }

    @Test
    void aPushARestartAndAHandEditAreKeptWithWhoTheDiffAndTheSteps() throws Exception {
        ConfigOps ops = new ConfigOps(session);
        store.configRead("n1", ops.read(node.daemon()).get(30, TimeUnit.SECONDS));
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.empty());
        ConfigDraft draft = new NodeConfigService(agents, io).open(target).get(30, TimeUnit.SECONDS);
        String main = draft.text(draft.mainPath());
        assertThat(main).contains("priority 100");
        PushService pushes = new PushService(agents, () -> null, io, store);
        PushOutcome pushed = pushes.pushNode(target, draft.withText(draft.mainPath(), main.replace("priority 100", "priority 120")),
                "raise it", step -> { }).get(90, TimeUnit.SECONDS);
        assertThat(pushed).isInstanceOf(PushOutcome.Applied.class);
        // the read after the push finds what Keepwatch wrote: no hand edit
        store.configRead("n1", ops.read(node.daemon()).get(30, TimeUnit.SECONDS));

        FleetState fleet = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        new DaemonControl(agents, () -> fleet, io, store).run("n1", node.daemon(), DaemonAction.RESTART, Set.of(), "after the push",
                step -> { }).get(90, TimeUnit.SECONDS);

        // by hand on the node, outside Keepwatch
        Files.writeString(node.config(), node.configText().replace("priority 120", "priority 80"));
        store.configRead("n1", ops.read(node.daemon()).get(30, TimeUnit.SECONDS));
        assertThat(store.flush(Duration.ofSeconds(10))).isTrue();

        String who = Operator.ofThisWorkstation().user() + "@" + Operator.ofThisWorkstation().workstation();
        List<HistoryEvent> events = store.query(HistoryQuery.all().node("n1").oldestFirst()).events();
        assertThat(events).extracting(e -> e.kind().word()).containsExactly("push", "action", "hand-edit");
        HistoryEvent push = events.get(0);
        assertThat(push.operator()).contains(who);
        assertThat(push.to()).contains("OK");
        assertThat(push.detail().orElseThrow()).contains("Reason: raise it", "compare: ok", "write: ok", "Outcome: applied")
                .containsPattern("(?m)^-\\s+priority 100$").containsPattern("(?m)^\\+\\s+priority 120$");
        HistoryEvent restart = events.get(1);
        assertThat(restart.summary()).contains(who, "restart keepalived", "n1", "done");
        assertThat(restart.detail().orElseThrow()).contains("Reason: after the push", "Steps:");
        HistoryEvent edit = events.get(2);
        assertThat(edit.summary()).contains(node.config().toString(), "changed outside Keepwatch");
        assertThat(edit.detail().orElseThrow()).containsPattern("(?m)^-\\s+priority 120$").containsPattern("(?m)^\\+\\s+priority 80$");
        assertThat(store.configVersions("n1", Optional.of(node.daemon()), Optional.of(node.config().toString())))
                .extracting(ConfigVersion::source).containsExactly("read", "keepwatch", "outside");
    }
}
