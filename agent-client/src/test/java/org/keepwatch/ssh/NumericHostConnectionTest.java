package org.keepwatch.ssh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A zero-padded octet is octal to ssh and decimal to Java: HostName 127.0.0.010 is 127.0.0.8 to ssh and
 * 127.0.0.10 to Java. Two real servers listen on both, on the same port; Keepwatch must reach the one ssh reaches.
 */
class NumericHostConnectionTest {

    @TempDir
    Path dir;
    TestSshServer sshsChoice;
    TestSshServer javasChoice;
    TestBed bed;

    @BeforeEach
    void start() throws Exception {
        Path root = Files.createDirectories(dir.resolve("sftp"));
        sshsChoice = TestSshServer.start(TestSshServer.newHostKey(), root, s -> s.setHost("127.0.0.8"))
                .acceptPassword("secret");
        int port = sshsChoice.port();
        javasChoice = TestSshServer.start(TestSshServer.newHostKey(), root, s -> {
            s.setHost("127.0.0.10");
            s.setPort(port);
        }).acceptPassword("secret");
        bed = new TestBed(dir);
    }

    @AfterEach
    void stop() throws Exception {
        sshsChoice.close();
        javasChoice.close();
    }

    private SshConfig config(String hostName) throws Exception {
        return bed.config(List.of(List.of("Host srv", "  HostName " + hostName, "  Port " + sshsChoice.port(),
                "  User alice")));
    }

    @Test
    void anOctalOctetReachesTheMachineSshReachesAndIsCheckedUnderItsName() throws Exception {
        // ssh -G names it 127.0.0.8: that is the known_hosts name, and the key is that server's.
        Files.createDirectories(bed.knownHosts.getParent());
        Files.writeString(bed.knownHosts, KnownHostsFile.hostKeyName("127.0.0.8", sshsChoice.port()) + " "
                + HostKeys.openSshText(sshsChoice.hostPublicKey()) + "\n");
        SshConfig config = config("127.0.0.010");
        assertThat(config.resolve("srv").hostName()).isEqualTo("127.0.0.8");

        try (SshConnection connection = bed.connector.connect(config, "srv",
                new RecordingPrompts().passwords("secret"))) {
            assertThat(connection.isOpen()).isTrue();
        }
        assertThat(sshsChoice.attempts()).isNotEmpty();
        assertThat(javasChoice.keyExchanges()).isZero();
        assertThat(javasChoice.attempts()).isEmpty();
    }

    @Test
    void aNameSshWouldLookUpButJavaWouldReadAsAnAddressIsRefusedWithoutConnecting() throws Exception {
        // 08 is no octal number: to getaddrinfo 127.0.0.08 is a name for DNS, to Java it is 127.0.0.8.
        Files.createDirectories(bed.knownHosts.getParent());
        Files.writeString(bed.knownHosts, KnownHostsFile.hostKeyName("127.0.0.08", sshsChoice.port()) + " "
                + HostKeys.openSshText(sshsChoice.hostPublicKey()) + "\n");
        SshConfig config = config("127.0.0.08");
        assertThatThrownBy(() -> bed.connector.connect(config, "srv", new RecordingPrompts().passwords("secret")))
                .isInstanceOf(SshException.Unsupported.class)
                .hasMessageContaining("127.0.0.08").hasMessageContaining("not an IPv4 address to ssh");
        assertThat(sshsChoice.keyExchanges()).isZero();
        assertThat(javasChoice.keyExchanges()).isZero();
    }
}
