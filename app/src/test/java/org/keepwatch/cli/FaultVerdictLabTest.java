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
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.lab.LabStatus;
import org.keepwatch.lab.VerdictAgreement;
import org.keepwatch.lab.VerdictAgreement.LabFault;
import org.keepwatch.lab.VerdictAgreement.Said;
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
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every fault the lab makes, made on the nodes themselves both before Keepwatch connects (the usual case:
 * the page comes first, the tool second) and while it watches: what Keepwatch says of every router and its
 * exit code agree with the lab's own truth ({@code lab/status}, from keepalived's dumps and the addresses on
 * the interfaces) within 5 s of the fault settling. Never HEALTHY where a faulted node is a member.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class FaultVerdictLabTest {

    /** After the lab's truth settles, how long Keepwatch may take to agree (the bar). */
    private static final Duration AGREE_WITHIN = Duration.ofSeconds(5);
    private static final NodeSupervisor.Settings QUICK_RETRY = new NodeSupervisor.Settings(Duration.ofSeconds(7),
            Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(2), 0.2, Duration.ofSeconds(30));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
    }

    @AfterEach
    void heal() {
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
    }

    @ParameterizedTest
    @EnumSource(LabFault.class)
    void madeBeforeKeepwatchConnects(LabFault fault) throws Exception {
        lab.ok("fail", fault.args());
        LabStatus truth = VerdictAgreement.settled(lab);
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
    @EnumSource(LabFault.class)
    void madeWhileKeepwatchWatches(LabFault fault) throws Exception {
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

            lab.ok("fail", fault.args());
            LabStatus truth = VerdictAgreement.settled(lab);
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

    /** The lab's routers against Keepwatch's, and the exit code: critical (2) when a verdict alarms, else a warning (1). */
    private static List<String> disagreements(LabFault fault, LabStatus truth, List<Said> said, int code) {
        List<String> found = new ArrayList<>(VerdictAgreement.disagreements(fault, truth, said));
        boolean alarming = said.stream().anyMatch(s -> s.verdict().alarming());
        int expected = alarming ? StatusCommand.CRITICAL : StatusCommand.WARNING;
        if (code != expected) {
            found.add("exit code " + code + ", expected " + expected);
        }
        return found;
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

    private static Said said(RouterStatus router) {
        RouterKey key = router.key();
        return new Said(key.label(), router.verdict(), router.members().stream().map(m -> m.node()).toList());
    }
}
