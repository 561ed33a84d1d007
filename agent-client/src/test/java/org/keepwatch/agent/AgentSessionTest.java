package org.keepwatch.agent;

import org.keepwatch.testing.HeapPeak;
import org.keepwatch.testing.RequiredCommands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON-lines session with the real agent, run as a local process. */
class AgentSessionTest {

    private static final long MIB = 1024 * 1024;
    /** Where a root agent keeps its compiled code (BOOTSTRAP_ROOT_CACHE_DIR). */
    private static final Path ROOT_CACHE = Path.of("/var/cache/keepwatch");
    private static final AgentSession.Options READ_ONLY = new AgentSession.Options(false, false,
            Duration.ofSeconds(20), Duration.ofSeconds(10));

    @TempDir
    Path dir;
    private Process process;
    private AgentSession session;
    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (process != null) {
            process.destroyForcibly();
        }
    }

    @Test
    void greetsTheAgentAndReadsWhoItIs() throws Exception {
        RequiredCommands.require("keepalived", "keepalived");   // hello says its version
        process = LocalAgent.start(dir);
        session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
        Hello hello = session.hello();
        assertThat(hello.protocol()).isEqualTo(1);
        assertThat(hello.agent()).isEqualTo("keepwatch-agent");
        assertThat(hello.hostname()).isNotBlank();
        assertThat(hello.capabilities().ops()).contains("hello", "state.subscribe", "config.apply");
        assertThat(hello.keepalivedVersion()).hasValueSatisfying(v -> assertThat(v).startsWith("2."));
    }

    @Test
    void subscribesAndReceivesHeartbeats() throws Exception {
        process = LocalAgent.start(dir, "--heartbeat-interval", "0.2");
        session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
        StateSnapshot snapshot = session.subscribe().get(10, TimeUnit.SECONDS);
        assertThat(snapshot.heartbeatInterval()).contains(0.2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.stream().filter(AgentEvent.Heartbeat.class::isInstance).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(events).filteredOn(AgentEvent.Heartbeat.class::isInstance).hasSizeGreaterThanOrEqualTo(2);
        AgentEvent.Heartbeat first = (AgentEvent.Heartbeat) events.stream()
                .filter(AgentEvent.Heartbeat.class::isInstance).findFirst().orElseThrow();
        assertThat(first.seq()).isEqualTo(1);
        assertThat(first.ts()).isGreaterThan(1.7e9);
    }

    @Test
    void aKeepalivedOfSomebodyElseOnThisMachineIsNotTheTestsBusiness() throws Exception {
        // Another process named keepalived (another user's, the lab's) once made a unit test fail here: the
        // agent under test manages only daemons whose configuration lies in the test's own directory.
        Path elsewhere = Files.createDirectories(Files.createTempDirectory("kw-other-").resolve("bin"));
        Path fake = Files.copy(RequiredCommands.require("sleep", "coreutils"), elsewhere.resolve("keepalived"));
        Process other = new ProcessBuilder(fake.toString(), "60").start();
        try {
            awaitComm(other.pid(), "keepalived");
            process = LocalAgent.start(dir);
            session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
            assertThat(session.snapshot().get(10, TimeUnit.SECONDS).daemons()).isEmpty();
        } finally {
            other.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.delete(fake);
            Files.delete(elsewhere);
            Files.delete(elsewhere.getParent());
        }
    }

    private static void awaitComm(long pid, String comm) throws Exception {
        Path file = Path.of("/proc/" + pid + "/comm");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(file) && Files.readString(file).trim().equals(comm)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.readString(file).trim()).isEqualTo(comm);
    }

    @Test
    void anUnknownOperationIsAnErrorWithAStableCodeAndTheSessionGoesOn() throws Exception {
        process = LocalAgent.start(dir);
        session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
        ObjectNode args = session.json().createObjectNode();
        assertThatThrownBy(() -> session.call("reboot", args).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    // not root (the tests as an ordinary user): a read-only session refuses what it does not know
                    // before it is sent, fail-closed; as root the agent itself answers unknown_op
                    assertThat(e.code()).isEqualTo(session.readOnly().isPresent() ? AgentSession.READ_ONLY_CODE : "unknown_op");
                    assertThat(e.getMessage()).contains("reboot");
                });
        assertThat(session.call("hello", args).get(10, TimeUnit.SECONDS).path("protocol").asInt()).isEqualTo(1);
    }

    @Test
    void aKilledAgentFailsWhatWaitsAndSaysSo() throws Exception {
        process = LocalAgent.start(dir);
        session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
        process.destroyForcibly();
        SessionEnd end = session.ended().get(10, TimeUnit.SECONDS);
        assertThat(end.reason()).contains("closed its output");
        assertThat(end.protocolViolation()).isFalse();
        assertThatThrownBy(() -> session.snapshot().get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(AgentGoneException.class);
    }

    @Test
    void anEndlessLineOnStdoutEndsTheSessionAtOnceAndNeverFillsTheHeap() throws Exception {
        // A hostile node: after hello, output that never ends its line. Read with readLine, it filled the heap every
        // session and the UI share until the reader died of OutOfMemoryError, and the session went on without it.
        process = HostileAgent.start(dir, "flood", """
                chunk = b"x" * 65536
                while True:
                    out.write(chunk)
                """);
        session = AgentSession.attach(AgentStreams.of(process), "n3", READ_ONLY, events::add);
        HeapPeak heap = HeapPeak.start();
        CompletableFuture<JsonNode> flood = session.call("flood", session.json().createObjectNode());
        SessionEnd end = session.ended().get(60, TimeUnit.SECONDS);
        assertThat(end.reason()).isEqualTo("n3: the agent sent a line over 4 MiB, more than the protocol allows");
        assertThat(end.protocolViolation()).isTrue();
        assertThat(heap.growth()).as("heap grown while the agent sent its endless line").isLessThan(32 * MIB);
        assertThatThrownBy(() -> flood.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(AgentGoneException.class)
                .hasMessageContaining("over 4 MiB");
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the agent ended with its session").isTrue();
    }

    @Test
    void anEndlessLineInsteadOfHelloIsAProtocolViolationNotAnAgentThatDidNotStart() throws Exception {
        process = HostileAgent.start(dir, "hello", """
                chunk = b"x" * 65536
                while True:
                    out.write(chunk)
                """);
        assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "n3", READ_ONLY, events::add))
                .isInstanceOfSatisfying(AgentStartException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AgentStartException.Reason.PROTOCOL_VIOLATION);
                    assertThat(e.getMessage()).isEqualTo("n3: the agent sent a line over 4 MiB, more than the protocol allows");
                });
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the agent ended with its session").isTrue();
    }

    @Test
    void anAgentThatEndsInsteadOfAnsweringHelloIsSaidOnceAsTheAgent() throws Exception {
        process = HostileAgent.start(dir, "hello", """
                raise SystemExit(0)
                """);
        assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "n3", READ_ONLY, events::add))
                .isInstanceOfSatisfying(AgentStartException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AgentStartException.Reason.NO_ANSWER);
                    assertThat(e.getMessage()).isEqualTo("n3: the agent closed its output");
                });
    }

    @Test
    void anEndlessLogLineIsCutAndTheSessionGoesOn() throws Exception {
        // 100 MiB of stderr in one line, then a line of its own: the log keeps a few KiB of the first.
        process = HostileAgent.start(dir, "flood", """
                chunk = b"e" * 65536
                for _ in range(1600):
                    err.write(chunk)
                err.write(b"\\nafter the flood\\n")
                err.flush()
                answer(request, {"flooded": True})
                """);
        session = AgentSession.attach(AgentStreams.of(process), "n3", READ_ONLY, events::add);
        HeapPeak heap = HeapPeak.start();
        JsonNode flooded = session.call("flood", session.json().createObjectNode()).get(60, TimeUnit.SECONDS);
        assertThat(flooded.path("flooded").asBoolean()).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!session.recentLog().contains("after the flood") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(session.recentLog()).contains("after the flood");
        String cut = session.recentLog().get(session.recentLog().indexOf("after the flood") - 1);
        assertThat(cut).startsWith("eeee").endsWith(" [cut: the line went on]").hasSizeLessThan(8 * 1024);
        assertThat(heap.growth()).as("heap grown while the agent logged 100 MiB in one line").isLessThan(32 * MIB);
        assertThat(session.ended()).isNotDone();
        assertThat(session.call("hello", session.json().createObjectNode()).get(10, TimeUnit.SECONDS)
                .path("protocol").asInt()).isEqualTo(1);
    }

    @Test
    void anAnswerOverTheLimitFailsItsRequestInWordsAndTheSessionGoesOn() throws Exception {
        // config.read of many large includes: 10 MiB in one answer. The request fails, saying why; heartbeats and
        // other requests go on, since the agent answered what it was asked.
        process = HostileAgent.start(dir, "config.read", """
                answer(request, {"files": [{"path": "/etc/keepalived/big.conf", "text": "x" * (10 << 20)}]})
                """);
        session = AgentSession.attach(AgentStreams.of(process), "n3", READ_ONLY, events::add);
        HeapPeak heap = HeapPeak.start();
        ObjectNode args = session.json().createObjectNode().put("daemon", "keepalived");
        assertThatThrownBy(() -> session.call("config.read", args).get(60, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo("too_large");
                    assertThat(e.getMessage()).isEqualTo("n3: the answer to config.read is over 4 MiB, more than "
                            + "Keepwatch reads in one line; nothing of it was kept");
                });
        assertThat(heap.growth()).as("heap grown while the agent answered with 10 MiB").isLessThan(32 * MIB);
        assertThat(session.call("daemons", session.json().createObjectNode()).get(10, TimeUnit.SECONDS).isObject())
                .isTrue();
        assertThat(session.ended()).isNotDone();
    }

    @Test
    void requiresRootUnlessToldOtherwise() throws Exception {
        RequiredCommands.assumeRoot("runs the agent as the user nobody");
        RequiredCommands.require("runuser", "util-linux");
        process = new ProcessBuilder("runuser", "-u", "nobody", "--", "python3", LocalAgent.script(dir).toString(), "serve")
                .start();
        assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "local", AgentSession.Options.defaults(),
                events::add))
                .isInstanceOfSatisfying(AgentStartException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AgentStartException.Reason.NOT_ROOT);
                    assertThat(e.getMessage()).contains("nobody").contains("sudo");
                });
    }

    @Test
    void anAgentThatIsNotRootIsAReadOnlySessionThatRefusesChangesBeforeSendingThem() throws Exception {
        RequiredCommands.assumeRoot("runs the agent as the user nobody");
        RequiredCommands.require("runuser", "util-linux");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));   // its state directory
        process = new ProcessBuilder("runuser", "-u", "nobody", "--", "python3", LocalAgent.script(dir).toString(), "serve",
                "--state-dir", dir.resolve("nobody-state").toString()).start();
        session = AgentSession.attach(AgentStreams.of(process), "n2", READ_ONLY, events::add);
        assertThat(session.readOnly()).contains("read-only: nobody on n2 has no sudo (not root); keepalived's state "
                + "needs root, so its instances are not watched (its configuration can still be read), and nothing can "
                + "be changed");
        assertThat(session.call("daemons", session.json().createObjectNode()).get(10, TimeUnit.SECONDS)).isNotNull();
        for (String op : List.of("config.apply", "config.restore", "maintenance.set", "maintenance.prepare",
                "daemon.stop", "daemon.start", "daemon.restart", "daemon.reload")) {
            assertThat(session.call(op, session.json().createObjectNode()))
                    .as(op).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(AgentException.class, e -> {
                        assertThat(e.code()).isEqualTo(AgentSession.READ_ONLY_CODE);
                        assertThat(e.getMessage()).isEqualTo(op + " refused: read-only: nobody on n2 has no sudo "
                                + "(not root); keepalived's state needs root, so its instances are not watched (its "
                                + "configuration can still be read), and nothing can be changed");
                    });
        }
        // refused here, not by the agent: it never heard of them (the log would show an unknown or failed op)
        assertThat(session.recentLog()).noneMatch(line -> line.contains("config.apply") || line.contains("daemon."));
    }

    @Test
    void noPythonIsSaidInWords() throws Exception {
        // What a login shell prints on a node without python3.
        process = new ProcessBuilder("bash", "-c", "PATH=/nonexistent; python3 agent.py serve").start();
        assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "n9", READ_ONLY, events::add))
                .isInstanceOfSatisfying(AgentStartException.class, e -> {
                    assertThat(e.reason()).isEqualTo(AgentStartException.Reason.NO_PYTHON);
                    assertThat(e.getMessage()).startsWith("n9: there is no python3");
                });
    }

    @Test
    void sudoWantingAPasswordIsSaidInWords() throws Exception {
        // A user without passwordless sudo, as on a node where sudo -n is not allowed.
        RequiredCommands.assumeRoot("runs sudo as the user nobody");
        RequiredCommands.require("runuser", "util-linux");
        RequiredCommands.require("sudo", "sudo");
        process = new ProcessBuilder("runuser", "-u", "nobody", "--", "sudo", "-n", "python3",
                LocalAgent.script(dir).toString(), "serve").start();
        assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "n9", READ_ONLY, events::add))
                .isInstanceOfSatisfying(AgentStartException.class, e ->
                        assertThat(e.reason()).isEqualTo(AgentStartException.Reason.SUDO_PASSWORD));
        assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }
    @Test
    void theStartCommandIsOnePythonRunningTheBootstrapOnTheFileWithItsHash() {
        AgentScript script = AgentScript.bundled();
        String command = script.startCommand(script.remotePath(), false);
        assertThat(command).startsWith("python3 -I -S -c '\nimport sys, os, marshal\n")
                .endsWith("' '" + script.remotePath() + "' --sha256=" + script.sha256() + " serve")
                .contains(script.bootstrap());
        assertThat(script.bootstrap()).doesNotContain("'").contains("sys.exit(87)");
        assertThat(script.startCommand("/home/o'brien/a.py", true))
                .startsWith("sudo -n python3 -I -S -c '")
                .endsWith("' '/home/o'\"'\"'brien/a.py' --sha256=" + script.sha256() + " serve");
    }

    @Test
    void theStartCommandRunsTheAgentThroughARealShellAndCachesItsCode() throws Exception {
        // As sshd runs it: $SHELL -c COMMAND in the login directory, the agent deployed under it.
        AgentScript script = AgentScript.bundled();
        Path home = Files.createDirectories(dir.resolve("home"));
        Path deployed = home.resolve(script.remotePath());
        Files.createDirectories(deployed.getParent());
        Files.write(deployed, script.content());
        for (int start = 1; start <= 2; start++) {      // the second start loads the cached code
            process = new ProcessBuilder("/bin/sh", "-c", script.startCommand(script.remotePath(), false)
                    + " --state-dir " + dir.resolve("state")).directory(home.toFile()).start();
            session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
            assertThat(session.hello().protocol()).isEqualTo(1);
            session.close();
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            String cache = deployed.getFileName().toString().replace(".py", "." + cacheTag() + ".kwc");
            try (var files = Files.list(deployed.getParent())) {
                // root keeps it in its own directory, never in the login user's
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(
                        RequiredCommands.isRoot() ? List.of(deployed.getFileName().toString())
                                : List.of(deployed.getFileName().toString(), cache));
            }
            if (RequiredCommands.isRoot()) {
                assertThat(ROOT_CACHE.resolve(cache)).isRegularFile();
            }
        }
    }

    @Test
    void asRootTheStartCommandRunsNothingTheLoginUserLeftInTheirHome() throws Exception {
        // sudo -n runs the start command as root in the login user's home, where that user may have left modules
        // named like those the bootstrap and the agent import, and a compiled-code cache of this very agent (right
        // key, right checksum) whose code is theirs. Python put the home first on the import path, and the cache
        // beside the file was run.
        RequiredCommands.assumeRoot("runs the start command as root in a home the user nobody owns");
        AgentScript script = AgentScript.bundled();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path marks = Files.createDirectory(dir.resolve("marks"));
        Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path deployed = home.resolve(script.remotePath());
        Files.createDirectories(deployed.getParent());
        Files.write(deployed, script.content());
        String planted = "import os\nopen(os.path.join('%s', '%s'), 'w').close()\n";
        for (String module : List.of("_sha256", "hashlib", "json", "re", "selectors", "socket", "struct", "fnmatch")) {
            Files.writeString(home.resolve(module + ".py"), planted.formatted(marks, module));
            Files.writeString(deployed.resolveSibling(module + ".py"), planted.formatted(marks, module + "-beside"));
        }
        Path forged = deployed.resolveSibling(deployed.getFileName().toString().replace(".py", "." + cacheTag() + ".kwc"));
        Process forge = new ProcessBuilder("python3", "-c", """
                import importlib.util, marshal, sys, hashlib
                code = compile("def main():\\n    open(%r, 'w').close()\\n    return 0\\n" % sys.argv[3], "forged", "exec")
                payload = marshal.dumps(code)
                key = b"KWC1" + importlib.util.MAGIC_NUMBER + sys.hexversion.to_bytes(4, "big") + bytes.fromhex(sys.argv[2])
                open(sys.argv[1], "wb").write(key + hashlib.sha256(payload).digest() + payload)
                """, forged.toString(), script.sha256(), marks.resolve("forged-cache").toString()).inheritIO().start();
        assertThat(forge.waitFor()).isZero();
        UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        try (var files = Files.walk(home)) {
            for (Path file : files.toList()) {
                Files.setOwner(file, nobody);       // the login user's home, and all that was deployed in it
            }
        }
        byte[] forgedBytes = Files.readAllBytes(forged);
        for (int start = 1; start <= 2; start++) {      // compiling, then from root's own cache
            process = new ProcessBuilder("/bin/sh", "-c", script.startCommand(script.remotePath(), false)
                    + " --state-dir " + dir.resolve("state")).directory(home.toFile()).start();
            session = AgentSession.attach(AgentStreams.of(process), "local", READ_ONLY, events::add);
            assertThat(session.hello().protocol()).isEqualTo(1);
            session.close();
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            try (var left = Files.list(marks)) {
                assertThat(left.map(p -> p.getFileName().toString())).as("what root ran of the login user's").isEmpty();
            }
        }
        assertThat(Files.readAllBytes(forged)).isEqualTo(forgedBytes);
        Path rootCache = ROOT_CACHE.resolve(forged.getFileName());
        assertThat(Files.getOwner(rootCache, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("root");
        assertThat(Files.getPosixFilePermissions(ROOT_CACHE, LinkOption.NOFOLLOW_LINKS))
                .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    }

    @Test
    void thePythonOptionsAreTheAgentsOwn() {
        // The agent starts itself again (keepalived -t in a mount namespace) with BOOTSTRAP_PYTHON_FLAGS.
        String flags = '"' + String.join("\", \"", AgentScript.PYTHON_FLAGS.split(" ")) + '"';
        assertThat(new String(AgentScript.bundled().content(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("BOOTSTRAP_PYTHON_FLAGS = [" + flags + "]");
    }

    @Test
    void aMissingOrDifferentAgentFileIsNotStarted() throws Exception {
        AgentScript script = AgentScript.bundled();
        Path home = Files.createDirectories(dir.resolve("home"));
        Path deployed = home.resolve(script.remotePath());
        for (boolean present : new boolean[] {false, true}) {
            if (present) {
                Files.createDirectories(deployed.getParent());
                Files.writeString(deployed, "print('not the agent')\n");
            }
            process = new ProcessBuilder("/bin/sh", "-c", script.startCommand(script.remotePath(), false))
                    .directory(home.toFile()).start();
            assertThatThrownBy(() -> AgentSession.attach(AgentStreams.of(process), "n9", READ_ONLY, events::add))
                    .isInstanceOfSatisfying(AgentSession.NotDeployed.class, e -> {
                        assertThat(e.reason()).isEqualTo(AgentStartException.Reason.DEPLOY_FAILED);
                        assertThat(e.getMessage()).startsWith("n9: the agent is not deployed")
                                .contains(present ? "has SHA-256" : "cannot read");
                    });
            assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(87);
        }
    }

    /** e.g. "cpython-311": the python3 here. */
    private static String cacheTag() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.implementation.cache_tag)").start();
        return new String(p.getInputStream().readAllBytes()).trim();
    }
}
