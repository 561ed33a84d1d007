package org.keepwatch.agent;

import org.keepwatch.ssh.LoginTarget;
import org.keepwatch.ssh.SshPrompts;
import org.keepwatch.testing.RequiredCommands;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The agent started through a real sudo that asks for a password, as local users of this machine: the password goes
 * to sudo once per prompt and never to the agent, a refused one is asked once more and then no more, a user sudo
 * does not allow is told apart. Runs only as root (it creates the users and their sudoers rule, and removes them).
 */
class SudoPasswordTest {

    private static final String USER = "kwt-sudopw";
    private static final String NO_SUDO_USER = "kwt-nosudo";
    private static final String PASSWORD = "Corr3ct horse;'\"$HOME";
    private static final Path SUDOERS = Path.of("/etc/sudoers.d/kwt-sudopw-test");
    private static final AgentSession.Options OPTIONS = new AgentSession.Options(true, true,
            Duration.ofSeconds(20), Duration.ofSeconds(10));

    @TempDir
    static Path dir;
    private Process process;
    private AgentSession session;

    @BeforeAll
    static void users() throws Exception {
        RequiredCommands.assumeRoot("creates local users and a sudoers rule");
        RequiredCommands.require("sudo", "sudo");
        RequiredCommands.require("runuser", "util-linux");
        RequiredCommands.require("useradd", "passwd");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String user : List.of(USER, NO_SUDO_USER)) {
            run("userdel", "-r", user);   // left over from an interrupted run
            Path home = dir.resolve(user);
            assertThat(run("useradd", "-M", "-d", home.toString(), "-s", "/bin/sh", user)).isZero();
            Files.createDirectories(home);
            assertThat(run("chown", user + ":", home.toString())).isZero();
            Process chpasswd = new ProcessBuilder("chpasswd").start();
            chpasswd.getOutputStream().write((user + ":" + PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
            chpasswd.getOutputStream().close();
            assertThat(chpasswd.waitFor()).isZero();
        }
        Files.writeString(SUDOERS, USER + " ALL=(root) /usr/bin/python3\n");
        Files.setPosixFilePermissions(SUDOERS, PosixFilePermissions.fromString("r--r-----"));
    }

    @AfterAll
    static void removeUsers() throws Exception {
        if (!RequiredCommands.isRoot()) {
            return;
        }
        Files.deleteIfExists(SUDOERS);
        run("userdel", USER);
        run("userdel", NO_SUDO_USER);
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** Prompts that answer from a list and record what they were asked. */
    static final class Answers implements SshPrompts {
        final Deque<String> answers;
        final List<Integer> attempts = new CopyOnWriteArrayList<>();
        final List<String> nodes = new CopyOnWriteArrayList<>();

        Answers(String... answers) {
            this.answers = new ArrayDeque<>(List.of(answers));
        }

        @Override
        public Optional<char[]> sudoPassword(LoginTarget login, String node, int attempt) {
            attempts.add(attempt);
            nodes.add(login.user() + "@" + node);
            String next = answers.poll();
            return next == null ? Optional.empty() : Optional.of(next.toCharArray());
        }
    }

    private static LoginTarget login(String user) {
        return new LoginTarget(user, "127.0.0.1", 22, List.of());
    }

    /** Starts the agent as {@code user} through sudo -S, as sshd would run the start command, and shakes hands. */
    private AgentSession start(String user, SudoPasswords passwords) throws Exception {
        AgentScript script = AgentScript.bundled();
        Path home = dir.resolve(user);
        Path deployed = home.resolve(script.remotePath());
        Files.createDirectories(deployed.getParent());
        Files.write(deployed, script.content());
        run("chown", "-R", user + ":", home.toString());
        SudoHandshake handshake = SudoHandshake.fresh();
        String command = script.sudoPasswordStartCommand(script.remotePath(), handshake.prompt(), handshake.ready())
                + " --state-dir " + dir.resolve("state");
        process = new ProcessBuilder("runuser", "-u", user, "--", "/bin/sh", "-c", command)
                .directory(home.toFile()).start();
        AgentStreams streams = AgentStreams.of(process);
        handshake.run(streams, "n2", login(user), passwords, Duration.ofSeconds(20));
        return AgentSession.attach(streams, "n2", OPTIONS, events -> { });
    }

    @Test
    void theRightPasswordIsAskedOnceStartsTheAgentAsRootAndIsKeptForTheNextStartOnly() throws Exception {
        Answers prompts = new Answers(PASSWORD);
        SudoPasswords passwords = new SudoPasswords(prompts);
        session = start(USER, passwords);
        // the agent answered hello: sudo took exactly the password line, and the protocol began after it
        assertThat(session.hello().root()).isTrue();
        assertThat(session.call("daemons", session.json().createObjectNode()).get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(prompts.attempts).containsExactly(1);
        assertThat(prompts.nodes).containsExactly(USER + "@n2");
        assertThat(passwords.known(login(USER))).isTrue();
        session.close();
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);

        session = start(USER, passwords);   // a reconnect: sudo asks again (-k), the remembered password answers
        assertThat(session.hello().root()).isTrue();
        assertThat(prompts.attempts).as("not asked again").containsExactly(1);
        passwords.clear();
        assertThat(passwords.known(login(USER))).isFalse();
    }

    @Test
    void aRefusedPasswordIsAskedOnceMoreSaidSo() throws Exception {
        Answers prompts = new Answers("wrong", PASSWORD);
        session = start(USER, new SudoPasswords(prompts));
        assertThat(session.hello().root()).isTrue();
        assertThat(prompts.attempts).containsExactly(1, 2);
    }

    @Test
    void twoRefusedPasswordsEndTheStartWithoutAThirdAndNothingIsKept() throws Exception {
        Answers prompts = new Answers("wrong", "wrong again", PASSWORD);
        SudoPasswords passwords = new SudoPasswords(prompts);
        AgentStartException e = catchThrowableOfType(() -> start(USER, passwords), AgentStartException.class);
        assertThat(e.reason()).isEqualTo(AgentStartException.Reason.SUDO_PASSWORD_REFUSED);
        assertThat(e.getMessage()).contains("sudo refused the password of " + USER + " on n2 twice",
                "press Reconnect");
        assertThat(prompts.attempts).as("no third question").containsExactly(1, 2);
        assertThat(prompts.answers).as("the right password was never asked for").containsExactly(PASSWORD);
        assertThat(passwords.known(login(USER))).isFalse();
        process.getOutputStream().close();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String said = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(said).as("sudo counted two failures, no more").contains("2 incorrect password attempts");
    }

    @Test
    void aRememberedPasswordSudoNowRefusesIsDroppedAndTheOperatorIsAskedOnce() throws Exception {
        Answers prompts = new Answers(PASSWORD);
        SudoPasswords passwords = new SudoPasswords(prompts);
        passwords.accept(login(USER), "changed since".toCharArray());
        session = start(USER, passwords);
        assertThat(session.hello().root()).isTrue();
        assertThat(prompts.attempts).as("the question says a password was refused").containsExactly(2);
    }

    @Test
    void noAnswerStartsNothingAndSaysWhoWasAsked() throws Exception {
        Answers prompts = new Answers();
        AgentStartException e = catchThrowableOfType(() -> start(USER, new SudoPasswords(prompts)),
                AgentStartException.class);
        assertThat(e.reason()).isEqualTo(AgentStartException.Reason.SUDO_PASSWORD);
        assertThat(e.getMessage()).contains("n2: sudo asks for " + USER + "'s password and none was given");
    }

    @Test
    void aUserSudoDoesNotAllowIsToldApartFromAWrongPassword() throws Exception {
        Answers prompts = new Answers(PASSWORD);
        AgentStartException e = catchThrowableOfType(() -> start(NO_SUDO_USER, new SudoPasswords(prompts)),
                AgentStartException.class);
        assertThat(e.reason()).isEqualTo(AgentStartException.Reason.NO_SUDO);
        assertThat(e.getMessage()).contains("n2: sudo does not let " + NO_SUDO_USER + " run python3 as root",
                "not in the sudoers file");
    }

    @Test
    void aPasswordWithALineBreakIsNeverSent() throws Exception {
        Answers prompts = new Answers("first\nsecond");
        AgentStartException e = catchThrowableOfType(() -> start(USER, new SudoPasswords(prompts)),
                AgentStartException.class);
        assertThat(e.getMessage()).contains("line break", "nothing was sent");
    }

    private static int run(String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }
}
