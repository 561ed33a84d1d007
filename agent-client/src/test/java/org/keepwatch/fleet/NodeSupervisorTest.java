package org.keepwatch.fleet;

import org.keepwatch.testing.RequiredCommands;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.HostileAgent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervisor against a real SSH server (MINA) running the real agent: connect, deploy by hash,
 * a dropped server, a silent agent, a refused login, a wrong host key.
 */
class NodeSupervisorTest {

    private static final NodeSupervisor.Settings FAST = new NodeSupervisor.Settings(Duration.ofMillis(1200),
            Duration.ofMillis(3000), Duration.ofMillis(200), Duration.ofSeconds(2), 0.2, Duration.ofSeconds(20),
            Duration.ofSeconds(60));
    // The agent's own heartbeat comes every 2 s by default; this test wants it faster.
    private static final AgentSession.Options OPTIONS = new AgentSession.Options(false, false,
            Duration.ofSeconds(20), Duration.ofSeconds(10));

    @TempDir
    Path dir;
    private final KeyPair hostKey = AgentSshServer.newKey();
    private final KeyPair userKey = AgentSshServer.newKey();
    private AgentSshServer server;
    private final FleetState fleet = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private NodeSupervisor supervisor;

    @BeforeEach
    void startServer() throws Exception {
        server = AgentSshServer.start(hostKey, Files.createDirectories(dir.resolve("homes")), 0, List.of(userKey.getPublic()));
        AgentSshServer.writePrivateKey(userKey, dir.resolve("id_ecdsa"));
        Files.writeString(dir.resolve("known_hosts"), server.knownHostsLine() + "\n");
        fleet.addNode("node", "test");
    }

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.close();
        }
        scheduler.shutdownNow();
        server.close();
    }

    @Test
    void connectsDeploysByHashAndComesOnline() throws Exception {
        RequiredCommands.require("keepalived", "keepalived");   // the node reports its version
        // What earlier versions left: old ones go with the deploy, a recent one (a colleague's) and other files stay.
        Path cacheDir = Files.createDirectories(server.home(System.getProperty("user.name")).resolve(".cache/keepwatch"));
        java.nio.file.attribute.FileTime monthsAgo = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(45)));
        List<String> old = List.of("agent-0123456789abcdef.py", "agent-0123456789abcdef.cpython-311.kwc",
                "agent-0123456789abcdef.py.tmp-5f3a", "agent-0123456789abcdef.cpython-39.kwc.4711.tmp");
        List<String> kept = List.of("agent-fedcba9876543210.py", "notes.txt", "agent-0123456789abcdef.py.orig");
        for (String name : old) {
            Files.setLastModifiedTime(Files.writeString(cacheDir.resolve(name), "old"), monthsAgo);
        }
        Files.writeString(cacheDir.resolve(kept.get(0)), "recent");
        for (String name : kept.subList(1, kept.size())) {
            Files.setLastModifiedTime(Files.writeString(cacheDir.resolve(name), "not ours"), monthsAgo);
        }
        supervisor = supervisor(AgentScript.bundled());
        supervisor.start();
        awaitState(ConnectionState.ONLINE);
        NodeStatus status = fleet.nodes().get(0);
        assertThat(status.keepalivedVersion()).hasValueSatisfying(v -> assertThat(v).startsWith("2."));
        assertThat(status.agentVersion()).isPresent();
        Path deployed = server.home(System.getProperty("user.name")).resolve(AgentScript.bundled().remotePath());
        assertThat(deployed).exists().hasBinaryContent(AgentScript.bundled().content());
        long writtenAt = Files.getLastModifiedTime(deployed).toMillis();
        // The first start found no agent ("not deployed"), one SFTP channel deployed it, the second start ran it.
        assertThat(server.sftpChannels()).isEqualTo(1);
        assertThat(server.execs()).isEqualTo(2);
        // ... and cached its compiled code for the next sessions: beside it, or in root's own directory as root.
        String compiledName = deployed.getFileName().toString().replace(".py", "") + "." + cacheTag() + ".kwc";
        Path compiled = RequiredCommands.isRoot() ? Path.of("/var/cache/keepwatch", compiledName)
                : deployed.resolveSibling(compiledName);
        assertThat(compiled).exists();
        for (String name : old) {
            assertThat(cacheDir.resolve(name)).as("stale " + name).doesNotExist();
        }
        for (String name : kept) {
            assertThat(cacheDir.resolve(name)).as(name).exists();
        }

        // A second session finds the same file by its hash and leaves it alone: one exec, no SFTP at all.
        Thread.sleep(1100);
        supervisor.retry();
        await(() -> server.logins() >= 2 && server.execs() >= 3 && supervisor.state() == ConnectionState.ONLINE);
        assertThat(Files.getLastModifiedTime(deployed).toMillis()).isEqualTo(writtenAt);
        assertThat(server.sftpChannels()).isEqualTo(1);
        assertThat(server.execs()).isEqualTo(3);

        // A file whose content differs (tampered, half-written) is refused by the start command, then replaced.
        Files.writeString(deployed, "print('not the agent')\n");
        supervisor.retry();
        // Waits for the replaced file too: under load the state can read ONLINE (still the old
        // session's) when the third login has happened but the upload has not (flaked in mvn verify).
        await(() -> server.logins() >= 3 && server.execs() >= 5 && supervisor.state() == ConnectionState.ONLINE
                && java.util.Arrays.equals(readQuietly(deployed), AgentScript.bundled().content()));
        assertThat(deployed).hasBinaryContent(AgentScript.bundled().content());
        assertThat(server.sftpChannels()).isEqualTo(2);
        assertThat(server.execs()).isEqualTo(5);
    }

    /** e.g. "cpython-311": the python3 the agent runs with here. */
    private static String cacheTag() throws Exception {
        RequiredCommands.require("python3", "python3");
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.implementation.cache_tag)").start();
        return new String(p.getInputStream().readAllBytes()).trim();
    }

    @Test
    void sessionsDeployingTheSameNewAgentAtOnceAllComeOnlineWithoutAFailedAttempt() throws Exception {
        // A new Keepwatch version meets a node: every session finds "not deployed" and deploys at once.
        List<FleetState> fleets = new java.util.ArrayList<>();
        List<NodeSupervisor> many = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                FleetState own = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
                own.addNode("node", "test");
                fleets.add(own);
                many.add(supervisor(AgentScript.bundled(), own));
            }
            many.forEach(NodeSupervisor::start);
            await(() -> fleets.stream().allMatch(f -> f.nodes().get(0).connection() == ConnectionState.ONLINE));
            for (FleetState f : fleets) {
                // as an ordinary user the session is read-only, which the node's status says in words; not a failure
                assertThat(f.nodes().get(0).lastError().filter(e -> !e.startsWith("read-only: "))).as("a failed attempt").isEmpty();
                // and the node's state carries it for the front ends: read-only exactly when the agent is not root
                assertThat(f.nodes().get(0).isReadOnly()).as("read-only").isEqualTo(!RequiredCommands.isRoot());
                f.nodes().get(0).readOnly().ifPresent(r -> assertThat(f.nodes().get(0).lastError()).contains(r));
            }
        } finally {
            many.forEach(NodeSupervisor::close);
        }
        Path deployed = server.home(System.getProperty("user.name")).resolve(AgentScript.bundled().remotePath());
        assertThat(deployed).hasBinaryContent(AgentScript.bundled().content());
    }

    @Test
    void aDroppedServerMakesTheNodeOfflineAndItReconnectsWhenTheServerReturns() throws Exception {
        supervisor = supervisor(AgentScript.bundled());
        supervisor.start();
        awaitState(ConnectionState.ONLINE);
        int port = server.port();
        server.stop();
        awaitState(ConnectionState.OFFLINE);
        assertThat(fleet.nodes().get(0).lastError()).isPresent();

        server = AgentSshServer.start(hostKey, dir.resolve("homes"), port, List.of(userKey.getPublic()));
        awaitState(ConnectionState.ONLINE);
    }

    @Test
    void aSilentAgentMakesTheNodeStaleThenReconnects() throws Exception {
        // An agent that never sends a heartbeat: the real agent told to wait an hour between them.
        supervisor = supervisor(AgentScript.of(silentAgent()));
        supervisor.start();
        awaitState(ConnectionState.ONLINE);
        awaitState(ConnectionState.STALE);
        assertThat(fleet.nodes().get(0).lastError()).hasValueSatisfying(e -> assertThat(e).contains("no heartbeat"));
        int loginsBefore = server.logins();
        await(() -> server.logins() > loginsBefore);
    }

    @Test
    void anAgentSendingAnEndlessLineIsDroppedAtOnceAndLeftAloneLongerThanALostLink() throws Exception {
        // A hostile node: it comes online, then writes one line that never ends. Read with readLine, that line
        // filled the console's heap; the session ended only at the heartbeat watchdog and was reopened at once.
        AgentScript hostile = HostileAgent.script("state.subscribe", """
                answer(request, SNAPSHOT)
                chunk = b"x" * 65536
                while True:
                    out.write(chunk)
                """);
        supervisor = supervisor(hostile);
        supervisor.start();
        await(() -> fleet.nodes().get(0).connection() == ConnectionState.OFFLINE
                && fleet.nodes().get(0).lastError().isPresent());
        assertThat(fleet.nodes().get(0).lastError()).hasValue("node: the agent sent a line over 4 MiB, more than the "
                + "protocol allows; that breaks the agent protocol, so Keepwatch connects to this node again only "
                + "after 60 s");
        int logins = server.logins();
        // A lost link would have been retried within 2.4 s (maxBackoff 2 s and its jitter); this node is not.
        Thread.sleep(4000);
        assertThat(server.logins()).isEqualTo(logins);
        assertThat(supervisor.state()).isEqualTo(ConnectionState.OFFLINE);
        // The operator may try again at once.
        supervisor.retry();
        await(() -> server.logins() > logins);
    }

    @Test
    void anApplyTheLastAgentLeftUnfinishedStaysInTheNodesStatusUntilAnApplyFinishesIt() throws Exception {
        // The agent's first hello reports an apply cut short; 3 s later an apply ends on the node (its audit step) and
        // the agent, asked again, has nothing left to report.
        AgentScript agent = HostileAgent.script("hello", """
                import threading
                try:
                    hellos += 1
                except NameError:
                    hellos = 1
                    def beat():
                        for seq in range(1, 100000):
                            out.write((json.dumps({"event": "heartbeat", "ts": time.time(), "seq": seq, "daemons": 0}) + "\\n").encode())
                            if seq == 15:
                                out.write((json.dumps({"event": "apply.step", "ts": time.time(), "id": 9, "op": "apply",
                                    "daemon": "keepalived", "path": "/etc/keepalived/keepalived.conf",
                                    "paths": ["/etc/keepalived/keepalived.conf"], "step": "audit", "status": "ok",
                                    "result": "applied"}) + "\\n").encode())
                            out.flush()
                            time.sleep(0.2)
                    threading.Thread(target=beat, daemon=True).start()
                unfinished = {"daemon": "keepalived", "op": "apply", "user": "alice", "time": "2026-11-26T11:01:34Z",
                              "on_disk": "new", "cleared": False,
                              "files": [{"path": "/etc/keepalived/keepalived.conf", "old_sha256": "c0ffee",
                                         "new_sha256": "beef", "backup": "b.conf", "on_disk": "new"}]}
                answer(request, dict(HELLO, unfinished_applies=[unfinished] if hellos == 1 else []))
                """);
        supervisor = supervisor(agent);
        supervisor.start();
        await(() -> fleet.nodes().get(0).connection() == ConnectionState.ONLINE);
        assertThat(fleet.nodes().get(0).lastError()).hasValueSatisfying(e -> assertThat(e).startsWith(
                "unfinished apply of /etc/keepalived/keepalived.conf (daemon keepalived) by alice at 2026-11-26T11:01:34Z: "
                        + "it was cut short before keepalived was reloaded and checked; the new version is on disk"));
        await(() -> fleet.nodes().get(0).lastError().isEmpty());
        assertThat(fleet.nodes().get(0).connection()).isEqualTo(ConnectionState.ONLINE);
    }

    @Test
    void aRefusedLoginIsAuthFailedAndNotRetried() throws Exception {
        server.authorize(List.of(AgentSshServer.newKey().getPublic()));
        supervisor = supervisor(AgentScript.bundled());
        supervisor.start();
        awaitState(ConnectionState.AUTH_FAILED);
        Thread.sleep(1500);
        assertThat(supervisor.state()).isEqualTo(ConnectionState.AUTH_FAILED);
        assertThat(server.logins()).isZero();
    }

    @Test
    void aWrongHostKeyIsRejectedAndNotRetried() throws Exception {
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + server.port() + " "
                + AgentSshServer.publicKeyLine(AgentSshServer.newKey().getPublic()) + "\n");
        supervisor = supervisor(AgentScript.bundled());
        supervisor.start();
        awaitState(ConnectionState.HOST_KEY_REJECTED);
        assertThat(fleet.nodes().get(0).lastError()).hasValueSatisfying(e -> assertThat(e).containsIgnoringCase("host"));
        // The typed cause travels with the status, for the UI's changed-host-key explanation.
        assertThat(fleet.nodes().get(0).cause()).hasValueSatisfying(c -> assertThat(c)
                .isInstanceOfSatisfying(org.keepwatch.ssh.SshException.HostKeyChanged.class,
                        changed -> assertThat(changed.knownHostsLine()).isEqualTo(1)));
        assertThat(server.logins()).isZero();
    }

    private byte[] silentAgent() {
        String agent = new String(AgentScript.bundled().content(), java.nio.charset.StandardCharsets.UTF_8);
        String patched = agent.replaceFirst("(?m)^(\\s*)\"heartbeat_interval\": [0-9.]+,", "$1\"heartbeat_interval\": 3600.0,");
        assertThat(patched).as("the agent's heartbeat default is where this test expects it").isNotEqualTo(agent);
        return patched.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private NodeSupervisor supervisor(AgentScript script) throws Exception {
        return supervisor(script, fleet);
    }

    private NodeSupervisor supervisor(AgentScript script, FleetState into) throws Exception {
        Path config = Files.writeString(dir.resolve("ssh_config"), """
                Host node
                  HostName 127.0.0.1
                  Port %d
                  User %s
                  IdentityFile %s
                  IdentitiesOnly yes
                  IdentityAgent none
                  UserKnownHostsFile %s
                  StrictHostKeyChecking yes
                """.formatted(server.port(), System.getProperty("user.name"), dir.resolve("id_ecdsa"),
                dir.resolve("known_hosts")));
        SshConfig ssh = SshConfig.fromFile(config, SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty()));
        return new NodeSupervisor("node", () -> ssh.route("node"), new SshConnector(), SshPrompts.BATCH, script,
                OPTIONS, into, scheduler, Executors.newCachedThreadPool(), FAST, Clock.systemUTC(), new Random(1));
    }

    private void awaitState(ConnectionState wanted) throws InterruptedException {
        await(() -> fleet.nodes().get(0).connection() == wanted);
        assertThat(supervisor.state()).isEqualTo(wanted);
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            return new byte[0];
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
