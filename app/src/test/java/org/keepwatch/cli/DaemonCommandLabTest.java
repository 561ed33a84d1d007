package org.keepwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.NoMasterRefusal;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.SshPrompts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * keepwatch daemon and keepwatch logs against the lab through real sshd and the real agent: stop, start, restart
 * and reload of a basic node's keepalived (the lab's daemons are not systemd units: their own way) with the fleet
 * following; the refused stop of a router's last live member and the confirmed one; the Neutron refusal; the log of
 * a failover read and followed. Every daemon stopped is started again, and the lab healed.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class DaemonCommandLabTest {

    private static final Duration FOLLOW = Duration.ofSeconds(30);
    private static Lab lab;
    private static FleetConnection watcher;

    private record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void lab(Lab theLab) {
        lab = theLab;
        watcher = FleetConnection.open(Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC()), lab.fleetFile(),
                Duration.ofSeconds(30));
        watcher.awaitOnline(List.of("n1", "n2", "n3", "net1"));
        watcher.settle();
    }

    @AfterAll
    static void close() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @AfterEach
    void startEverythingAgain() {
        for (String node : List.of("n1", "n2", "n3")) {
            run("daemon", "start", node, "--yes");
        }
        lab.ok("heal");
        lab.awaitHealthy(Duration.ofSeconds(40));
    }

    private static Result run(String... args) {
        return run(new DaemonCommand(Confirmation.nobody(), FleetConnection::open), args);
    }

    private static Result run(Command command, String... args) {
        List<String> all = new ArrayList<>(List.of(args).subList(1, args.length));
        all.addAll(List.of("--fleet", lab.fleetFile().toString(), "--timeout", "30"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        try {
            status = command.run(all, o, e);
        } catch (CommandFailure failure) {
            e.println(failure.getMessage());
            status = failure.exitStatus();
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void awaitFleet(String what, Predicate<FleetState> condition) {
        assertThat(Lab.await(Duration.ofSeconds(30), Duration.ofMillis(200), () -> condition.test(watcher.state())))
                .as(what).isPresent();
    }

    private static boolean daemonIs(FleetState state, String node, DaemonStatus status) {
        return state.daemons(node).stream().map(DaemonObservation::status).anyMatch(s -> s == status);
    }

    private static Optional<RouterStatus> router(FleetState state, String name) {
        return state.routers().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    @Test
    void stopStartRestartAndReloadAndTheFleetFollows() throws Exception {
        Result stop = run("daemon", "stop", "n1", "--yes", "--json", "--reason", "lab test");
        assertThat(stop.status()).as(stop.out() + stop.err()).isZero();
        JsonNode stopped = new ObjectMapper().readTree(stop.out());
        assertThat(stopped.path("result").asText()).isEqualTo("done");
        assertThat(stopped.path("running").asBoolean()).isFalse();
        assertThat(stopped.path("method").asText()).isEqualTo("signal");
        assertThat(stopped.path("left_without_master")).isEmpty();
        assertThat(stopped.path("steps")).anySatisfy(s -> assertThat(s.path("step").asText()).isEqualTo("verify"));
        assertThat(stop.err()).contains("stop keepalived on n1: every router it is a member of keeps another live member");
        awaitFleet("n1's keepalived seen stopped", s -> daemonIs(s, "n1", DaemonStatus.STOPPED));
        awaitFleet("VI_1 moved to n2", s -> router(s, "VI_1").map(r -> r.masters().equals(List.of("n2"))).orElse(false));

        Result start = run("daemon", "start", "n1", "--yes");
        assertThat(start.status()).as(start.out() + start.err()).isZero();
        assertThat(start.out()).containsPattern("n1: keepalived started, running as pid \\d+ \\(VRRP process \\d+\\)");
        awaitFleet("n1's keepalived running", s -> daemonIs(s, "n1", DaemonStatus.RUNNING));
        awaitFleet("VI_1 back on n1 (150)", s -> router(s, "VI_1").map(r -> r.masters().equals(List.of("n1"))).orElse(false));
        assertThat(lab.holds("n1", "10.77.0.101")).isTrue();

        Result again = run("daemon", "start", "n1", "--yes");
        assertThat(again.out()).contains("n1: keepalived was already running; nothing done");

        Result restart = run("daemon", "restart", "n2", "--yes");
        assertThat(restart.status()).as(restart.out() + restart.err()).isZero();
        assertThat(restart.out()).contains("start: ok", "verify: ok").contains("n2: keepalived restarted");
        Result reload = run("daemon", "reload", "n3", "--yes");
        assertThat(reload.status()).as(reload.out() + reload.err()).isZero();
        assertThat(reload.out()).contains("reload: ok", "n3: keepalived reloaded, running as pid");
        lab.awaitHealthy(Duration.ofSeconds(40));
    }

    @Test
    void theLastLiveMembersStopIsRefusedUnlessConfirmedNamingItsRouters() throws Exception {
        assertThat(run("daemon", "stop", "n2", "--yes").status()).isZero();
        assertThat(run("daemon", "stop", "n3", "--yes").status()).isZero();
        awaitFleet("n2 and n3 seen stopped", s -> daemonIs(s, "n2", DaemonStatus.STOPPED) && daemonIs(s, "n3", DaemonStatus.STOPPED));

        Result refused = run(new DaemonCommand(Confirmation.nobody(), FleetConnection::open), "daemon", "stop", "n1");
        assertThat(refused.status()).isEqualTo(ActionExit.REFUSED);
        assertThat(refused.err()).contains("stop keepalived on n1: routers VI_1, VI_2, VI_3 have no other live member "
                + "and will have no master").contains("nothing done");
        DaemonControl control = new DaemonControl(watcher.agents(), watcher::state, watcher.io());
        assertThatThrownBy(() -> control.run("n1", "keepalived", DaemonAction.STOP, Set.of("VI_1"), "lab test", s -> { })
                .get(60, TimeUnit.SECONDS)).cause().isInstanceOf(NoMasterRefusal.class)
                .hasMessageContaining("not confirmed for VI_2, VI_3");
        assertThat(lab.holds("n1", "10.77.0.101")).as("n1 still serves").isTrue();

        Result confirmed = run("daemon", "stop", "n1", "--yes", "--json");
        assertThat(confirmed.status()).as(confirmed.out() + confirmed.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(confirmed.out());
        assertThat(root.path("left_without_master")).extracting(JsonNode::asText).containsExactly("VI_1", "VI_2", "VI_3");
        awaitFleet("no master for VI_1", s -> router(s, "VI_1").map(r -> r.masters().isEmpty()).orElse(false));
        assertThat(lab.holds("n1", "10.77.0.101")).isFalse();
    }

    @Test
    void aNeutronRoutersKeepalivedIsRefusedWithWhy() {
        String router = watcher.state().daemons("net1").get(0).name();
        Result refused = run("daemon", "stop", "net1", router, "--yes");
        assertThat(refused.status()).as(refused.out() + refused.err()).isEqualTo(ActionExit.REFUSED);
        assertThat(refused.err()).contains("Neutron HA router's: the neutron l3 agent starts, stops and reloads it");
        Result unnamed = run("daemon", "reload", "net1", "--yes");
        assertThat(unnamed.status()).isEqualTo(ActionExit.REFUSED);
        assertThat(unnamed.err()).contains("net1 runs 5 keepalived daemons");
    }

    @Test
    void theLogShowsTheFailoverItCausedReadAndFollowed() throws Exception {
        List<Result> followed = new ArrayList<>();
        Thread follower = new Thread(() -> followed.add(run(new LogsCommand(FleetConnection::open, Optional.of(FOLLOW)),
                "logs", "n2", "--follow", "--instance", "VI_1", "--lines", "1", "--json")));
        follower.start();
        Thread.sleep(8000);     // connected and following
        lab.ok("fail", "stop", "n1");
        follower.join(FOLLOW.plusSeconds(40).toMillis());
        assertThat(followed).hasSize(1);
        Result follow = followed.get(0);
        assertThat(follow.status()).as(follow.err()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : follow.out().split("\n")) {
            if (!line.isBlank()) {
                lines.add(new ObjectMapper().readTree(line));
            }
        }
        assertThat(lines).allSatisfy(l -> assertThat(l.path("instance").asText()).isEqualTo("VI_1"));
        assertThat(lines).anySatisfy(l -> {
            assertThat(l.path("text").asText()).isEqualTo("(VI_1) Entering MASTER STATE");
            assertThat(l.path("level").asText()).isEqualTo("notice");
            assertThat(l.path("node").asText()).isEqualTo("n2");
        });

        Result read = run(new LogsCommand(FleetConnection::open, Optional.empty()), "logs", "n2", "--since", "2m",
                "--grep", "master state", "--instance", "VI_1");
        assertThat(read.status()).as(read.err()).isZero();
        assertThat(read.err()).contains("# n2: keepalived, /var/lib/kw-lab/nodes/n2/logs/keepalived.log");
        assertThat(read.out()).containsPattern("notice\\s+VI_1\\s+\\(VI_1\\) Entering MASTER STATE");
        Result n1 = run(new LogsCommand(FleetConnection::open, Optional.empty()), "logs", "n1", "--lines", "20");
        assertThat(n1.out()).as("a stopped daemon's log, from how it was started").contains("Stopped Keepalived");

        // the agent asks n2's keepalived for a dump every 30 s (and at each change): those lines only when asked for
        Result plain = run(new LogsCommand(FleetConnection::open, Optional.empty()), "logs", "n2", "--lines", "500");
        Result all = run(new LogsCommand(FleetConnection::open, Optional.empty()), "logs", "n2", "--lines", "500",
                "--dump-requests");
        assertThat(all.out()).contains("Printing VRRP as json for process(");
        assertThat(plain.out()).doesNotContain("Printing VRRP as json for process(").contains("Entering MASTER STATE");
    }
}
