package org.keepwatch.app.dialogs;

import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.keepwatch.ssh.SshException;

/**
 * A changed host key, as OpenSSH warns about it: the warning, both fingerprints, the known_hosts line that holds
 * the old one, what to check, and how to remove the line once the new key is confirmed.
 */
final class HostKeyChangedView {

    private HostKeyChangedView() {
    }

    static Node create(SshException.HostKeyChanged changed) {
        Label warning = new Label("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!");
        warning.getStyleClass().add("kw-warning-title");
        warning.setId("host-key-changed-warning");
        Label nasty = DialogSupport.paragraph("IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY! Someone could be "
                + "eavesdropping on you right now (man-in-the-middle attack). It is also possible that the host key "
                + "has just been changed.");
        VBox box = new VBox(6, warning, nasty);
        box.getStyleClass().add("kw-warning-box");

        GridPane facts = new GridPane();
        facts.getStyleClass().add("kw-key-value");
        facts.setHgap(12);
        facts.setVgap(4);
        HostKeyDialog.row(facts, 0, "Host", changed.key().hostDisplay(), "changed-host");
        HostKeyDialog.row(facts, 1, "Key type", changed.key().keyType(), "changed-key-type");
        facts.add(HostKeyDialog.name("Now presents"), 0, 2);
        facts.add(DialogSupport.copyable("changed-new-fingerprint", changed.key().fingerprint()), 1, 2);
        facts.add(HostKeyDialog.name("known_hosts has"), 0, 3);
        facts.add(DialogSupport.copyable("changed-old-fingerprint", changed.knownFingerprint()), 1, 3);
        HostKeyDialog.row(facts, 4, "Held in", changed.knownHostsFile() + " line " + changed.knownHostsLine(),
                "changed-known-hosts");
        ColumnConstraints second = new ColumnConstraints();
        second.setHgrow(Priority.ALWAYS);
        facts.getColumnConstraints().setAll(new ColumnConstraints(), second);

        VBox steps = new VBox(4,
                DialogSupport.paragraph("1. Find out whether the node was reinstalled or its SSH host keys were "
                        + "regenerated. If nobody did, treat this as an attack and do not connect."),
                DialogSupport.paragraph("2. Read the node's own fingerprint over a channel you trust (its console) and "
                        + "compare it with \"Now presents\":"),
                DialogSupport.copyable("changed-check-command", HostKeyDialog.checkCommand(changed.key().keyType())),
                DialogSupport.paragraph("3. Only if they match, remove the old line (line " + changed.knownHostsLine()
                        + " of " + changed.knownHostsFile() + "), then press Reconnect: Keepwatch asks about the new "
                        + "key."),
                DialogSupport.copyable("changed-remove-command", "ssh-keygen -R '" + changed.key().hostDisplay()
                        + "' -f " + changed.knownHostsFile()));
        steps.getStyleClass().add("kw-steps");
        Label what = new Label("What to check");
        what.getStyleClass().add("kw-form-section");
        return new VBox(12, box, facts, what, steps);
    }
}
