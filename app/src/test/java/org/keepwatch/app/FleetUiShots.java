package org.keepwatch.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.control.Dialog;
import javafx.stage.Stage;
import org.keepwatch.agent.AgentStartException;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.HostKeyDialog;
import org.keepwatch.app.dialogs.NodeTroubleshooting;
import org.keepwatch.app.dialogs.NodeTroubleshootingDialog;
import org.keepwatch.app.dialogs.SecretDialog;
import org.keepwatch.app.fleetedit.FleetUi;
import org.keepwatch.app.fleetedit.NodeDialog;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.fleet.edit.FleetValidator;
import org.keepwatch.ssh.HostKeyInfo;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the fleet editor's windows and dialogs in a real window (run under Xvfb) and captures the screen with
 * ImageMagick's {@code import -window root}, one PNG per view, for a person to look at.
 * Arguments: the output directory, then "dark" for the dark theme.
 */
public final class FleetUiShots extends Application {

    private static Path out;
    private static boolean dark;

    public static void main(String[] args) {
        out = Path.of(args[0]);
        dark = args.length > 1 && args[1].equals("dark");
        launch(FleetUiShots.class);
    }

    @Override
    public void start(Stage stage) throws Exception {
        Application.setUserAgentStylesheet(dark ? new atlantafx.base.theme.PrimerDark().getUserAgentStylesheet()
                : new atlantafx.base.theme.PrimerLight().getUserAgentStylesheet());
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("kw-shots");
        Path home = Files.createDirectories(work.resolve("home"));
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/config"), "Host lb1 lb2\n  HostName %h.example.net\n  User netops\n"
                + "Host *.corp\n  User corp\nHost bastion\n  HostName 203.0.113.5\n  Port 2222\nHost n1\n  HostName 10.77.0.11\n");
        Path file = Files.writeString(work.resolve("fleet.json"), """
                {"version": 1, "name": "keepwatch-lab",
                 "groups": [{"name": "lab", "description": "keepalived nodes on one LAN", "defaults": {"user": "root"}},
                            {"name": "lab-neutron", "description": "a Neutron network node pair"}],
                 "nodes": [{"name": "n1", "group": "lab", "host": "10.77.0.11"},
                           {"name": "n2", "group": "lab", "host": "10.77.0.12"},
                           {"name": "n3", "group": "lab", "host": "10.77.0.13"},
                           {"name": "net1", "group": "lab-neutron", "host": "10.77.1.11", "user": "stack", "sudo": true}]}
                """);
        FleetService service = new FleetService(Clock.systemUTC(), Runnable::run, null);
        service.watch(FleetFile.read(file), file);
        FleetEdits edits = new FleetEdits(service, Runnable::run, work.resolve("default.json"), service::open);
        SshEnvironment environment = new SshEnvironment(home, "operator", "workstation", Optional.empty(), Map.of());
        FleetUi ui = new FleetUi(() -> stage, edits, Tasks.onFxThread(Runnable::run), () -> environment, n -> { }, home);
        AppWindow window = new AppWindow(service, Clock.systemUTC(), Runnable::run, a -> { }, n -> { },
                new MainView.Actions(() -> { }, () -> { }, ui.headerActions()), ui.welcomeChoices());
        ui.install(window.navigator(), window.model().nodes());
        stage.setScene(window.scene());
        stage.setTitle("Keepwatch");
        stage.setX(0);
        stage.setY(0);
        stage.show();
        SshException.HostKeyChanged changed = new SshException.HostKeyChanged(
                new HostKeyInfo("10.77.0.11", 22, "ssh-ed25519", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"),
                "SHA256:Wg3uU7Y9x4cR4r1dJgEOWbBQAHmuKDSbOfxhj0yV1fk", Path.of("/home/operator/.ssh/known_hosts"), 17);
        service.state().nodeStatus(new NodeStatus("n1", ConnectionState.HOST_KEY_REJECTED, java.time.Instant.now(),
                Optional.of(changed.getMessage()), Optional.empty(), Optional.empty(), Optional.of(changed)));
        AgentStartException sudo = new AgentStartException(AgentStartException.Reason.SUDO_PASSWORD,
                "net1: sudo wants a password; Keepwatch runs sudo -n and never types one: allow passwordless sudo for "
                        + "python3 there, or log in as root", null);
        service.state().nodeStatus(new NodeStatus("net1", ConnectionState.OFFLINE, java.time.Instant.now(),
                Optional.of(sudo.getMessage()), Optional.empty(), Optional.empty(), Optional.of(sudo)));
        window.pulse().pump();
        String suffix = dark ? "-dark" : "";

        List<Shot> shots = List.of(
                new Shot("welcome" + suffix, () -> { }, () -> window.model().fleetOpened("keepwatch-lab")),
                new Shot("main-nodes" + suffix, () -> ((javafx.scene.control.TabPane) stage.getScene().lookup(".tab-pane"))
                        .getSelectionModel().select(2), null),
                new Shot("node-add" + suffix, () -> {
                    NodeDialog d = new NodeDialog(stage, edits, Tasks.onFxThread(Runnable::run), new FleetValidator(home), home, Optional.empty(), "lab");
                    d.form().nameProperty().set("n1");
                    d.form().settings().hostProperty().set("10.77.0.14:2222");
                    d.form().settings().identityFileProperty().set("~/.ssh/id_missing");
                    d.show();
                    current = d.dialog();
                }, null),
                new Shot("manager" + suffix, () -> {
                    ui.manageFleet();
                    ui.manager().ifPresent(m -> m.refresh(Optional.of("net1")));
                }, () -> ui.manager().ifPresent(m -> m.root().getScene().getWindow().hide())),
                new Shot("import-ssh" + suffix, () -> Platform.runLater(ui::importSshConfig), null),
                new Shot("import-ansible" + suffix, () -> Platform.runLater(() -> ui.importAnsible(
                        Path.of("src/test/resources/org/keepwatch/app/fleetedit/inventory.yml"))), null),
                new Shot("host-key-unknown" + suffix, () -> show(HostKeyDialog.create(stage, new HostKeyInfo(
                        "10.77.0.12", 22, "ssh-ed25519", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"))), null),
                new Shot("password" + suffix, () -> show(SecretDialog.password(stage, new org.keepwatch.ssh.LoginTarget("stack", "10.77.1.11", 22, List.of()), 2,
                        new SecretDialog.Remember(false, false, "secret-tool is not installed (apt-get install "
                                + "libsecret-tools), so passwords cannot be kept in the desktop keyring"))), null),
                new Shot("passphrase" + suffix, () -> show(SecretDialog.passphrase(stage, home.resolve(".ssh/id_ed25519"), 1,
                        new SecretDialog.Remember(true, false, ""))), null),
                new Shot("host-key-changed" + suffix, () -> show(NodeTroubleshootingDialog.create(stage, NodeTroubleshooting.explain("n1",
                        ConnectionState.HOST_KEY_REJECTED, changed.getMessage(), Optional.of(changed), Optional.of("root")),
                        () -> { }, Optional.of(() -> { }))), null),
                new Shot("sudo-password" + suffix, () -> show(NodeTroubleshootingDialog.create(stage, NodeTroubleshooting.explain("net1",
                        ConnectionState.OFFLINE, sudo.getMessage(), Optional.of(sudo), Optional.of("stack")),
                        () -> { }, Optional.of(() -> { }))), null));
        new Thread(() -> run(shots), "shots").start();
    }

    private static Dialog<?> current;

    private static void show(Dialog<?> dialog) {
        current = dialog;
        dialog.show();
    }

    private record Shot(String name, Runnable show, Runnable hide) {
    }

    private static void run(List<Shot> shots) {
        try {
            for (Shot shot : shots) {
                Platform.runLater(shot.show());
                Thread.sleep(1500);
                Process p = new ProcessBuilder("import", "-window", "root", out.resolve(shot.name() + ".png").toString())
                        .inheritIO().start();
                p.waitFor();
                Platform.runLater(() -> {
                    javafx.stage.Window.getWindows().stream().filter(w -> w instanceof Stage s && s.getOwner() != null)
                            .toList().forEach(javafx.stage.Window::hide);
                    if (shot.hide() != null) {
                        shot.hide().run();
                    }
                });
                Thread.sleep(500);
            }
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            Platform.exit();
        }
    }

}
