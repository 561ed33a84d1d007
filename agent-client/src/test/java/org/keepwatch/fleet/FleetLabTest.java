package org.keepwatch.fleet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet engine end to end through real sshd into the lab: the right routers and verdicts, a
 * failover as a state event, a partition as split brain, SIGKILL as an orphan VIP, a node whose
 * sshd dies shown as not current and back with fresh state, a wrong host key refused.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class FleetLabTest {

    private static final NodeSupervisor.Settings QUICK_RETRY = new NodeSupervisor.Settings(Duration.ofSeconds(7),
            Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(2), 0.2, Duration.ofSeconds(30));
    private static FleetMonitor monitor;
    private static FleetState state;
    private static Lab lab;
    private static final List<FleetEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void watchTheLab(Lab theLab) throws Exception {
        lab = theLab;
        state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        monitor = new FleetMonitor(state, parts());
        monitor.watch(FleetFile.read(lab.fleetFile()));
        awaitOrFail(Duration.ofSeconds(60), "every node ONLINE", () -> state.nodes().size() == 5
                && state.nodes().stream().allMatch(n -> n.connection() == ConnectionState.ONLINE));
    }

    @AfterAll
    static void stopWatching() {
        if (monitor != null) {
            monitor.close();
        }
    }

    @AfterEach
    void heal() {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
        awaitOrFail(Duration.ofSeconds(40), "every node ONLINE and every router HEALTHY", () ->
                state.nodes().stream().allMatch(n -> n.connection() == ConnectionState.ONLINE)
                        && state.routers().stream().allMatch(r -> r.verdict() == Verdict.HEALTHY));
    }

    @Test
    void showsEveryRouterOfBothTopologiesWithItsMasterAndVerdict() {
        // A lab just brought up is still electing (n3 preempts VI_3 a few seconds after it starts, and a
        // verdict's hold-down keeps HEALTHY through such a handover): wait for the settled masters.
        awaitOrFail(Duration.ofSeconds(30), "8 healthy routers with n1, n2, n3 masters of VRID 51, 52, 53", () ->
                state.routers().size() == 8
                && state.routers().stream().allMatch(r -> r.verdict() == Verdict.HEALTHY && r.masters().size() == 1)
                && router("lab", "51").masters().equals(List.of("n1"))
                && router("lab", "52").masters().equals(List.of("n2"))
                && router("lab", "53").masters().equals(List.of("n3")));
        RouterStatus vi1 = router("lab", "51");
        assertThat(vi1.name()).isEqualTo("VI_1");
        assertThat(vi1.masters()).containsExactly("n1");
        assertThat(vi1.vipHolders()).containsEntry("10.77.0.101", List.of("n1"));
        assertThat(vi1.members()).extracting(RouterMember::node).containsExactly("n1", "n2", "n3");
        assertThat(router("lab", "52").masters()).containsExactly("n2");
        assertThat(router("lab", "53").masters()).containsExactly("n3");
        List<RouterStatus> neutron = state.routers().stream().filter(r -> r.key().kind() == RouterKey.Kind.NEUTRON).toList();
        assertThat(neutron).hasSize(5).allSatisfy(r -> {
            assertThat(r.key().scope()).isEqualTo("lab-neutron");
            assertThat(r.members()).extracting(RouterMember::node).containsExactly("net1", "net2");
            assertThat(r.masters()).hasSize(1);
            assertThat(r.vips()).containsExactly("169.254.0." + r.vrid());
        });
        // Each node's own keepalived: the machine's everywhere, or each node's release's in a mixed lab.
        assertThat(state.nodes()).allSatisfy(n -> assertThat(n.keepalivedVersion()).contains(lab.keepalivedVersion(n.node())));
    }

    @Test
    void aFailoverArrivesAsAStateEvent() {
        drain();
        lab.ok("fail", "stop", "n1");
        awaitEvent(Duration.ofSeconds(5), "n2 VI_1 becomes MASTER", e -> e instanceof FleetEvent.InstanceChanged c
                && c.after().node().equals("n2") && c.after().name().equals("VI_1") && c.after().state() == VrrpState.MASTER);
        assertThat(router("lab", "51").masters()).containsExactly("n2");
    }

    @Test
    void aPartitionIsSplitBrainWithAnAlarm() {
        drain();
        lab.ok("fail", "partition");
        FleetEvent.Alarm alarm = (FleetEvent.Alarm) awaitEvent(Duration.ofSeconds(15), "a split-brain alarm for VRID 51",
                e -> e instanceof FleetEvent.Alarm a && a.raised() && a.verdict() == Verdict.SPLIT_BRAIN
                        && a.router().equals(key("lab", "51")));
        assertThat(alarm.reasons()).anyMatch(r -> r.contains("are all MASTER") || r.contains("are both MASTER"));
        awaitOrFail(Duration.ofSeconds(10), "all three plain routers split", () -> List.of("51", "52", "53").stream()
                .allMatch(id -> router("lab", id).verdict() == Verdict.SPLIT_BRAIN));

        lab.ok("fail", "partition", "--undo");
        awaitEvent(Duration.ofSeconds(15), "the alarm cleared", e -> e instanceof FleetEvent.Alarm a && !a.raised()
                && a.router().equals(key("lab", "51")));
    }

    @Test
    void sigkillLeavesAnOrphanVip() {
        drain();
        lab.ok("fail", "crash", "n1");
        FleetEvent.Alarm orphan = (FleetEvent.Alarm) awaitEvent(Duration.ofSeconds(10), "an orphan-VIP alarm for VRID 51",
                e -> e instanceof FleetEvent.Alarm a && a.raised() && a.verdict() == Verdict.ORPHAN_VIP
                        && a.router().equals(key("lab", "51")));
        assertThat(orphan.reasons()).contains("10.77.0.101 is on n1, whose keepalived is dead (killed or crashed)");
        // When the backup takes over, the address is on two nodes: split brain on the wire.
        awaitEvent(Duration.ofSeconds(10), "then split brain", e -> e instanceof FleetEvent.Alarm a && a.raised()
                && a.verdict() == Verdict.SPLIT_BRAIN && a.router().equals(key("lab", "51")));
        assertThat(router("lab", "51").vipHolders().get("10.77.0.101")).containsExactly("n1", "n2");
    }

    @Test
    void aNodeWhoseSshdDiesIsNotCurrentThenBackWithFreshState() {
        lab.ok("fail", "sshd", "n3");
        awaitOrFail(Duration.ofSeconds(15), "n3 no longer ONLINE", () -> node("n3").connection() != ConnectionState.ONLINE);
        RouterStatus vi3 = router("lab", "53");
        assertThat(vi3.member("n3").orElseThrow().current()).isFalse();
        assertThat(vi3.member("n3").orElseThrow().state()).isEqualTo(VrrpState.UNKNOWN);
        // n3 was MASTER when last seen: unknown now, which is STALE, not an alarm.
        assertThat(vi3.verdict()).isEqualTo(Verdict.STALE);
        assertThat(vi3.masters()).isEmpty();

        // While Keepwatch cannot see n3, its keepalived stops: the state after the return must say so.
        lab.ok("fail", "stop", "n3");
        lab.ok("fail", "sshd", "n3", "--undo");
        awaitOrFail(Duration.ofSeconds(30), "n3 ONLINE again", () -> node("n3").connection() == ConnectionState.ONLINE);
        awaitOrFail(Duration.ofSeconds(10), "n3's fresh state: keepalived stopped", () ->
                router("lab", "53").member("n3").map(m -> m.current() && m.state() == VrrpState.STOP).orElse(false));
    }

    @Test
    void aNodeWhoseSshIsDroppedSilentlyGoesStaleAndComesBackWithoutAnAlarm() {
        // no reset, no close: the session hangs, and only the missing heartbeats tell; VRRP goes on meanwhile
        lab.ok("fail", "ssh-drop", "n3");
        try {
            awaitOrFail(Duration.ofSeconds(20), "n3 no longer ONLINE", () -> node("n3").connection() != ConnectionState.ONLINE);
            RouterStatus vi3 = router("lab", "53");
            assertThat(vi3.member("n3").orElseThrow().current()).isFalse();
            assertThat(vi3.verdict()).as("unknown, not an alarm: n3 may well still be master").isEqualTo(Verdict.STALE);
            assertThat(lab.status().router("vrid 53").orElseThrow().masters()).as("VRRP went on").containsExactly("n3");
        } finally {
            lab.ok("fail", "ssh-drop", "n3", "--undo");
        }
        awaitOrFail(Duration.ofSeconds(60), "n3 ONLINE again", () -> node("n3").connection() == ConnectionState.ONLINE);
        awaitOrFail(Duration.ofSeconds(10), "VI_3 healthy with n3 current", () -> router("lab", "53").verdict() == Verdict.HEALTHY
                && router("lab", "53").member("n3").map(RouterMember::current).orElse(false));
    }

    @Test
    void aWrongHostKeyIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // n2's host keys written down for n1's address: what a man in the middle would present.
        List<String> swapped = new ArrayList<>();
        for (String line : Files.readAllLines(lab.knownHosts())) {
            if (line.startsWith("10.77.0.12 ")) {
                swapped.add(line.replaceFirst("^10\\.77\\.0\\.12 ", "10.77.0.11 "));
            }
        }
        Path knownHosts = Files.write(dir.resolve("known_hosts"), swapped);
        Fleet fleet = Fleet.empty().withNode(FleetNode.of("n1", "lab", new ConnectionSettings(Optional.of("10.77.0.11"),
                Optional.of(22), Optional.of("root"), Optional.of(lab.clientKey().toString()), Optional.of(knownHosts.toString()),
                Optional.empty(), Optional.empty())));
        FleetState other = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        try (FleetMonitor wrong = new FleetMonitor(other, parts())) {
            wrong.watch(fleet);
            awaitOrFail(Duration.ofSeconds(20), "n1 HOST_KEY_REJECTED", () -> !other.nodes().isEmpty()
                    && other.nodes().get(0).connection() == ConnectionState.HOST_KEY_REJECTED);
            assertThat(other.nodes().get(0).lastError()).hasValueSatisfying(e -> assertThat(e).contains("changed"));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static FleetMonitor.Parts parts() throws Exception {
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        return new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(), SshPrompts.BATCH,
                AgentScript.bundled(), AgentSession.Options.defaults(), QUICK_RETRY, Clock.systemUTC());
    }

    private static RouterKey key(String group, String id) {
        return new RouterKey(RouterKey.Kind.VRRP, group, id);
    }

    private static RouterStatus router(String group, String id) {
        return state.router(key(group, id)).orElseThrow(() -> new AssertionError("no router " + group + "/" + id));
    }

    private static NodeStatus node(String name) {
        return state.nodes().stream().filter(n -> n.node().equals(name)).findFirst().orElseThrow();
    }

    private static void drain() {
        events.clear();
        state.drainEvents();
    }

    private static FleetEvent awaitEvent(Duration timeout, String what, Predicate<FleetEvent> wanted) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            events.addAll(state.drainEvents().events());
            Optional<FleetEvent> found = events.stream().filter(wanted).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            sleep(50);
        }
        throw new AssertionError("no event within " + timeout + ": " + what + "; routers: " + state.routers().stream()
                .map(r -> r.key().label() + " " + r.verdict() + " " + r.reasons()).toList());
    }

    private static void awaitOrFail(Duration timeout, String what, java.util.function.BooleanSupplier condition) {
        if (Lab.await(timeout, Duration.ofMillis(100), condition).isEmpty()) {
            throw new AssertionError("not within " + timeout + ": " + what + "; nodes: " + state.nodes()
                    + "; routers: " + state.routers().stream().map(r -> r.key().label() + " " + r.verdict() + " "
                    + r.reasons()).toList());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
