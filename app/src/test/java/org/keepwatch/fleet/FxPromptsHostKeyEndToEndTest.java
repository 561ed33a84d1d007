package org.keepwatch.fleet;

import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.app.dialogs.FxPrompts;
import org.keepwatch.secrets.Keyring;
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
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end against a real SSH server (Apache MINA, as agent-client's tests run it; this class sits in their
 * package to use that server): an unknown host key is shown in the dialog, "Accept and save" connects and
 * writes known_hosts, and the next connection asks nothing.
 */
@ExtendWith(ApplicationExtension.class)
class FxPromptsHostKeyEndToEndTest {

    @TempDir
    Path dir;
    private Stage stage;
    private AgentSshServer server;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        org.keepwatch.app.TestStages.blankOwner(stage);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void acceptAndSaveConnectsAndTheNextConnectionDoesNotAsk(FxRobot robot) throws Exception {
        KeyPair hostKey = AgentSshServer.newKey();
        KeyPair userKey = AgentSshServer.newKey();
        server = AgentSshServer.start(hostKey, Files.createDirectories(dir.resolve("homes")), 0, List.of(userKey.getPublic()));
        AgentSshServer.writePrivateKey(userKey, dir.resolve("id_ecdsa"));
        Path knownHosts = dir.resolve("known_hosts");
        Path config = Files.writeString(dir.resolve("config"), String.join("\n",
                "Host node",
                "  HostName 127.0.0.1",
                "  Port " + server.port(),
                "  User " + System.getProperty("user.name"),
                "  IdentityFile " + dir.resolve("id_ecdsa"),
                "  IdentitiesOnly yes",
                "  IdentityAgent none",
                "  UserKnownHostsFile " + knownHosts,
                "  GlobalKnownHostsFile none",
                "  StrictHostKeyChecking ask",
                ""));
        SshEnvironment environment = new SshEnvironment(dir, System.getProperty("user.name"), "workstation",
                Optional.empty(), Map.of());
        SshConfig ssh = SshConfig.fromFile(config, environment);
        FxPrompts prompts = new FxPrompts(() -> stage, Keyring.NONE, Duration.ofMinutes(1));

        CompletableFuture<SshConnection> first = CompletableFuture.supplyAsync(() -> connect(ssh, prompts));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> robot.lookup("#host-key-accept-save").tryQuery()
                .filter(n -> n.getScene() != null && n.getScene().getWindow().isShowing()).isPresent());
        WaitForAsyncUtils.waitForFxEvents();
        String shownFingerprint = robot.lookup("#host-key-fingerprint").queryTextInputControl().getText();
        assertThat(robot.lookup("#host-key-port").queryLabeled().getText()).isEqualTo(Integer.toString(server.port()));
        robot.clickOn("#host-key-accept-save");
        first.get(15, TimeUnit.SECONDS).close();

        String saved = Files.readString(knownHosts);
        assertThat(saved).startsWith("[127.0.0.1]:" + server.port() + " ecdsa-sha2-nistp256 ");
        // The fingerprint shown is the one of the key that was saved, as ssh-keygen -lf prints it.
        Process keygen = new ProcessBuilder("ssh-keygen", "-lf", knownHosts.toString()).start();
        String printed = new String(keygen.getInputStream().readAllBytes());
        keygen.waitFor(10, TimeUnit.SECONDS);
        assertThat(printed).contains(shownFingerprint);

        connect(ssh, prompts).close();
        assertThat(robot.lookup("#host-key-dialog").tryQuery()).isEmpty();
    }

    private static SshConnection connect(SshConfig ssh, FxPrompts prompts) {
        try {
            return new SshConnector().connect(ssh, "node", prompts);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
