package org.keepwatch.lab;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SSH into every lab node with OpenSSH and strict host-key checking against the lab's known_hosts,
 * and what a program on a node can see: only that node's processes, namespaces and files.
 */
@Tag("lab")
@Tag("mixed-fleet")   // CI runs it once, on the mixed fleet (.ci/run)
@ExtendWith(LabExtension.class)
class LabSshTest {

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"n1,10.77.0.11", "n2,10.77.0.12", "n3,10.77.0.13", "net1,10.77.0.21", "net2,10.77.0.22"})
    void sshWorksWithStrictHostKeyChecking(String node, String address, Lab lab) {
        Lab.Result result = ssh(lab, lab.knownHosts(), address, "hostname");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().trim()).isEqualTo(node);
    }

    @Test
    void anUnknownHostKeyIsRefused(Lab lab, @TempDir Path empty) throws IOException {
        Path knownHosts = Files.createFile(empty.resolve("known_hosts"));
        Lab.Result result = ssh(lab, knownHosts, "10.77.0.11", "hostname");
        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.stderr()).contains("Host key verification failed");
    }

    @Test
    void aWrongHostKeyIsRefused(Lab lab, @TempDir Path dir) throws IOException {
        // n2's keys claimed for n1's address: what a man in the middle would present.
        List<String> swapped = new ArrayList<>();
        for (String line : Files.readAllLines(lab.knownHosts())) {
            if (line.startsWith("10.77.0.12 ")) {
                swapped.add(line.replaceFirst("^10\\.77\\.0\\.12 ", "10.77.0.11 "));
            }
        }
        Path knownHosts = Files.write(dir.resolve("known_hosts"), swapped);
        Lab.Result result = ssh(lab, knownHosts, "10.77.0.11", "hostname");
        assertThat(result.exitCode()).isEqualTo(255);
        assertThat(result.stderr()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");
    }

    @Test
    void aNodeSeesOnlyItsOwnKeepalivedAndConfig(Lab lab) {
        Lab.Result ps = ssh(lab, lab.knownHosts(), "10.77.0.11", "ps -eo args");
        assertThat(ps.exitCode()).as(ps.stderr()).isZero();
        // One keepalived main process and its VRRP child: n2's and n3's are in other PID namespaces.
        assertThat(ps.stdout().lines().filter(l -> l.startsWith("keepalived"))).hasSize(2);
        assertThat(ps.stdout()).doesNotContain("ha_confs");

        Lab.Result conf = ssh(lab, lab.knownHosts(), "10.77.0.11", "cat /etc/keepalived/keepalived.conf");
        assertThat(conf.stdout()).contains("router_id n1").doesNotContain("router_id n2");

        Lab.Result netns = ssh(lab, lab.knownHosts(), "10.77.0.21", "ip netns list");
        assertThat(netns.stdout().lines().filter(l -> l.startsWith("qrouter-"))).hasSizeGreaterThanOrEqualTo(5);
        assertThat(netns.stdout()).doesNotContain("kw-");
    }

    private static Lab.Result ssh(Lab lab, Path knownHosts, String address, String command) {
        return Lab.exec(List.of("ssh", "-F", "/dev/null", "-i", lab.clientKey().toString(),
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                "root@" + address, command));
    }
}
