package org.keepwatch.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.lab.LabExtension;
import org.keepwatch.ssh.SshPrompts;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Neutron L3 HA routers whose two network nodes run different keepalived releases, as during a rolling upgrade of
 * an OpenStack cloud: net1 on bullseye's keepalived 2.1.5, net2 on trixie's 2.3.3 (`lab/up neutron
 * --neutron-releases`). Keepwatch sees every router's pair, each node's version, and a failover of every router from
 * one release to the other and back. The lab's default Neutron topology is brought back at the end.
 */
@Tag("lab")
@ExtendWith(LabExtension.class)
class NeutronReleasesLabTest {

    private static final List<String> NODES = List.of("net1", "net2");
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static Lab lab;

    @BeforeAll
    static void up(Lab theLab) {
        lab = theLab;
        lab.ok("up", "neutron", "--neutron-releases", "bullseye,trixie", "--replace");
        lab.ok("heal");
        lab.awaitHealthy(SETTLE);
    }

    @AfterAll
    static void back() {
        lab.run("heal");
        lab.ok("up", "neutron", "--replace");
        lab.awaitHealthy(SETTLE);
    }

    @Test
    void aRouterPairOnTwoReleasesIsSeenAndFailsOverBothWays() {
        try (FleetConnection fleet = FleetConnection.open(Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC()),
                lab.fleetFile(), Duration.ofSeconds(30))) {
            fleet.awaitOnline(NODES);
            assertThat(fleet.state().nodes()).filteredOn(n -> NODES.contains(n.node()))
                    .extracting(NodeStatus::node, n -> n.keepalivedVersion().orElse(""))
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("net1", "2.1.5"),
                            org.assertj.core.groups.Tuple.tuple("net2", "2.3.3"));
            List<RouterStatus> routers = awaitNeutron(fleet, r -> r.verdict() == Verdict.HEALTHY && r.masters().size() == 1
                    && r.members().size() == 2);
            assertThat(routers).isNotEmpty();

            // every router's master stopped on net1 (2.1.5): net2 (2.3.3) takes each over, and back
            lab.ok("fail", "stop", "net1");
            try {
                awaitNeutron(fleet, r -> r.masters().equals(List.of("net2")));
            } finally {
                lab.ok("fail", "stop", "net1", "--undo");
            }
            awaitNeutron(fleet, r -> r.verdict() == Verdict.HEALTHY && r.members().size() == 2);
            lab.ok("fail", "stop", "net2");
            try {
                awaitNeutron(fleet, r -> r.masters().equals(List.of("net1")));
            } finally {
                lab.ok("fail", "stop", "net2", "--undo");
            }
            awaitNeutron(fleet, r -> r.verdict() == Verdict.HEALTHY && r.members().size() == 2);
        }
    }

    /**
     * keepalived 2.3 checks, under a lock, pid files that all daemons of a node share unless told otherwise
     * (/run/bfd.pid: Neutron's command line names none for BFD), and one that sees another's lock exits with "daemon is
     * already running". Neutron's process monitor respawns it; the lab does too, or lab/up fails on a busy machine. The
     * attack: the lock held while net2's five daemons start.
     */
    @Test
    void aDaemonRefusedForAnotherDaemonsPidFileLockIsStartedAgain() throws Exception {
        long refusalsBefore = refusalsOnNet2();
        lab.ok("fail", "stop", "net2");
        Process holder = new ProcessBuilder(lab.script("exec").toString(), "net2", "python3", "-c",
                "import fcntl, os, sys, time\n"
                        + "fd = os.open('/run/bfd.pid', os.O_RDWR | os.O_CREAT, 0o644)\n"
                        + "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                        + "print('locked', flush=True)\n"
                        + "time.sleep(1.5)\n"
                        + "os.unlink('/run/bfd.pid')\n").redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes("locked".length()))).isEqualTo("locked");
            lab.ok("fail", "stop", "net2", "--undo");
        } finally {
            holder.destroy();
            lab.run("heal");
        }
        assertThat(refusalsOnNet2()).as("keepalived's refusals while the lock was held").isGreaterThan(refusalsBefore);
        lab.awaitHealthy(SETTLE);
    }

    private static long refusalsOnNet2() throws IOException {
        long count = 0;
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(Lab.LAB_DIR.resolve("nodes/net2/logs"), "keepalived-*.log")) {
            for (Path log : logs) {
                count += Files.readAllLines(log).stream().filter(l -> l.endsWith("daemon is already running")).count();
            }
        }
        return count;
    }

    /** The Neutron group's routers once every one of them meets the condition (fails after SETTLE, saying where they are). */
    private static List<RouterStatus> awaitNeutron(FleetConnection fleet, Predicate<RouterStatus> condition) {
        List<RouterStatus>[] last = new List[]{List.of()};
        Lab.await(SETTLE, Duration.ofMillis(250), () -> {
            fleet.state().tick();
            last[0] = fleet.state().routers().stream().filter(r -> r.key().kind() == org.keepwatch.fleet.RouterKey.Kind.NEUTRON).toList();
            return !last[0].isEmpty() && last[0].stream().allMatch(condition);
        }).orElseThrow(() -> new AssertionError("the Neutron routers never got there: " + last[0].stream()
                .map(r -> r.name() + " " + r.verdict() + " " + r.masters()).toList()));
        return last[0];
    }
}
