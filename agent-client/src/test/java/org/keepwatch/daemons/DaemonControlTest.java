package org.keepwatch.daemons;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentException;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.DaemonOutcome;
import org.keepwatch.agent.DaemonStep;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.agent.LogLine;
import org.keepwatch.agent.LogQuery;
import org.keepwatch.agent.LogRead;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.NodeReport;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.push.NodeAgents;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.Observations.stale;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.FAULT;
import static org.keepwatch.fleet.VrrpState.MASTER;

class DaemonControlTest {

    private final ExecutorService io = Executors.newCachedThreadPool();
    private final FleetState fleet = new FleetState(new MutableClock(), FleetSettings.DEFAULTS);
    private LocalKeepalived node;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        io.shutdownNow();
    }

    private void members(String node, Object... instances) {
        fleet.addNode(node, "lab");
        fleet.nodeStatus(online(node));
        List<InstanceObservation> list = new ArrayList<>();
        for (int i = 0; i < instances.length; i += 3) {
            list.add(instance(node, (String) instances[i], (Integer) instances[i + 1],
                    (VrrpState) instances[i + 2], 100, "10.77.0." + instances[i + 1]));
        }
        fleet.applyReport(report(node, list, List.of()));
    }

    @Test
    void aStopLeavesNoMasterOnlyWhereTheDaemonIsTheLastLiveMember() {
        members("n1", "VI_1", 51, MASTER, "VI_2", 52, MASTER, "VI_3", 53, BACKUP);
        members("n2", "VI_1", 51, BACKUP, "VI_2", 52, FAULT, "VI_3", 53, MASTER);
        members("n3", "VI_2", 52, BACKUP);
        fleet.nodeStatus(stale("n3"));      // its BACKUP of VI_2 is not known now: not a live member
        DaemonControl control = new DaemonControl(failingAgents(), () -> fleet, io);

        DaemonPlan stop = control.plan("n1", "keepalived", DaemonAction.STOP);
        assertThat(stop.routerNames()).containsExactly("VI_2");
        assertThat(stop.needsConfirmation()).isTrue();
        assertThat(stop.describe()).isEqualTo("stop keepalived on n1: router VI_2 has no other live member and will "
                + "have no master");
        assertThat(control.plan("n1", "keepalived", DaemonAction.RESTART).describe()).endsWith("until keepalived is back");
        assertThat(control.plan("n1", "keepalived", DaemonAction.RELOAD).needsConfirmation()).isFalse();
        assertThat(control.plan("n2", "keepalived", DaemonAction.STOP).needsConfirmation())
                .as("n1 is still MASTER of VI_1 and BACKUP of VI_3").isFalse();
        assertThat(control.daemonOf("n1", Optional.empty())).isEqualTo("keepalived");
        assertThatThrownBy(() -> control.daemonOf("n1", Optional.of("other")))
                .hasMessage("n1 has no keepalived daemon named other (it has keepalived)");
    }

    @Test
    void anUnconfirmedStopOfTheLastMemberIsRefusedBeforeAnythingIsSent() {
        members("n1", "VI_1", 51, MASTER, "VI_2", 52, MASTER);
        members("n2", "VI_1", 51, FAULT, "VI_2", 52, FAULT);
        AtomicBoolean asked = new AtomicBoolean();
        NodeAgents agents = NodeAgents.of(n -> {
            asked.set(true);
            return Optional.empty();
        }, (n, l) -> () -> { });
        DaemonControl control = new DaemonControl(agents, () -> fleet, io);

        for (Set<String> confirmed : List.of(Set.<String>of(), Set.of("VI_1"))) {
            assertThatThrownBy(() -> control.run("n1", "keepalived", DaemonAction.STOP, confirmed, "test", s -> { })
                    .get(10, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(NoMasterRefusal.class, e -> {
                        assertThat(e.getMessage()).contains("VI_2").contains("will have no master");
                        assertThat(e.plan().routerNames()).containsExactly("VI_1", "VI_2");
                    });
        }
        assertThat(asked).as("no agent was asked anything").isFalse();
        assertThatThrownBy(() -> control.run("n1", "keepalived", DaemonAction.STOP, Set.of("VI_1", "VI_2"), "test",
                s -> { }).get(10, TimeUnit.SECONDS)).cause().hasMessageContaining("n1 is not online");
        assertThat(asked).as("confirmed: on to the agent").isTrue();
    }

    @Test
    void aConfirmedStopThenAStartThroughTheRealAgentAndTheLogSaysSo() throws Exception {
        LocalKeepalived.assumeAvailable();
        node = LocalKeepalived.start(dir, "kwt-ed-", LocalKeepalived.sampleConfig());
        List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        session.call("state.subscribe", session.json().createObjectNode()).get(20, TimeUnit.SECONDS);
        NodeAgents agents = NodeAgents.of(n -> Optional.of(session), (n, listener) -> {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        });
        String daemon = node.daemon();
        fleet.addNode("bed", "lab");
        fleet.nodeStatus(online("bed"));
        fleet.applyReport(new NodeReport("bed", Instant.now(),
                List.of(new DaemonObservation("bed", daemon, daemon,
                        DaemonStatus.RUNNING, Optional.empty())),
                List.of(withDaemon(instance("bed", "VI_1", 51, MASTER, 100), daemon),
                        withDaemon(instance("bed", "VI_2", 52, MASTER, 90), daemon)), List.of()));
        DaemonControl control = new DaemonControl(agents, () -> fleet, io);
        DaemonLogs logs = new DaemonLogs(agents, io);

        List<LogLine> followed = new CopyOnWriteArrayList<>();
        LogTail tail = logs.follow("bed", daemon, LogQuery.last(100).withInstance("VI_1"), followed::addAll)
                .get(20, TimeUnit.SECONDS);
        assertThat(tail.source().kind()).isEqualTo("file");
        assertThat(tail.source().path()).contains(dir.resolve("keepalived.log").toString());

        assertThat(control.plan("bed", daemon, DaemonAction.STOP).routerNames()).containsExactly("VI_1", "VI_2");
        List<DaemonStep> steps = new CopyOnWriteArrayList<>();
        DaemonOutcome stopped = control.run("bed", daemon, DaemonAction.STOP, Set.of("VI_1", "VI_2"), "java test",
                steps::add).get(90, TimeUnit.SECONDS);
        assertThat(stopped.running()).isFalse();
        assertThat(stopped.result()).isEqualTo("done");
        assertThat(node.alive()).isFalse();
        assertThat(steps).extracting(DaemonStep::step).contains("lock", "stop", "verify", "audit");
        assertThat(steps.get(steps.size() - 1).describe()).isEqualTo("audit: ok");

        DaemonOutcome started = control.run("bed", daemon, DaemonAction.START, Set.of(), "java test", s -> { })
                .get(90, TimeUnit.SECONDS);
        assertThat(started.running()).isTrue();
        assertThat(started.vrrpPid()).isPresent();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (followed.stream().noneMatch(l -> l.text().contains("Entering MASTER STATE")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(followed).extracting(LogLine::text).as("the started daemon's election, followed").contains("(VI_1) Entering MASTER STATE");
        assertThat(followed).allSatisfy(l -> assertThat(l.instance()).contains("VI_1"));
        tail.close();

        LogRead read = logs.read("bed", daemon, LogQuery.last(50).withGrep("stopping")).get(20, TimeUnit.SECONDS);
        assertThat(read.lines()).extracting(LogLine::text).contains("Stopping");
        assertThat(read.lines()).allSatisfy(l -> assertThat(l.time()).isPresent());

        assertThatThrownBy(() -> control.run("bed", "nope", DaemonAction.RELOAD, Set.of(), null, s -> { })
                .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
    }

    private static InstanceObservation withDaemon(InstanceObservation i, String daemon) {
        return new InstanceObservation(i.node(), daemon, daemon, i.name(), i.vrid(), i.interfaceName(),
                i.state(), i.basePriority(), i.effectivePriority(), i.vips(), i.excludedVips(), i.advertInt(), i.version(),
                i.authType(), i.nopreempt(), i.unicastPeers(), i.lastTransition(), i.stats());
    }

    private static NodeAgents failingAgents() {
        return NodeAgents.of(n -> {
            throw new AssertionError("no agent may be asked");
        }, (n, l) -> () -> { });
    }
}
