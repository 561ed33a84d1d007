package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterView;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every fault the lab makes, made on the nodes themselves both before Keepwatch connects (the usual case:
 * the page comes first, the tool second) and while it watches: what Keepwatch says of every router and its
 * exit code agree with the lab's own truth ({@code lab/status}, from keepalived's dumps and the addresses on
 * the interfaces) within 5 s of the fault settling. Never HEALTHY where a faulted node is a member.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class FaultVerdictLabTest {

    /** After the lab's truth settles, how long Keepwatch may take to agree (the bar). */
    private static final Duration AGREE_WITHIN = Duration.ofSeconds(5);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(40);
    private static final NodeSupervisor.Settings QUICK_RETRY = new NodeSupervisor.Settings(Duration.ofSeconds(7),
            Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(2), 0.2, Duration.ofSeconds(30));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;

    /** A fault on node n1 (a member of every basic router, of no Neutron router), or on every node. */
    enum Fault {
        /** A clean shutdown: to the node exactly a keepalived never started (no process, no pid file, its config in place). */
        STOP("stop", "n1"),
        CRASH("crash", "n1"),
        HANG("hang", "n1"),
        CUT("cut", "n1"),
        PARTITION("partition"),
        SSHD_KILLED("sshd", "n1");

        final List<String> args;

        Fault(String... args) {
            this.args = List.of(args);
        }

        boolean touches(String node) {
            return args.size() == 1 || args.contains(node);
        }
    }

    /** Keepwatch's word on one router: its verdict and members. */
    private record Said(String router, Verdict verdict, List<String> members) {
    }

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @AfterEach
    void heal() {
        lab.ok("heal");
        lab.awaitHealthy(SETTLE_LIMIT);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void madeBeforeKeepwatchConnects(Fault fault) throws Exception {
        lab.ok("fail", fault.args.toArray(String[]::new));
        LabStatus truth = settled();
        // The status command as cron would run it: a fresh connect, then the answer and the exit code.
        long deadline = System.nanoTime() + AGREE_WITHIN.plusSeconds(20).toNanos();   // connect + snapshot + hold-down
        List<String> disagreements = List.of();
        int code = -1;
        while (System.nanoTime() < deadline) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            code = Main.run(new String[]{"status", "--json", "--fleet", lab.fleetFile().toString(), "--timeout", "15"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                            StandardCharsets.UTF_8));
            List<Said> said = fromJson(JSON.readTree(out.toString(StandardCharsets.UTF_8)));
            disagreements = disagreements(fault, truth, said, code);
            if (disagreements.isEmpty()) {
                return;
            }
            truth = lab.status();
        }
        fail("keepwatch status (exit " + code + ") disagrees with lab/status after " + fault + ": " + disagreements);
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void madeWhileKeepwatchWatches(Fault fault) throws Exception {
        FleetState state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
        try (FleetMonitor monitor = new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment),
                new SshConnector(), SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(), QUICK_RETRY,
                Clock.systemUTC()))) {
            monitor.watch(FleetFile.read(lab.fleetFile()));
            Lab.await(Duration.ofSeconds(60), Duration.ofMillis(200), () -> state.nodes().stream()
                    .allMatch(n -> n.connection() == ConnectionState.ONLINE) && state.routers().size() == 8
                    && state.routers().stream().allMatch(r -> r.verdict() == Verdict.HEALTHY))
                    .orElseThrow(() -> new AssertionError("the lab never looked healthy: " + fromState(state)));

            lab.ok("fail", fault.args.toArray(String[]::new));
            LabStatus truth = settled();
            long deadline = System.nanoTime() + AGREE_WITHIN.toNanos();
            List<String> disagreements;
            do {
                Thread.sleep(100);
                state.tick();
                disagreements = disagreements(fault, truth, fromState(state), StatusCommand.exitStatus(state));
            } while (!disagreements.isEmpty() && System.nanoTime() < deadline);
            assertThat(disagreements).as("Keepwatch watching while " + fault + " happened, 5 s after it settled")
                    .isEmpty();
        }
    }

    /** What the lab says once two readings a second apart agree (a failover takes ~3 s, Neutron's ~7 s). */
    private static LabStatus settled() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        LabStatus previous = lab.status();
        int same = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            LabStatus now = lab.status();
            same = summary(now).equals(summary(previous)) ? same + 1 : 0;
            previous = now;
            if (same >= 3) {
                return now;
            }
        }
        return previous;
    }

    private static Map<String, String> summary(LabStatus status) {
        Map<String, String> summary = new LinkedHashMap<>();
        status.routers().forEach(r -> summary.put(r.router(), r.verdict() + " " + r.masters() + " " + r.vipHolders()));
        return summary;
    }

    /**
     * Where Keepwatch and the lab disagree: the lab's SPLIT_BRAIN must be Keepwatch's; its NO_MASTER one of
     * NO_MASTER, ORPHAN_VIP; a router with one master and every VIP on one node must be neither of those, and
     * not HEALTHY when a faulted node is among its members or VIP holders (or unreachable); the exit code
     * critical (2) when a verdict alarms, else a warning (1) since a fault is there.
     */
    private static List<String> disagreements(Fault fault, LabStatus truth, List<Said> said, int code) {
        List<String> found = new ArrayList<>();
        for (LabStatus.Router router : truth.routers()) {
            Optional<Said> ours = said.stream().filter(s -> s.router().equals(labelOf(router))).findFirst();
            if (ours.isEmpty()) {
                found.add(router.router() + ": not shown");
                continue;
            }
            Verdict verdict = ours.get().verdict();
            // A member as either side knows it: the lab leaves out a member it cannot dump (hung, dead), Keepwatch
            // one on a node it could not read (cut, sshd killed).
            boolean faulted = ours.get().members().stream().anyMatch(fault::touches)
                    || router.members().stream().map(LabStatus.Member::node).anyMatch(fault::touches)
                    || router.vipHolders().values().stream().flatMap(List::stream).anyMatch(fault::touches);
            switch (router.verdict()) {
                case "SPLIT_BRAIN" -> expect(found, router, verdict, Set.of(Verdict.SPLIT_BRAIN));
                case "NO_MASTER" -> expect(found, router, verdict, Set.of(Verdict.NO_MASTER, Verdict.ORPHAN_VIP));
                default -> {
                    if (verdict == Verdict.SPLIT_BRAIN || verdict == Verdict.NO_MASTER) {
                        found.add(router.router() + ": lab " + router.verdict() + " " + router.vipHolders()
                                + ", Keepwatch " + verdict);
                    } else if (faulted && verdict == Verdict.HEALTHY) {
                        found.add(router.router() + ": HEALTHY although " + fault + " hit one of its nodes");
                    } else if (!faulted && verdict != Verdict.HEALTHY) {
                        found.add(router.router() + ": " + verdict + " although " + fault + " hit none of its nodes");
                    }
                }
            }
        }
        boolean alarming = said.stream().anyMatch(s -> s.verdict().alarming());
        int expected = alarming ? StatusCommand.CRITICAL : StatusCommand.WARNING;
        if (code != expected) {
            found.add("exit code " + code + ", expected " + expected);
        }
        return found;
    }

    private static void expect(List<String> found, LabStatus.Router router, Verdict verdict, Set<Verdict> allowed) {
        if (!allowed.contains(verdict)) {
            found.add(router.router() + ": lab " + router.verdict() + " (masters " + router.masters() + ", VIPs "
                    + router.vipHolders() + "), Keepwatch " + verdict);
        }
    }

    /** lab/status names a router "vrid 51" or by its Neutron router id; Keepwatch "VRID 51" or the id. */
    private static String labelOf(LabStatus.Router router) {
        return router.router().startsWith("vrid ") ? "VRID " + router.router().substring(5) : router.router();
    }

    private static List<Said> fromJson(JsonNode root) {
        List<Said> said = new ArrayList<>();
        for (JsonNode router : root.path("routers")) {
            List<String> members = new ArrayList<>();
            router.path("members").forEach(m -> members.add(m.path("node").asText()));
            said.add(new Said(router.path("router").asText(), Verdict.valueOf(router.path("verdict").asText()), members));
        }
        return said;
    }

    private static List<Said> fromState(FleetState state) {
        return state.routers().stream().map(FaultVerdictLabTest::said).toList();
    }

    private static Said said(RouterView router) {
        RouterKey key = router.key();
        return new Said(key.label(), router.verdict(), router.members().stream().map(m -> m.node()).toList());
    }
}
