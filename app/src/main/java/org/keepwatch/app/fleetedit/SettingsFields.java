package org.keepwatch.app.fleetedit;

import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;
import org.keepwatch.app.fleetedit.SettingsFormModel.Sudo;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.edit.FieldProblem.Field;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The connection fields of a form, bound to a {@link SettingsFormModel}; each empty field's prompt says what
 * applies instead (the group's default, or ~/.ssh/config).
 */
final class SettingsFields {

    private final TextField host = field("host");
    private final TextField port = field("port");
    private final TextField user = field("user");
    private final TextField identityFile = field("identity-file");
    private final TextField knownHostsFile = field("known-hosts-file");
    private final ChoiceBox<Sudo> sudo = new ChoiceBox<>();
    private final TextField jumpHost = field("jump-host");
    private final Supplier<ConnectionSettings> inherited;
    private final String inheritedFrom;
    private final Path home;

    /**
     * @param inherited     what applies when a field is empty (a node's group defaults; none for a group)
     * @param inheritedFrom how to name where that comes from ("group lab")
     */
    SettingsFields(SettingsFormModel model, Supplier<ConnectionSettings> inherited, String inheritedFrom, Path home) {
        this.inherited = inherited;
        this.inheritedFrom = inheritedFrom;
        host.textProperty().bindBidirectional(model.hostProperty());
        port.textProperty().bindBidirectional(model.portProperty());
        port.setPrefColumnCount(6);
        user.textProperty().bindBidirectional(model.userProperty());
        identityFile.textProperty().bindBidirectional(model.identityFileProperty());
        knownHostsFile.textProperty().bindBidirectional(model.knownHostsFileProperty());
        jumpHost.textProperty().bindBidirectional(model.jumpHostProperty());
        sudo.setId("field-sudo");
        sudo.getItems().setAll(Sudo.values());
        sudo.valueProperty().bindBidirectional(model.sudoProperty());
        sudo.setConverter(new StringConverter<>() {
            @Override
            public String toString(Sudo value) {
                if (value == null || value == Sudo.INHERIT) {
                    Optional<Boolean> from = inherited.get().sudo();
                    return from.map(v -> (v ? "Yes" : "No") + " (as " + inheritedFrom + " says)")
                            .orElse("No (not set)");
                }
                return value == Sudo.YES ? "Yes: start the agent with sudo -n" : "No: log in as a user who can";
            }

            @Override
            public Sudo fromString(String text) {
                return Sudo.INHERIT;
            }
        });
        this.home = home;
        refreshPrompts();
    }

    /** Re-reads the inherited values into the prompts (after the group changed). */
    void refreshPrompts() {
        ConnectionSettings from = inherited.get();
        host.setPromptText("empty: the node's name, through ~/.ssh/config");
        port.setPromptText(from.port().map(p -> p + " (" + inheritedFrom + ")").orElse("22 or ~/.ssh/config"));
        user.setPromptText(from.user().map(u -> u + " (" + inheritedFrom + ")").orElse("from ~/.ssh/config, or your login name"));
        identityFile.setPromptText(from.identityFile().map(f -> f + " (" + inheritedFrom + ")")
                .orElse("ssh-agent and ~/.ssh/config keys"));
        knownHostsFile.setPromptText(from.knownHostsFile().map(f -> f + " (" + inheritedFrom + ")").orElse("~/.ssh/known_hosts"));
        jumpHost.setPromptText(from.jumpHost().map(j -> j + " (" + inheritedFrom + ")").orElse("none, or [user@]host[:port]"));
        Sudo current = sudo.getValue();
        sudo.setValue(null);
        sudo.setValue(current);
    }

    /** Adds the rows to a form; {@code withHost} is false for a group's defaults. */
    void addTo(FormGrid form, boolean withHost) {
        if (withHost) {
            form.add("Host", host, Field.HOST, "Address or DNS name to connect to");
        }
        form.add("Port", port, Field.PORT, null)
                .add("User", user, Field.USER, null)
                .add("Identity file", browse(identityFile, "Choose the private key"), Field.IDENTITY_FILE,
                        "Private key on this workstation; its passphrase is asked for when needed, never saved")
                .add("known_hosts file", browse(knownHostsFile, "Choose a known_hosts file"), Field.KNOWN_HOSTS_FILE, null)
                .add("Sudo", sudo, Field.SUDO, "For a login that is not root: needs passwordless sudo for python3")
                .add("Jump host", jumpHost, Field.JUMP_HOST, "Reach the node through these hosts, as ssh -J does");
    }

    private HBox browse(TextField field, String title) {
        Button choose = new Button(null, new FontIcon(Material2AL.FOLDER_OPEN));
        choose.setId(field.getId() + "-browse");
        choose.setTooltip(new Tooltip(title));
        choose.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle(title);
            File ssh = home.resolve(".ssh").toFile();
            if (ssh.isDirectory()) {
                chooser.setInitialDirectory(ssh);
            }
            File chosen = chooser.showOpenDialog(field.getScene().getWindow());
            if (chosen != null) {
                field.setText(tilde(chosen.toPath()));
            }
        });
        HBox box = new HBox(4, field, choose);
        HBox.setHgrow(field, Priority.ALWAYS);
        return box;
    }

    /** A file under the home directory is written as ~/..., as ssh_config users write it. */
    private String tilde(Path file) {
        return file.startsWith(home) ? "~/" + home.relativize(file) : file.toString();
    }

    private static TextField field(String id) {
        TextField field = new TextField();
        field.setId("field-" + id);
        return field;
    }
}
