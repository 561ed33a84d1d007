package org.keepwatch.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The concrete Host aliases an importer offers: every name ssh accepts on its own, never a pattern. */
class SshConfigHostAliasesTest {

    @TempDir
    Path home;

    private SshEnvironment environment() {
        return new SshEnvironment(home, "operator", "workstation", Optional.empty(), Map.of());
    }

    @Test
    void listsConcreteAliasesInFileOrderAcrossIncludesAndSkipsPatterns() throws Exception {
        Path ssh = Files.createDirectories(home.resolve(".ssh"));
        Files.createDirectories(ssh.resolve("conf.d"));
        Files.writeString(ssh.resolve("conf.d/10-lb.conf"), "Host lb1 lb2\n  HostName 10.0.0.%h\n  User admin\n");
        Files.writeString(ssh.resolve("config"), String.join("\n",
                "Host gw-a gw-b",
                "  HostName 192.0.2.1",
                "  Port 2222",
                "Host *.example.net !secret.example.net edge?",
                "  User netops",
                "Host !bastion-old bastion",
                "  HostName bastion.example.net",
                "Include conf.d/*.conf",
                "Match host gw-a",
                "  User matched",
                "Host gw-a",
                "  User again",
                "Host *",
                "  ServerAliveInterval 15",
                ""));
        SshConfig config = SshConfig.load(environment(), home.resolve("no-system-config"));

        assertThat(config.hostAliases()).containsExactly("gw-a", "gw-b", "bastion", "lb1", "lb2");
    }

    @Test
    void anEmptyOrMissingConfigHasNoAliases() throws Exception {
        assertThat(SshConfig.load(environment(), home.resolve("none")).hostAliases()).isEmpty();
    }

    /** Each alias resolves as ssh -G resolves it, so what the import shows is what ssh would connect to. */
    @Test
    void eachAliasResolvesAsOpenSshDoes(@TempDir Path dir) throws IOException, SshException {
        Path config = Files.writeString(dir.resolve("config"), String.join("\n",
                "Host gw-a gw-b",
                "  HostName 192.0.2.1",
                "  Port 2222",
                "Host *.example.net edge?",
                "  User netops",
                "Host db1",
                "  User postgres",
                "Host *",
                "  User fallback",
                ""));
        SshConfig ours = SshConfig.fromFile(config, SshEnvironment.ofCurrentUser());
        assertThat(ours.hostAliases()).containsExactly("gw-a", "gw-b", "db1");
        for (String alias : ours.hostAliases()) {
            Map<String, List<String>> expected = OpenSsh.sshG(config, alias);
            SshTarget target = ours.resolve(alias);
            assertThat(List.of(target.hostName(), Integer.toString(target.port()), target.user())).as(alias)
                    .isEqualTo(List.of(expected.get("hostname").get(0), expected.get("port").get(0),
                            expected.get("user").get(0)));
        }
    }
}
