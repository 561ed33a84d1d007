package org.keepwatch.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A fake home with its own ssh config and known_hosts, for connecting to {@link TestSshServer}s. */
final class TestBed {

    final Path home;
    final Path knownHosts;
    final SshConnector connector = new SshConnector(new SshConnector.Settings(Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(10)));
    private Optional<Path> agentSocket = Optional.empty();

    TestBed(Path dir) throws IOException {
        this.home = Files.createDirectories(dir.resolve("home"));
        this.knownHosts = home.resolve(".ssh/known_hosts");
    }

    TestBed withAgent(Path socket) {
        agentSocket = Optional.of(socket);
        return this;
    }

    SshEnvironment environment() {
        return new SshEnvironment(home, "tester", "workstation", agentSocket, Map.of());
    }

    /** A Host block for a test server: 127.0.0.1, its port, user alice, our known_hosts only. */
    static List<String> hostBlock(String alias, TestSshServer server, String... options) {
        List<String> lines = new ArrayList<>(List.of("Host " + alias, "  HostName 127.0.0.1",
                "  Port " + server.port(), "  User alice"));
        for (String option : options) {
            lines.add("  " + option);
        }
        return lines;
    }

    /** Writes ~/.ssh/config with these blocks and shared defaults, and loads it. */
    SshConfig config(List<List<String>> blocks) throws IOException {
        List<String> lines = new ArrayList<>();
        blocks.forEach(lines::addAll);
        lines.addAll(List.of("Host *", "  UserKnownHostsFile " + knownHosts, "  GlobalKnownHostsFile /dev/null",
                "  StrictHostKeyChecking yes"));
        Path file = home.resolve(".ssh/config");
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return SshConfig.fromFile(file, environment());
    }

    SshConfig config(TestSshServer server, String... options) throws IOException {
        return config(List.of(hostBlock("srv", server, options)));
    }

    void trust(TestSshServer... servers) throws IOException {
        Files.createDirectories(knownHosts.getParent());
        for (TestSshServer server : servers) {
            Files.writeString(knownHosts, server.knownHostsLine() + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }
}
