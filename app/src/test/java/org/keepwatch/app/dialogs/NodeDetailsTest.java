package org.keepwatch.app.dialogs;

import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.keepwatch.agent.AgentStartException;
import org.keepwatch.app.AppWindow;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.fleetedit.FleetUi;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.ssh.HostKeyInfo;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshException;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Nodes view's Details: a node refused for a changed host key or a sudo that wants a password, explained
 * from the typed cause the supervisor leaves in the status, with Reconnect and Edit node at hand.
 */
@ExtendWith(ApplicationExtension.class)
class NodeDetailsTest {

    @TempDir
    static Path dir;
    private final MutableClock clock = new MutableClock();
    private final List<String> reconnected = new ArrayList<>();
    private FleetService service;
    private AppWindow window;

    @Start
    void start(Stage stage) throws IOException {
        javafx.application.Application.setUserAgentStylesheet(new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Path file = Files.writeString(Files.createTempDirectory(dir, "fleet").resolve("fleet.json"), """
                {"version": 1, "name": "lab", "groups": [{"name": "lab", "defaults": {"user": "root"}}],
                 "nodes": [{"name": "n1", "group": "lab", "host": "10.77.0.11"},
                           {"name": "net1", "group": "lab", "host": "10.77.1.11", "user": "stack", "sudo": true}]}
                """);
        service = new FleetService(clock, Runnable::run, null);
        service.watch(FleetFile.read(file), file);
        FleetEdits edits = new FleetEdits(service, Runnable::run, dir.resolve("unused.json"), service::open);
        FleetUi ui = new FleetUi(() -> stage, edits, Tasks.onFxThread(Runnable::run), SshEnvironment::ofCurrentUser, reconnected::add, dir);
        window = new AppWindow(service, clock, Runnable::run, a -> { }, reconnected::add,
                new MainView.Actions(() -> { }, () -> { }, ui.headerActions()), List.of());
        ui.install(window.navigator(), window.model().nodes());
        stage.setScene(window.scene());
        stage.show();
        window.model().fleetOpened("lab");
        SshException.HostKeyChanged changed = new SshException.HostKeyChanged(
                new HostKeyInfo("10.77.0.11", 22, "ssh-ed25519", "SHA256:newnewnewnewnewnewnewnewnewnewnewnewnewnew"),
                "SHA256:oldoldoldoldoldoldoldoldoldoldoldoldoldold", Path.of("/home/op/.ssh/known_hosts"), 17);
        service.state().nodeStatus(new NodeStatus("n1", ConnectionState.HOST_KEY_REJECTED, clock.instant(),
                Optional.of(changed.getMessage()), Optional.empty(), Optional.empty(), Optional.of(changed)));
        AgentStartException sudo = new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD,
                "net1: sudo wants a password; Keepwatch runs sudo -n and never types one", null);
        service.state().nodeStatus(new NodeStatus("net1", ConnectionState.OFFLINE, clock.instant(),
                Optional.of(sudo.getMessage()), Optional.empty(), Optional.empty(), Optional.of(sudo)));
        window.pulse().pump();
        ((javafx.scene.control.TabPane) stage.getScene().lookup(".tab-pane")).getSelectionModel().select(2);
    }

    private void details(FxRobot robot, String node) throws Exception {
        TableView<NodeRow> table = robot.lookup("#nodes-table").queryTableView();
        robot.interact(() -> table.getSelectionModel().select(window.model().nodes().row(node)));
        robot.clickOn("#node-details-button");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#node-problem-dialog").tryQuery().isPresent());
    }

