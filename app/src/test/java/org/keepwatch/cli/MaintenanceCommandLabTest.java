package org.keepwatch.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.agent.MaintenanceOps;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.maintenance.MaintenanceService;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshPrompts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * keepwatch drain / undrain / failover against the lab: refused where the weight is not set up (with the fallback)
 * and for Neutron's routers, nothing done unasked, then (the weight set up through the push) drained with --yes and
 * seen done, and undrained. Every configuration is pushed back as it was and every weight undrained.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class MaintenanceCommandLabTest {

    private static final List<String> BASIC = List.of("n1", "n2", "n3");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static Lab lab;
    private static Keepwatch keepwatch;
    private static FleetConnection fleet;
    private static NodeConfigService configs;
    private static PushService pushes;
    private static MaintenanceService service;
    private static final Map<String, String> originals = new LinkedHashMap<>();

    @BeforeAll
    static void connect(Lab theLab) throws Exception {
        lab = theLab;
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
        keepwatch = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC());
        fleet = FleetConnection.open(keepwatch, lab.fleetFile(), TIMEOUT);
        fleet.awaitOnline(BASIC);
        fleet.settle();
        configs = new NodeConfigService(fleet.agents(), fleet.io());
        pushes = new PushService(fleet.agents(), fleet::state, fleet.io());
        service = new MaintenanceService(fleet.agents(), fleet::state, configs, pushes, fleet.io());
        for (String node : BASIC) {
            ConfigDraft draft = configs.open(target(node)).get(30, TimeUnit.SECONDS);
            originals.put(node, draft.text(draft.mainPath()));
        }
    }

    @AfterAll
    static void putBack() throws Exception {
        try {
            for (String node : BASIC) {
                new MaintenanceOps(fleet.session(node).orElseThrow()).set("keepalived", false, "lab test: put back")
                        .get(20, TimeUnit.SECONDS);
            }
            for (Map.Entry<String, String> original : originals.entrySet()) {
                ConfigDraft draft = configs.open(target(original.getKey())).get(30, TimeUnit.SECONDS);
                ConfigDraft back = draft.withText(draft.mainPath(), original.getValue());
                if (back.changed()) {
                    assertThat(pushes.pushNode(target(original.getKey()), back, "lab test: configuration put back", s -> { })
                            .get(90, TimeUnit.SECONDS)).isInstanceOf(PushOutcome.Applied.class);
                }
            }
        } finally {
            fleet.close();
            lab.run("heal");
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(MaintenanceCommand.Verb verb, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        MaintenanceCommand command = new MaintenanceCommand(verb, arguments -> FleetConnection.open(keepwatch,
                lab.fleetFile(), TIMEOUT), Confirmation.nobody());
        int exit = command.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void refusedWithoutTheWeightThenDrainedAndUndrainedWithIt() throws Exception {
        Run refused = run(MaintenanceCommand.Verb.DRAIN, "n1");
        assertThat(refused.exit()).isEqualTo(ActionExit.REFUSED);
        assertThat(refused.out()).contains("VI_1 (VRID 51): n1 (150) → n2 (100)")
                .contains("REFUSED: n1: the maintenance weight is not set up")
                .contains("fallback: without the maintenance weight, a node can be drained by stopping its keepalived");

        Run stopped = run(MaintenanceCommand.Verb.DRAIN, "n1", "--yes", "--fallback", "stop", "--reason", "lab test: no weight");
        assertThat(stopped.exit()).as(stopped.toString()).isEqualTo(ActionExit.DONE);
        assertThat(stopped.out()).contains("drain n1 by stopping its keepalived: keepalived stopped")
                .contains("VI_1: master moved n1 → n2");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n2");
        Run started = run(MaintenanceCommand.Verb.UNDRAIN, "n1", "--yes");
        assertThat(started.exit()).as(started.toString()).isEqualTo(ActionExit.DONE);
        assertThat(started.out()).contains("undrain n1: start its keepalived again: keepalived started again")
                .contains("VI_1: master moved n2 → n1");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n1");
        assertThatThrownBy(() -> run(MaintenanceCommand.Verb.DRAIN, "n1", "--fallback", "reload"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--fallback takes \"stop\"");
        lab.awaitHealthy(Duration.ofSeconds(40));

        Run setUp = run(MaintenanceCommand.Verb.SETUP, "n1", "--yes");
        assertThat(setUp.exit()).as(setUp.toString()).isEqualTo(ActionExit.DONE);
        assertThat(setUp.out()).contains("drain-setup n1: adds a track_file on /var/lib/keepwatch/maintenance/keepalived.weight"
                + " with weight -1 to keepalived's configuration, tracked by:").contains("  reload: ok", "drain-setup n1: done");
        for (String node : BASIC.subList(1, 3)) {
            assertThat(service.setUp(node, "keepalived", "lab test: maintenance weight", s -> { }).get(90, TimeUnit.SECONDS))
                    .hasValueSatisfying(o -> assertThat(o).isInstanceOf(PushOutcome.Applied.class));
        }
        awaitWired();
        assertThat(run(MaintenanceCommand.Verb.SETUP, "n1", "--yes").out()).contains("n1 keepalived: set up already");
        lab.awaitHealthy(Duration.ofSeconds(40));

        Run unasked = run(MaintenanceCommand.Verb.DRAIN, "n1");
        assertThat(unasked.exit()).as(unasked.toString()).isEqualTo(ActionExit.REFUSED);
        assertThat(unasked.err()).contains("nothing done: there is no terminal to ask on");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n1");

        Run drained = run(MaintenanceCommand.Verb.DRAIN, "n1", "--yes", "--reason", "lab test: kernel update");
        assertThat(drained.exit()).as(drained.toString()).isEqualTo(ActionExit.DONE);
        assertThat(drained.out()).contains("drain n1: 253 written to /var/lib/keepwatch/maintenance/keepalived.weight")
                .contains("VI_1: master moved n1 → n2").contains("drain n1: done, every router where the plan said");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n2");

        Run json = run(MaintenanceCommand.Verb.UNDRAIN, "n1", "--yes", "--json");
        assertThat(json.exit()).as(json.toString()).isEqualTo(ActionExit.DONE);
        assertThat(json.out()).contains("\"action\" : \"undrain\"").contains("\"result\" : \"done\"")
                .contains("\"master_after\" : \"n1\"");
        assertThat(lab.holders(BASIC, "10.77.0.101")).containsExactly("n1");
    }

    @Test
    void neutronRoutersAreRefused() {
        Run refused = run(MaintenanceCommand.Verb.DRAIN, "net1", "--yes");
        assertThat(refused.exit()).isEqualTo(ActionExit.REFUSED);
        assertThat(refused.out()).contains("belongs to the Neutron l3 agent");
        // several daemons and none named: a question naming them, not a guess at one called "keepalived"
        assertThatThrownBy(() -> run(MaintenanceCommand.Verb.SETUP, "net1", "--yes"))
                .isInstanceOf(UsageException.class).hasMessageMatching("net1 runs \\d+ keepalived daemons; name one: "
                        + "[0-9a-f-]{36}(, [0-9a-f-]{36})+");
        assertThatThrownBy(() -> run(MaintenanceCommand.Verb.FAILOVER, "VI_9", "--to", "n2"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("no router VI_9 in the fleet (routers: ");
    }

    private static void awaitWired() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && !BASIC.stream().allMatch(n -> fleet.state().daemons(n).stream()
                .anyMatch(d -> d.maintenance().map(MaintenanceWeight::wiredFully).orElse(false)))) {
            FleetConnection.sleep(Duration.ofMillis(100));
        }
    }

    private static EditTarget target(String node) {
        return new EditTarget(node, "keepalived", Optional.empty());
    }
}
