package org.keepwatch.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.ssh.SshPrompts;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What an action command is told when its fleet or node cannot be had: which file, which node, why. */
class FleetConnectionTest {

    private static final Keepwatch KEEPWATCH = Keepwatch.forCurrentUser(SshPrompts.BATCH, Clock.systemUTC());

    @Test
    void aMissingFleetFileIsUnreachableAndNamed(@TempDir Path dir) {
        Path missing = dir.resolve("fleet.json");
        assertThatThrownBy(() -> FleetConnection.open(KEEPWATCH, missing, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(CommandFailure.class, e -> {
                    assertThat(e.exitStatus()).isEqualTo(ActionExit.UNREACHABLE);
                    assertThat(e.getMessage()).contains("no fleet file " + missing, "--fleet");
                });
    }

    @Test
    void aNodeTheFleetDoesNotListIsNamedWithThoseItDoes(@TempDir Path dir) throws IOException {
        try (FleetConnection fleet = FleetConnection.open(KEEPWATCH, fleetOf(dir, closedPort()), Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> fleet.awaitOnline(List.of("n9")))
                    .isInstanceOf(UsageException.class).hasMessageContaining("no node n9").hasMessageContaining("its nodes: n1");
        }
    }

    @Test
    void aNodeThatDoesNotAnswerFailsAfterTheTimeoutSayingWhy(@TempDir Path dir) throws IOException {
        try (FleetConnection fleet = FleetConnection.open(KEEPWATCH, fleetOf(dir, closedPort()), Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> fleet.awaitOnline(List.of("n1")))
                    .isInstanceOfSatisfying(CommandFailure.class, e -> {
                        assertThat(e.exitStatus()).isEqualTo(ActionExit.UNREACHABLE);
                        assertThat(e.getMessage()).startsWith("n1 is not online after 1 s (");
                    });
            assertThat(fleet.session("n1")).isEmpty();
        }
    }

    private static Path fleetOf(Path dir, int port) throws IOException {
        return Files.writeString(dir.resolve("fleet.json"), """
                {"name": "test", "nodes": [{"name": "n1", "host": "127.0.0.1", "port": %d, "user": "root",
                  "knownHostsFile": "%s"}]}
                """.formatted(port, dir.resolve("known_hosts")));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
