package org.keepwatch.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.ssh.IdentityFile;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** A fleet node's route: the fleet file's key and known_hosts hold along the route the fleet file sets up. */
class NodeRoutesTest {

    @TempDir
    Path home;

    private SshConfig config(String... lines) throws Exception {
        Path file = home.resolve(".ssh/config");
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
        return SshConfig.fromFile(file, new SshEnvironment(home, "op", "desk", Optional.empty(), Map.of()));
    }

    private static ConnectionSettings settings(Optional<String> jumpHost) {
        return new ConnectionSettings(Optional.of("10.77.0.13"), Optional.of(2222), Optional.of("root"),
                Optional.of("/lab/id_ed25519"), Optional.of("/lab/known_hosts-logins"), Optional.empty(), jumpHost);
    }

    @Test
    void theFleetsJumpHostIsCheckedAgainstTheFleetsKnownHostsAndOfferedItsKey() throws Exception {
        List<SshTarget> route = NodeRoutes.resolve(config(), settings(Optional.of("kwjump@10.77.0.5")), "n3-behind");
        assertThat(route).extracting(SshTarget::displayName).containsExactly("kwjump@10.77.0.5", "root@10.77.0.13:2222");
        for (SshTarget hop : route) {
            assertThat(hop.userKnownHostsFiles()).as(hop.displayName()).containsExactly(Path.of("/lab/known_hosts-logins"));
            assertThat(hop.identityFiles()).extracting(IdentityFile::path).first().isEqualTo(Path.of("/lab/id_ed25519"));
        }
    }

    @Test
    void aJumpHostFromSshConfigKeepsItsOwnFiles() throws Exception {
        List<SshTarget> route = NodeRoutes.resolve(config("Host 10.77.0.13", "  ProxyJump gate",
                "Host gate", "  HostName 10.77.0.5", "  UserKnownHostsFile ~/.ssh/gate_known_hosts"),
                settings(Optional.empty()), "n3-behind");
        assertThat(route).hasSize(2);
        assertThat(route.get(0).userKnownHostsFiles()).containsExactly(home.resolve(".ssh/gate_known_hosts"));
        assertThat(route.get(1).userKnownHostsFiles()).containsExactly(Path.of("/lab/known_hosts-logins"));
    }
}
