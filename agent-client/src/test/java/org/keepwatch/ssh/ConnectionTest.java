package org.keepwatch.ssh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Exec channels, SFTP, jump hosts, keepalive and lost connections against real SSH servers. */
class ConnectionTest {

    @TempDir
    Path dir;
    Path sftpRoot;
    TestSshServer server;
    TestBed bed;

    @BeforeEach
    void start() throws Exception {
        sftpRoot = Files.createDirectories(dir.resolve("sftp"));
        server = TestSshServer.start(sftpRoot).acceptPassword("secret");
        bed = new TestBed(dir);
        bed.trust(server);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private SshConnection connect(SshConfig config, String alias) throws SshException {
        return bed.connector.connect(config, alias, new RecordingPrompts().passwords("secret", "secret", "secret"));
    }

    @Test
    void execChannelRoundTripWithSeparateStreamsAndExitStatus() throws Exception {
        try (SshConnection connection = connect(bed.config(server), "srv");
             RemoteProcess process = connection.exec("python3 /tmp/agent.py serve")) {
            OutputStream stdin = process.stdin();
            stdin.write("hello\nagent\n".getBytes(StandardCharsets.UTF_8));
            stdin.close();
            String out = new String(process.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.stderr().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).isEqualTo("running python3 /tmp/agent.py serve\nHELLO\nAGENT\n");
            assertThat(err).isEqualTo("done\n");
            assertThat(process.waitFor(Duration.ofSeconds(5))).contains(7);
        }
    }

    @Test
    void sftpCreatesDirectoriesUploadsAtomicallyAndReadsBackHashSizeAndMode() throws Exception {
        byte[] content = "#!/usr/bin/env python3\nprint('agent')\n".repeat(2000).getBytes(StandardCharsets.UTF_8);
        String expectedHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        try (SshConnection connection = connect(bed.config(server), "srv");
             RemoteFiles files = connection.sftp()) {
            files.mkdirs(".cache/keepwatch");
            files.mkdirs(".cache/keepwatch");
            assertThat(files.stat(".cache/keepwatch/agent.py")).isEmpty();

            String sent = files.upload(new ByteArrayInputStream(content), ".cache/keepwatch/agent.py", 0700);
            assertThat(sent).isEqualTo(expectedHash);
            assertThat(files.sha256(".cache/keepwatch/agent.py")).isEqualTo(expectedHash);
            RemoteFiles.FileInfo info = files.stat(".cache/keepwatch/agent.py").orElseThrow();
            assertThat(info.size()).isEqualTo(content.length);
            assertThat(info.permissions()).isEqualTo(0700);

            // A second upload replaces the file, and leaves no temporary file behind.
            files.upload(new ByteArrayInputStream("v2\n".getBytes(StandardCharsets.UTF_8)), ".cache/keepwatch/agent.py", 0600);
            files.chmod(".cache/keepwatch/agent.py", 0644);
            assertThat(files.stat(".cache/keepwatch/agent.py").orElseThrow().permissions()).isEqualTo(0644);
        }
        Path local = sftpRoot.resolve(".cache/keepwatch/agent.py");
        assertThat(Files.readString(local)).isEqualTo("v2\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local))).isEqualTo("rw-r--r--");
        try (var listing = Files.list(local.getParent())) {
            assertThat(listing).containsExactly(local);
        }
    }

    @Test
    void manySessionsCreatingTheSameDirectoriesAtOnceAllSucceed() throws Exception {
        // As when every session to a node deploys a new agent version at the same moment.
        int sessions = 8;
        java.util.List<SshConnection> connections = new java.util.ArrayList<>();
        java.util.List<RemoteFiles> channels = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(sessions);
        try {
            for (int i = 0; i < sessions; i++) {
                connections.add(connect(bed.config(server), "srv"));
                channels.add(connections.get(i).sftp());
            }
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (RemoteFiles files : channels) {
                done.add(pool.submit(() -> {
                    go.await();
                    files.mkdirs("race/a/b/c");
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            for (RemoteFiles files : channels) {
                files.close();
            }
            for (SshConnection connection : connections) {
                connection.close();
            }
        }
        assertThat(sftpRoot.resolve("race/a/b/c")).isDirectory();
    }

    @Test
    void aTwoHopJumpChainReachesTheTargetThroughTheFirstServer() throws Exception {
        try (TestSshServer jump = TestSshServer.start(TestSshServer.newHostKey(),
                Files.createDirectories(dir.resolve("jump-sftp")), true, null).acceptPassword("secret")) {
            bed.trust(jump);
            SshConfig config = bed.config(List.of(
                    TestBed.hostBlock("jump", jump),
                    TestBed.hostBlock("target", server, "ProxyJump jump")));
            try (SshConnection connection = connect(config, "target");
                 RemoteProcess process = connection.exec("through the jump")) {
                assertThat(connection.route()).extracting(SshTarget::alias).containsExactly("jump", "target");
                process.stdin().close();
                assertThat(new String(process.stdout().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("running through the jump\n");
            }
            assertThat(jump.attempts()).extracting(TestSshServer.Attempt::method).contains("password");
            assertThat(server.attempts()).extracting(TestSshServer.Attempt::method).contains("password");
        }
    }

    @Test
    void aPasswordIsAskedForTheLoginWithItsPortAndTheJumpHostsInFrontOfIt() throws Exception {
        // What a remembered password is kept under: the same host name on another port or through another jump
        // host may be another machine.
        try (TestSshServer jump = TestSshServer.start(TestSshServer.newHostKey(),
                Files.createDirectories(dir.resolve("jump-sftp")), true, null).acceptPassword("secret")) {
            bed.trust(jump);
            SshConfig config = bed.config(List.of(
                    TestBed.hostBlock("jump", jump),
                    TestBed.hostBlock("target", server, "ProxyJump jump")));
            RecordingPrompts prompts = new RecordingPrompts().passwords("secret", "secret");
            bed.connector.connect(config, "target", prompts).close();
            String user = config.route("target").get(1).user();
            String jumpUser = config.route("target").get(0).user();
            assertThat(prompts.logins).containsExactly(
                    new LoginTarget(jumpUser, "127.0.0.1", jump.port(), List.of()),
                    new LoginTarget(user, "127.0.0.1", server.port(), List.of(jumpUser + "@127.0.0.1:" + jump.port())));
            assertThat(prompts.logins.get(1).description())
                    .isEqualTo(user + "@127.0.0.1:" + server.port() + " via " + jumpUser + "@127.0.0.1:" + jump.port());
        }
    }

    @Test
    void aJumpHostWithAChangedKeyStopsTheChainBeforeAnythingIsSent() throws Exception {
        try (TestSshServer jump = TestSshServer.start(TestSshServer.newHostKey(),
                Files.createDirectories(dir.resolve("jump-sftp")), true, null).acceptPassword("secret")) {
            Files.writeString(bed.knownHosts, "[127.0.0.1]:" + jump.port() + " "
                    + HostKeys.openSshText(TestSshServer.newHostKey().getPublic()) + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            SshConfig config = bed.config(List.of(
                    TestBed.hostBlock("jump", jump),
                    TestBed.hostBlock("target", server, "ProxyJump jump")));
            SshException.JumpHostFailed e = catchThrowableOfType(() -> connect(config, "target"),
                    SshException.JumpHostFailed.class);
            assertThat(e.hop()).isEqualTo(1);
            assertThat(e.hopName()).isEqualTo("jump");
            assertThat(e.getCause()).isInstanceOf(SshException.HostKeyChanged.class);
            assertThat(e.getMessage()).contains("Jump host 1 (jump)", "has changed");
            assertThat(jump.attempts()).isEmpty();
            assertThat(jump.keyExchanges()).isZero();
            assertThat(server.keyExchanges()).isZero();
        }
    }

    @Test
    void aTargetWithAChangedKeyBehindAGoodJumpHostIsRefusedAsTheTargetAndGetsNoCredentials() throws Exception {
        // Both hops are checked, each against known_hosts: the jump host passes, the node behind it does not.
        try (TestSshServer jump = TestSshServer.start(TestSshServer.newHostKey(),
                Files.createDirectories(dir.resolve("jump-sftp")), true, null).acceptPassword("secret");
             TestSshServer node = TestSshServer.start(TestSshServer.newHostKey(),
                     Files.createDirectories(dir.resolve("node-sftp")), true, null).acceptPassword("secret")) {
            bed.trust(jump);
            Files.writeString(bed.knownHosts, "[127.0.0.1]:" + node.port() + " "
                    + HostKeys.openSshText(TestSshServer.newHostKey().getPublic()) + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            SshConfig config = bed.config(List.of(
                    TestBed.hostBlock("bastion", jump),
                    TestBed.hostBlock("n5", node, "ProxyJump bastion")));
            SshException.HostKeyChanged e = catchThrowableOfType(() -> connect(config, "n5"),
                    SshException.HostKeyChanged.class);
            assertThat(e.getMessage()).contains("[127.0.0.1]:" + node.port(), "has changed");
            assertThat(jump.attempts()).as("the bastion was logged in to").isNotEmpty();
            assertThat(node.attempts()).as("nothing was sent to the node").isEmpty();
        }
    }

    @Test
    void aJumpHostThatCannotReachTheTargetSaysSo() throws Exception {
        try (TestSshServer jump = TestSshServer.start(TestSshServer.newHostKey(),
                Files.createDirectories(dir.resolve("jump-sftp")), true, null).acceptPassword("secret")) {
            bed.trust(jump);
            int closedPort = closedPort();
            SshConfig config = bed.config(List.of(
                    TestBed.hostBlock("jump", jump),
                    List.of("Host target", "  HostName 127.0.0.1", "  Port " + closedPort, "  ProxyJump jump")));
            SshException.ForwardingRefused e = catchThrowableOfType(() -> connect(config, "target"),
                    SshException.ForwardingRefused.class);
            assertThat(e.getMessage()).contains("jump could not open a connection to 127.0.0.1 port " + closedPort);
        }
    }

    @Test
    void keepalivesDeclareAServerThatStopsAnsweringDead() throws Exception {
        try (FreezableRelay relay = new FreezableRelay(server.port())) {
            // known_hosts names the relay's port: that is where the client connects.
            Files.writeString(bed.knownHosts, "[127.0.0.1]:" + relay.port() + " "
                    + HostKeys.openSshText(server.hostPublicKey()) + "\n", java.nio.file.StandardOpenOption.APPEND);
            SshConfig config = bed.config(List.of(List.of("Host frozen", "  HostName 127.0.0.1",
                    "  Port " + relay.port(), "  User alice", "  ServerAliveInterval 1", "  ServerAliveCountMax 2")));
            try (SshConnection connection = connect(config, "frozen")) {
                CompletableFuture<Disconnect> ended = connection.disconnected();
                Thread.sleep(2500);
                assertThat(ended).as("keepalives are answered while the server is there").isNotDone();
                long frozenAt = System.nanoTime();
                relay.freeze();
                Disconnect disconnect = ended.get(15, TimeUnit.SECONDS);
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - frozenAt);
                assertThat(disconnect.reason()).isEqualTo(Disconnect.Reason.KEEPALIVE_TIMEOUT);
                assertThat(seconds).isBetween(1L, 6L);
                assertThat(connection.isOpen()).isFalse();
                assertThatThrownBy(() -> connection.exec("anything")).isInstanceOf(SshException.ConnectionLost.class);
            }
        }
    }

    @Test
    void aServerDroppingTheConnectionEndsItWithATypedReason() throws Exception {
        try (SshConnection connection = connect(bed.config(server), "srv")) {
            CompletableFuture<Disconnect> ended = connection.disconnected();
            server.dropSessions();
            Disconnect disconnect = ended.get(10, TimeUnit.SECONDS);
            assertThat(disconnect.reason()).isEqualTo(Disconnect.Reason.CLOSED_BY_SERVER);
            SshException.ConnectionLost e = catchThrowableOfType(() -> connection.exec("x"),
                    SshException.ConnectionLost.class);
            assertThat(e.disconnect().reason()).isEqualTo(Disconnect.Reason.CLOSED_BY_SERVER);
            assertThat(e.getMessage()).contains("closed by the server");
        }
    }

    @Test
    void closingReportsAClientClose() throws Exception {
        SshConnection connection = connect(bed.config(server), "srv");
        CompletableFuture<Disconnect> ended = connection.disconnected();
        connection.close();
        assertThat(ended.get(5, TimeUnit.SECONDS).reason()).isEqualTo(Disconnect.Reason.CLOSED_BY_CLIENT);
    }

    @Test
    void aClosedPortIsConnectionRefused() throws Exception {
        int port = closedPort();
        SshConfig config = bed.config(List.of(List.of("Host closed", "  HostName 127.0.0.1", "  Port " + port)));
        assertThatThrownBy(() -> connect(config, "closed")).isInstanceOf(SshException.ConnectionRefused.class)
                .hasMessage("Connection to 127.0.0.1 port " + port + " refused");
    }

    @Test
    void aServerThatNeverSpeaksTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            SshConfig config = bed.config(List.of(List.of("Host silent", "  HostName 127.0.0.1",
                    "  Port " + silent.getLocalPort(), "  ConnectTimeout 1")));
            long start = System.nanoTime();
            assertThatThrownBy(() -> connect(config, "silent")).isInstanceOf(SshException.ConnectTimeout.class)
                    .hasMessageContaining("timed out after 1 s");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        }
    }

    @Test
    void anUnresolvableNameIsUnknownHost() throws Exception {
        SshConfig config = bed.config(List.of(List.of("Host nowhere", "  HostName no-such-host.invalid")));
        assertThatThrownBy(() -> connect(config, "nowhere")).isInstanceOf(SshException.UnknownHost.class)
                .hasMessageContaining("no-such-host.invalid");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
