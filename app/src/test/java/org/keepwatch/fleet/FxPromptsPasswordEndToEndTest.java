package org.keepwatch.fleet;

import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.dialogs.FakeSecretTool;
import org.keepwatch.app.dialogs.FxPrompts;
import org.keepwatch.secrets.SecretToolKeyring;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnection;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A remembered password against two real SSH servers (Apache MINA) on one host name and two ports: it goes only to
 * the login it was typed for. Keyed by user@host alone, the password typed for one sshd was sent to the other.
 */
@ExtendWith(ApplicationExtension.class)
class FxPromptsPasswordEndToEndTest {

    @TempDir
    Path dir;
    private Stage stage;
    private AgentSshServer first;
    private AgentSshServer second;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        org.keepwatch.app.TestStages.blankOwner(stage);
    }

    @AfterEach
    void stop() throws Exception {
        for (AgentSshServer server : new AgentSshServer[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aPasswordRememberedForOnePortIsNeverSentToTheSameHostOnAnother(FxRobot robot) throws Exception {
        Path homes = Files.createDirectories(dir.resolve("homes"));
        first = AgentSshServer.start(AgentSshServer.newKey(), homes, 0, List.of(), Optional.of("for-the-first"));
        second = AgentSshServer.start(AgentSshServer.newKey(), homes, 0, List.of(), Optional.of("for-the-second"));
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                first.knownHostsLine() + "\n" + second.knownHostsLine() + "\n");
        StringBuilder config = new StringBuilder();
        for (String alias : List.of("first", "second")) {
            config.append(String.join("\n", "Host " + alias,
                    "  HostName 127.0.0.1",
                    "  Port " + (alias.equals("first") ? first : second).port(),
                    "  User ops",
                    "  IdentitiesOnly yes",
                    "  IdentityAgent none",
                    "  UserKnownHostsFile " + knownHosts,
                    "  GlobalKnownHostsFile none",
                    "  StrictHostKeyChecking yes",
                    ""));
        }
        SshEnvironment environment = new SshEnvironment(dir, "ops", "workstation", Optional.empty(), Map.of());
        SshConfig ssh = SshConfig.fromFile(Files.writeString(dir.resolve("config"), config), environment);
        SecretToolKeyring keyring = new SecretToolKeyring(FakeSecretTool.install(Files.createDirectories(dir.resolve("tool"))),
                Map.of("PATH", "/usr/bin:/bin"));
        FxPrompts prompts = new FxPrompts(() -> stage, keyring, Duration.ofMinutes(1));

        // The first server's password, typed and remembered.
        CompletableFuture<Optional<SshConnection>> toFirst = CompletableFuture.supplyAsync(() -> connect(ssh, "first", prompts));
        awaitPasswordDialog(robot);
        robot.clickOn("#secret-field").write("for-the-first");
        robot.clickOn("#secret-remember");
        robot.clickOn("#secret-ok");
        toFirst.get(15, TimeUnit.SECONDS).orElseThrow().close();
        assertThat(first.passwordsOffered()).containsExactly("for-the-first");

        // Same user, same host name, another port: another sshd, maybe another machine behind a NAT. It is asked for.
        CompletableFuture<Optional<SshConnection>> toSecond = CompletableFuture.supplyAsync(() -> connect(ssh, "second", prompts));
        awaitPasswordDialog(robot);
        robot.clickOn("Cancel");
        assertThat(toSecond.get(15, TimeUnit.SECONDS)).isEmpty();
        assertThat(second.passwordsOffered()).as("passwords the second server was sent").doesNotContain("for-the-first");

        // The first server still gets its own without a question.
        connect(ssh, "first", prompts).orElseThrow().close();
        assertThat(first.passwordsOffered()).containsExactly("for-the-first", "for-the-first");
    }

    private static void awaitPasswordDialog(FxRobot robot) throws Exception {
        WaitForAsyncUtils.waitFor(15, TimeUnit.SECONDS, () -> robot.lookup("#secret-field").tryQuery()
                .filter(n -> n.getScene() != null && n.getScene().getWindow().isShowing() && n.isVisible()).isPresent());
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Optional<SshConnection> connect(SshConfig ssh, String alias, FxPrompts prompts) {
        try {
            return Optional.of(new SshConnector().connect(ssh, alias, prompts));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