    @Test
    void aChangedHostKeyIsExplainedAsOpenSshDoesWithBothFingerprintsAndTheLine(FxRobot robot) throws Exception {
        details(robot, "n1");
        assertThat(robot.lookup("#node-problem-dialog .header-panel .label").queryAs(Label.class).getText())
                .isEqualTo("n1: the host key has changed");
        assertThat(robot.lookup("#host-key-changed-warning").queryAs(Label.class).getText())
                .isEqualTo("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!");
        assertThat(robot.lookup("#changed-new-fingerprint").queryTextInputControl().getText())
                .isEqualTo("SHA256:newnewnewnewnewnewnewnewnewnewnewnewnewnew");
        assertThat(robot.lookup("#changed-old-fingerprint").queryTextInputControl().getText())
                .isEqualTo("SHA256:oldoldoldoldoldoldoldoldoldoldoldoldoldold");
        assertThat(robot.lookup("#changed-known-hosts").queryAs(Label.class).getText())
                .isEqualTo("/home/op/.ssh/known_hosts line 17");
        assertThat(robot.lookup("#changed-remove-command").queryTextInputControl().getText())
                .isEqualTo("ssh-keygen -R '10.77.0.11' -f /home/op/.ssh/known_hosts");
        robot.clickOn("#problem-reconnect");
        assertThat(reconnected).containsExactly("n1");
    }

    @Test
    void aSudoThatWantsAPasswordSaysWhatToPutInSudoers(FxRobot robot) throws Exception {
        details(robot, "net1");
        assertThat(robot.lookup("#node-problem-dialog .header-panel .label").queryAs(Label.class).getText())
                .isEqualTo("net1: sudo wants a password");
        assertThat(robot.lookup("#problem-command-0").queryTextInputControl().getText())
                .isEqualTo("echo 'stack ALL=(root) NOPASSWD: /usr/bin/python3' > /etc/sudoers.d/keepwatch");
        robot.clickOn("#problem-edit");
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> robot.lookup("#node-dialog").tryQuery().isPresent());
        assertThat(robot.lookup("#field-name").queryTextInputControl().getText()).isEqualTo("net1");
        robot.clickOn("Cancel");
    }

    @Test
    void explanationsForLoginsJumpHostsAndTheAgent() {
        SshException.AuthenticationFailed auth = new SshException.AuthenticationFailed("root", "10.0.0.1",
                List.of("publickey (agent: ED25519 SHA256:x)"), List.of("publickey"), null);
        NodeTroubleshooting login = NodeTroubleshooting.explain("gw", ConnectionState.AUTH_FAILED, auth.getMessage(), Optional.of(auth),
                Optional.of("root"));
        assertThat(login.summary()).contains("Tried: publickey (agent: ED25519 SHA256:x). The server accepts: publickey.");
        assertThat(login.commands()).contains("ssh-copy-id root@gw");

        SshException.JumpHostFailed jump = new SshException.JumpHostFailed(1, "bastion",
                new SshException.ConnectionRefused("bastion", 22, null));
        NodeTroubleshooting viaJump = NodeTroubleshooting.explain("gw", ConnectionState.OFFLINE, jump.getMessage(), Optional.of(jump),
                Optional.empty());
        assertThat(viaJump.title()).isEqualTo("gw: jump host bastion failed");
        assertThat(viaJump.steps()).anySatisfy(s -> assertThat(s).contains("Is sshd running"));

        for (AgentStartException.Reason reason : AgentStartException.Reason.values()) {
            NodeTroubleshooting agent = NodeTroubleshooting.explain("gw", ConnectionState.OFFLINE, "msg",
                    Optional.of(new AgentStartException(reason, "msg", null)), Optional.of("ops"));
            assertThat(agent.steps()).as(reason.name()).isNotEmpty();
        }
        assertThat(NodeTroubleshooting.explain("gw", ConnectionState.OFFLINE, "", Optional.of(new AgentStartException(
                AgentStartException.Reason.NO_PYTHON, "", null)), Optional.empty()).commands())
                .containsExactly("apt-get install python3-minimal", "dnf install python3");
        assertThat(NodeTroubleshooting.explain("gw", ConnectionState.OFFLINE, "", Optional.of(new AgentStartException(
                AgentStartException.Reason.NOT_ROOT, "", null)), Optional.of("ops")).steps().get(0))
                .startsWith("Turn on Sudo for this node");
        assertThat(NodeTroubleshooting.explain("gw", ConnectionState.STALE, "no heartbeat for 6 s", Optional.empty(),
                Optional.empty()).title()).isEqualTo("gw: no heartbeat");
    }
}
