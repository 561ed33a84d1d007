package org.keepwatch.app.dialogs;

import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.keepwatch.ssh.HostKeyDecision;
import org.keepwatch.ssh.HostKeyInfo;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.Locale;

/**
 * A host key known_hosts has never seen: the host, port, key type and SHA256 fingerprint, how to check it on
 * the node, and three answers. Reject is the default and what Escape or closing the window means.
 */
public final class HostKeyDialog {

    public static final ButtonType REJECT = new ButtonType("Reject", ButtonBar.ButtonData.CANCEL_CLOSE);
    public static final ButtonType ACCEPT_ONCE = new ButtonType("Accept once", ButtonBar.ButtonData.OTHER);
    public static final ButtonType ACCEPT_AND_SAVE = new ButtonType("Accept and save", ButtonBar.ButtonData.OK_DONE);

    private HostKeyDialog() {
    }

    public static Dialog<HostKeyDecision> create(Window owner, HostKeyInfo key) {
        Dialog<HostKeyDecision> dialog = new Dialog<>();
        DialogSupport.prepare(dialog, owner, "host-key-dialog");
        dialog.setTitle("Unknown host key");
        dialog.setHeaderText("Is this really " + key.hostDisplay() + "?");
        dialog.setGraphic(DialogSupport.icon(Material2MZ.VPN_KEY, "warning"));

        Label intro = key.otherTypesKnown().isEmpty()
                ? DialogSupport.paragraph("The authenticity of host " + key.hostDisplay() + " can't be established: "
                + "your known_hosts files have no key for it. If you have never connected to it before, this is "
                + "expected. Check the fingerprint before you accept it, or someone between you and the node could "
                + "be answering in its place.")
                : otherTypesWarning(dialog, key);
        GridPane facts = facts(key);
        Label check = DialogSupport.paragraph("Compare it with the fingerprint the node itself reports, read over a "
                + "channel you trust (its console, your provisioning records). On the node:");
        VBox content = new VBox(10, intro, facts, check,
                DialogSupport.copyable("host-key-check-command", checkCommand(key.keyType())),
                hint("Accept once connects now and asks again next time. Accept and save also adds the key to the "
                        + "node's known_hosts file, so neither Keepwatch nor ssh asks again."));
        content.setPrefWidth(640);
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().getButtonTypes().setAll(ACCEPT_AND_SAVE, ACCEPT_ONCE, REJECT);
        // Enter must not accept a key by accident: Reject is the default button.
        ((Button) dialog.getDialogPane().lookupButton(ACCEPT_AND_SAVE)).setDefaultButton(false);
        ((Button) dialog.getDialogPane().lookupButton(REJECT)).setDefaultButton(true);
        dialog.getDialogPane().lookupButton(REJECT).setId("host-key-reject");
        dialog.getDialogPane().lookupButton(ACCEPT_ONCE).setId("host-key-accept-once");
        dialog.getDialogPane().lookupButton(ACCEPT_AND_SAVE).setId("host-key-accept-save");
        dialog.setResultConverter(button -> button == ACCEPT_AND_SAVE ? HostKeyDecision.ACCEPT_AND_SAVE
                : button == ACCEPT_ONCE ? HostKeyDecision.ACCEPT_ONCE : HostKeyDecision.REJECT);
        return dialog;
    }

    /**
     * OpenSSH's "keys of different type are already known for this host", in words: which types and fingerprints
     * are known, and why a new type is suspicious.
     */
    private static Label otherTypesWarning(Dialog<HostKeyDecision> dialog, HostKeyInfo key) {
        dialog.setTitle("Host key of a new type");
        Label warning = DialogSupport.paragraph("WARNING: " + key.hostDisplay() + " is already known by a key of "
                + "another type: " + key.describeOtherTypesKnown() + ". It now presents a " + key.keyType()
                + " key instead. A man in the middle would do exactly this: offer a key of a type you never checked."
                + " Accept it only if the node itself reports this fingerprint for its " + key.keyType() + " key.");
        warning.setId("host-key-other-types");
        warning.getStyleClass().add("danger");
        return warning;
    }

    private static GridPane facts(HostKeyInfo key) {
        GridPane grid = new GridPane();
        grid.getStyleClass().add("kw-key-value");
        grid.setHgap(12);
        grid.setVgap(4);
        row(grid, 0, "Host", key.host(), "host-key-host");
        row(grid, 1, "Port", Integer.toString(key.port()), "host-key-port");
        row(grid, 2, "Key type", key.keyType(), "host-key-type");
        grid.add(name("Fingerprint"), 0, 3);
        grid.add(DialogSupport.copyable("host-key-fingerprint", key.fingerprint()), 1, 3);
        ColumnConstraints second = new ColumnConstraints();
        second.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().setAll(new ColumnConstraints(), second);
        return grid;
    }

    static void row(GridPane grid, int row, String name, String value, String id) {
        Label v = new Label(value);
        v.setId(id);
        v.getStyleClass().add("kw-value");
        grid.add(name(name), 0, row);
        grid.add(v, 1, row);
    }

    static Label name(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("kw-key");
        return label;
    }

    static Label hint(String text) {
        Label label = DialogSupport.paragraph(text);
        label.getStyleClass().add("text-muted");
        return label;
    }

    /** ssh-keygen -lf on the node's host key file of that type. */
    static String checkCommand(String keyType) {
        return "ssh-keygen -lf /etc/ssh/ssh_host_" + hostKeyFile(keyType) + "_key.pub";
    }

    private static String hostKeyFile(String keyType) {
        String type = keyType.toLowerCase(Locale.ROOT);
        if (type.contains("ed25519")) {
            return "ed25519";
        }
        if (type.contains("ecdsa")) {
            return "ecdsa";
        }
        if (type.contains("dss") || type.contains("dsa") && !type.contains("rsa")) {
            return "dsa";
        }
        return "rsa";
    }
}
