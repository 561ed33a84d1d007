package org.keepwatch.app.dialogs;

import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.keepwatch.ssh.LoginTarget;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.nio.file.Path;
import java.util.Optional;

/** Passphrase, password and keyboard-interactive prompts: what is asked for, for what, and whether to remember it. */
public final class SecretDialog {

    /** What the operator typed, and whether to keep it in the keyring. The caller clears {@code secret}. */
    public record Answer(char[] secret, boolean remember) {
    }

    /** Whether a "remember" box is offered, and if not, why not (shown as a hint). */
    public record Remember(boolean offered, boolean initially, String unavailable) {
        public static final Remember NEVER = new Remember(false, false, "");
    }

    public static final ButtonType OK = new ButtonType("Connect", ButtonBar.ButtonData.OK_DONE);

    private SecretDialog() {
    }

    public static Dialog<Answer> passphrase(Window owner, Path key, int attempt, Remember remember) {
        return build(owner, "passphrase-dialog", "Key passphrase", "Passphrase for " + key.getFileName(),
                Material2MZ.VPN_KEY, "The private key " + key + " is encrypted. Type its passphrase to use it for "
                        + "this connection.", "Passphrase", attempt, "That passphrase did not decrypt the key.",
                false, remember);
    }

    public static Dialog<Answer> password(Window owner, LoginTarget login, int attempt, Remember remember) {
        String where = login.host() + (login.port() == 22 ? "" : " port " + login.port())
                + (login.jumpHosts().isEmpty() ? "" : " (through " + String.join(", ", login.jumpHosts()) + ")");
        return build(owner, "password-dialog", "Password", "Password for " + login.displayName(), Material2AL.LOCK,
                "The server asks for " + login.user() + "'s password. It is sent only to " + where + " and never "
                        + "written to a file.", "Password", attempt, "The server refused that password.", false, remember);
    }

    /**
     * sudo's password on a node: said where it goes (that node's sudo only), that it is kept in memory for this
     * session's reconnects and nowhere else unless the keyring is chosen, and on the second attempt that it is the last.
     */
    public static Dialog<Answer> sudoPassword(Window owner, LoginTarget login, String node, int attempt,
                                              Remember remember) {
        String where = login.host() + (login.port() == 22 ? "" : " port " + login.port())
                + (login.jumpHosts().isEmpty() ? "" : " through " + String.join(", ", login.jumpHosts()));
        return build(owner, "sudo-password-dialog", "sudo password", "sudo password of " + login.user() + " on " + node,
                Material2AL.ADMIN_PANEL_SETTINGS, "sudo on " + node + " (" + where + ") asks for " + login.user()
                        + "'s password to start the agent as root. It is sent only to sudo on that node, kept in "
                        + "memory for this session's reconnects, and written nowhere else.", "Password", attempt,
                "sudo refused that password. This is the last try: Keepwatch stops after two, so retries do not "
                        + "lock the account.", false, remember);
    }

    public static Dialog<Answer> keyboardInteractive(Window owner, String user, String host, String instruction,
                                                     String prompt, boolean echo) {
        String text = instruction == null || instruction.isBlank() ? "The server " + host + " asks " + user + ":"
                : instruction.strip();
        return build(owner, "keyboard-interactive-dialog", "Login question", user + "@" + host + " asks",
                Material2AL.DIALPAD, text, prompt == null || prompt.isBlank() ? "Answer" : prompt.strip(), 1, "", echo,
                Remember.NEVER);
    }

    private static Dialog<Answer> build(Window owner, String id, String title, String header,
                                        Ikon icon, String explanation, String fieldName, int attempt,
                                        String retryText, boolean echo, Remember remember) {
        Dialog<Answer> dialog = new Dialog<>();
        DialogSupport.prepare(dialog, owner, id);
        dialog.setTitle(title);
        dialog.setHeaderText(header);
        dialog.setGraphic(DialogSupport.icon(icon, "info"));
        TextField field = echo ? new TextField() : new PasswordField();
        field.setId("secret-field");
        field.setPromptText(fieldName);
        VBox content = new VBox(10);
        if (attempt > 1 && !retryText.isEmpty()) {
            Label again = DialogSupport.paragraph(retryText + " Try again (attempt " + attempt + ").");
            again.setId("secret-retry");
            again.getStyleClass().add("kw-field-error");
            content.getChildren().add(again);
        }
        Label fieldLabel = new Label(fieldName.endsWith(":") ? fieldName : fieldName + ":");
        fieldLabel.setLabelFor(field);
        content.getChildren().addAll(DialogSupport.paragraph(explanation), fieldLabel, field);
        CheckBox keep = new CheckBox("Remember in the desktop keyring");
        keep.setId("secret-remember");
        keep.setSelected(remember.initially());
        if (remember.offered()) {
            content.getChildren().add(keep);
        } else if (!remember.unavailable().isEmpty()) {
            Label none = DialogSupport.paragraph("Asked every time: " + remember.unavailable() + ".");
            none.getStyleClass().addAll("text-muted", "text-small");
            content.getChildren().add(none);
        }
        content.setPrefWidth(460);
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().getButtonTypes().setAll(OK, ButtonType.CANCEL);
        Button ok = (Button) dialog.getDialogPane().lookupButton(OK);
        ok.setId("secret-ok");
        dialog.setResultConverter(button -> {
            if (button != OK) {
                field.clear();
                return null;
            }
            char[] secret = field.getText().toCharArray();
            field.clear();
            return new Answer(secret, remember.offered() && keep.isSelected());
        });
        dialog.setOnShown(e -> Platform.runLater(field::requestFocus));
        return dialog;
    }

    /** The answer as the prompts return it: empty when cancelled. */
    public static Optional<Answer> answer(Dialog<Answer> dialog) {
        return Optional.ofNullable(dialog.getResult());
    }
}
