package org.keepwatch.maintenance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.MaintenanceOps;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Planned failover on the real lab: the maintenance weight set up on n1..n3 through a normal push, a drain whose
 * masters move where the plan said (seen from the workstation: the VIP answers on the new master) and the node marked
 * drained, an undrain that gives them back, a failover of one router, a drain refused when nobody could take over,
 * and Neutron's routers refused. Every configuration is pushed back as it was, every weight undrained.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class MaintenanceLabTest {

    private static final List<String> BASIC = List.of("n1", "n2", "n3");
    private static final NodeSupervisor.Settings QUICK_RETRY = new NodeSupervisor.Settings(Duration.ofSeconds(7),
            Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(2), 0.2, Duration.ofSeconds(30));
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static Lab lab;
    private static FleetState state;
    private static FleetMonitor monitor;
    private static ExecutorService io;
    private static NodeConfigService configs;
    private static PushService pushes;
    private static MaintenanceService service;
    private static final Map<String, String> originals = new LinkedHashMap<>();

    @BeforeAll
    static void setUpTheWeight(Lab theLab) throws Exception {
        lab = theLab;
        state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        monitor = new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(), QUICK_RETRY, Clock.systemUTC()));
        monitor.watch(FleetFile.read(lab.fleetFile()));
        io = Executors.newCachedThreadPool();
        NodeAgents agents = NodeAgents.of(node -> monitor.supervisor(node).flatMap(NodeSupervisor::session), (node, listener) -> {
            Optional<NodeSupervisor> supervisor = monitor.supervisor(node);
            supervisor.ifPresent(s -> s.addSessionListener(listener));
            return () -> supervisor.ifPresent(s -> s.removeSessionListener(listener));
        });
        configs = new NodeConfigService(agents, io);
        pushes = new PushService(agents, () -> state, io);
        service = new MaintenanceService(agents, () -> state, configs, pushes, io);
        awaitOrFail(Duration.ofSeconds(60), "every node ONLINE and the basic routers healthy", () ->
                state.nodes().size() == 5 && state.nodes().stream().allMatch(n -> n.connection() == ConnectionState.ONLINE)
                        && masters("51").equals(List.of("n1")) && masters("52").equals(List.of("n2"))
                        && masters("53").equals(List.of("n3")));
        for (String node : BASIC) {
            ConfigDraft draft = configs.open(target(node)).get(30, TimeUnit.SECONDS);
            originals.put(node, draft.text(draft.mainPath()));
        }
        for (String node : BASIC) {
            Optional<PushOutcome> outcome = service.setUp(node, "keepalived", "lab test: maintenance weight", step -> { })
                    .get(90, TimeUnit.SECONDS);
            assertThat(outcome).hasValueSatisfying(o -> assertThat(o).isInstanceOf(PushOutcome.Applied.class));
        }
        awaitOrFail(Duration.ofSeconds(30), "n1..n3 wired for the maintenance weight", () -> BASIC.stream()
                .allMatch(n -> daemon(n).maintenance().map(MaintenanceWeight::wiredFully).orElse(false)));
        awaitOrFail(Duration.ofSeconds(30), "the basic routers healthy after the set-up", () -> List.of("51", "52", "53")
                .stream().allMatch(id -> router(id).verdict() == Verdict.HEALTHY));
    }

    @AfterAll
    static void putEverythingBack() throws Exception {
        try {
            undrainAll();
            for (Map.Entry<String, String> original : originals.entrySet()) {
                ConfigDraft draft = configs.open(target(original.getKey())).get(30, TimeUnit.SECONDS);
                ConfigDraft back = draft.withText(draft.mainPath(), original.getValue());
                if (back.changed()) {
                    PushOutcome outcome = pushes.pushNode(target(original.getKey()), back, "lab test: configuration put back",
                            step -> { }).get(90, TimeUnit.SECONDS);
                    assertThat(outcome).isInstanceOf(PushOutcome.Applied.class);
                }
            }
        } finally {
            if (monitor != null) {
                monitor.close();
            }
            if (io != null) {
                io.shutdownNow();
            }
        }
    }

    @AfterEach
    void heal() throws Exception {
        lab.ok("heal");
        undrainAll();
        lab.awaitHealthy(Duration.ofSeconds(40));
        awaitOrFail(Duration.ofSeconds(40), "the basic routers back on n1, n2, n3", () -> masters("51").equals(List.of("n1"))
                && masters("52").equals(List.of("n2")) && masters("53").equals(List.of("n3"))
                && BASIC.stream().noneMatch(n -> daemon(n).drained()));
    }

    @Test
    void drainMovesTheMastersWhereThePlanSaidAndUndrainGivesThemBack() throws Exception {
        MaintenancePlan plan = service.planDrain("n1");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.routers()).filteredOn(MaintenancePlan.RouterMove::moves)
                .extracting(MaintenancePlan.RouterMove::words)
                .containsExactly("VI_1 (VRID 51): n1 (150) → n2 (100); backup n3 (50), n1 (drained, 1)");
        List<String> progress = new ArrayList<>();
        MaintenanceService.Outcome outcome = service.execute(plan, "lab test: drain", SETTLE, progress::add).get(60, TimeUnit.SECONDS);
        assertThat(outcome.done()).as("%s", outcome).isTrue();
        assertThat(masters("51")).containsExactly("n2");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n2");
        assertThat(masters("52")).containsExactly("n2");
        assertThat(masters("53")).containsExactly("n3");
        DaemonObservation n1 = daemon("n1");
        assertThat(n1.drained()).isTrue();
        assertThat(n1.maintenance().orElseThrow().reason()).contains("lab test: drain");
        assertThat(router("51").member("n1").orElseThrow().lastKnown().effectivePriority()).isEqualTo(1);
        assertThat(progress).contains("VI_1: master moved n1 → n2");

        MaintenancePlan back = service.planUndrain("n1");
        assertThat(back.routers()).filteredOn(MaintenancePlan.RouterMove::moves).extracting(MaintenancePlan.RouterMove::name)
                .containsExactly("VI_1");
        assertThat(service.execute(back, "lab test: undrain", SETTLE, line -> { }).get(60, TimeUnit.SECONDS).done()).isTrue();
        assertThat(masters("51")).containsExactly("n1");
        assertThat(daemon("n1").drained()).isFalse();
    }

    @Test
    void drainByStoppingKeepalivedMovesTheMastersAndUndrainStartsItAgain() throws Exception {
        MaintenancePlan plan = service.planDrain("n1", MaintenanceWeight.Method.STOP);
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", true, MaintenanceWeight.Method.STOP));
        assertThat(plan.routers()).filteredOn(MaintenancePlan.RouterMove::moves).extracting(MaintenancePlan.RouterMove::words)
                .containsExactly("VI_1 (VRID 51): n1 (150) → n2 (100); backup n3 (50); n1 stopped");
        List<String> progress = new ArrayList<>();
        MaintenanceService.Outcome outcome = service.execute(plan, "lab test: drain by stopping", SETTLE, progress::add)
                .get(90, TimeUnit.SECONDS);
        assertThat(outcome.done()).as("%s", outcome).isTrue();
        assertThat(masters("51")).containsExactly("n2");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n2");
        DaemonObservation n1 = daemon("n1");
        assertThat(n1.status()).isEqualTo(DaemonStatus.STOPPED);
        assertThat(n1.drained()).isTrue();
        MaintenanceWeight weight = n1.maintenance().orElseThrow();
        assertThat(weight.drainedByStopping()).isTrue();
        assertThat(weight.reason()).contains("lab test: drain by stopping");
        assertThat(weight.describeDrain()).startsWith("drained (keepalived stopped) since ");
        assertThat(progress).anySatisfy(line -> assertThat(line).startsWith("drain n1 by stopping its keepalived: keepalived stopped"));
        assertThat(service.planDrain("n1", MaintenanceWeight.Method.STOP).refusals())
                .anySatisfy(r -> assertThat(r).startsWith("n1 is drained already (drained (keepalived stopped)"));

        MaintenancePlan back = service.planUndrain("n1");
        assertThat(back.changes()).containsExactly(new MaintenancePlan.WeightChange("n1", "keepalived", false, MaintenanceWeight.Method.STOP));
        assertThat(back.routers()).filteredOn(MaintenancePlan.RouterMove::moves).extracting(MaintenancePlan.RouterMove::words)
                .containsExactly("VI_1 (VRID 51): n2 (100) → n1 (150); backup n2 (100), n3 (50)");
        assertThat(service.execute(back, "lab test: undrain", SETTLE, line -> { }).get(90, TimeUnit.SECONDS).done()).isTrue();
        assertThat(masters("51")).containsExactly("n1");
        assertThat(daemon("n1").status()).isEqualTo(DaemonStatus.RUNNING);
        assertThat(daemon("n1").drained()).isFalse();
    }

    @Test
    void failoverMakesTheChosenMemberMaster() throws Exception {
        MaintenancePlan plan = service.planFailover(key("52"), "n3");
        assertThat(plan.refusals()).isEmpty();
        assertThat(plan.changes()).containsExactly(new MaintenancePlan.WeightChange("n2", "keepalived", true, MaintenanceWeight.Method.WEIGHT));
        assertThat(service.execute(plan, "lab test: failover", SETTLE, line -> { }).get(60, TimeUnit.SECONDS).done()).isTrue();
        assertThat(masters("52")).containsExactly("n3");
        assertThat(lab.holders(BASIC, "10.77.0.102")).containsExactly("n3");
    }

    @Test
    void aDrainIsRefusedWhenNoOtherMemberIsLeftToTakeOver() {
        lab.ok("fail", "stop", "n2", "n3");
        awaitOrFail(Duration.ofSeconds(20), "n2 and n3 seen stopped", () -> BASIC.subList(1, 3).stream()
                .allMatch(n -> !daemon(n).alive()));
        MaintenancePlan plan = service.planDrain("n1");
        assertThat(plan.refusals()).contains("VI_1: n1 would stay master: no other live member able to take over");
        assertThat(daemon("n1").drained()).isFalse();
    }

    @Test
    void neutronRoutersAreRefusedWithWhy() {
        MaintenancePlan plan = service.planDrain("net1");
        assertThat(plan.refused()).isTrue();
        assertThat(plan.refusals()).allSatisfy(r -> assertThat(r).contains("belongs to the Neutron l3 agent"));
        assertThat(plan.changes()).isEmpty();
    }

    private static void undrainAll() throws Exception {
        for (String node : BASIC) {
            if (daemon(node).drained()) {
                AgentSession session = monitor.supervisor(node).flatMap(NodeSupervisor::session).orElseThrow();
                new MaintenanceOps(session).set("keepalived", false, "lab test: put back").get(20, TimeUnit.SECONDS);
            }
        }
    }

    private static EditTarget target(String node) {
        return new EditTarget(node, "keepalived", Optional.empty());
    }

    private static RouterKey key(String vrid) {
        return new RouterKey(RouterKey.Kind.VRRP, "lab", vrid);
    }

    private static RouterStatus router(String vrid) {
        return state.router(key(vrid)).orElseThrow(() -> new AssertionError("no router VRID " + vrid));
    }

    private static List<String> masters(String vrid) {
        return state.router(key(vrid)).map(RouterStatus::masters).orElse(List.of());
    }

    private static DaemonObservation daemon(String node) {
        return state.daemons(node).stream().filter(d -> d.name().equals("keepalived")).findFirst()
                .orElseThrow(() -> new AssertionError(node + " reports no keepalived"));
    }

    private static void awaitOrFail(Duration timeout, String what, BooleanSupplier condition) {
        if (Lab.await(timeout, Duration.ofMillis(100), condition).isEmpty()) {
            throw new AssertionError("not within " + timeout + ": " + what + "; routers: " + state.routers().stream()
                    .map(r -> r.key().label() + " " + r.verdict() + " " + r.masters()).toList() + "; daemons: "
                    + state.daemons("n1") + state.daemons("n2") + state.daemons("n3"));
        }
    }
}
