package org.keepwatch.app.dialogs;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.Optional;

/**
 * "Details" of a node that is not online: the explanation of {@link NodeTroubleshooting}, with Reconnect and Edit node
 * at hand since they are what fixing it usually ends with.
 */
public final class NodeTroubleshootingDialog {

    public static final ButtonType RECONNECT = new ButtonType("Reconnect", ButtonBar.ButtonData.OTHER);
    public static final ButtonType EDIT = new ButtonType("Edit node…", ButtonBar.ButtonData.LEFT);

    private NodeTroubleshootingDialog() {
    }

    /**
     * @param reconnect connect the node again
     * @param edit      open the node's form, when the node is in the fleet file
     */
    public static Dialog<ButtonType> create(Window owner, NodeTroubleshooting problem, Runnable reconnect,
                                            Optional<Runnable> edit) {
        return create(owner, problem, reconnect, edit, "");
    }

    /**
     * The same, saying what kind of node it is first ({@code facts}: its keepalived version as lint checks against it,
     * a container, Neutron, read-only; empty: nothing said).
     */
    public static Dialog<ButtonType> create(Window owner, NodeTroubleshooting problem, Runnable reconnect,
                                            Optional<Runnable> edit, String facts) {
        Dialog<ButtonType> dialog = new Dialog<>();
        DialogSupport.prepare(dialog, owner, "node-problem-dialog");
        dialog.setTitle("Node details");
        dialog.setHeaderText(problem.title());
        dialog.setGraphic(DialogSupport.icon(problem.tone().equals("danger") ? Material2MZ.REPORT
                : Material2AL.ERROR_OUTLINE, problem.tone()));
        VBox content = new VBox(10);
        Label summary = DialogSupport.paragraph(problem.summary());
        summary.setId("problem-summary");
        content.getChildren().add(summary);
        if (!facts.isEmpty()) {
            Label node = DialogSupport.paragraph(facts);
            node.setId("node-facts");
            content.getChildren().add(node);
        }
        problem.changedKey().ifPresent(changed -> content.getChildren().add(HostKeyChangedView.create(changed)));
        if (!problem.steps().isEmpty()) {
            Label what = new Label("What to do");
            what.getStyleClass().add("kw-form-section");
            VBox steps = new VBox(4);
            steps.setId("problem-steps");
            steps.getStyleClass().add("kw-steps");
            problem.steps().forEach(s -> steps.getChildren().add(DialogSupport.paragraph("• " + s)));
            content.getChildren().addAll(what, steps);
        }
        for (int i = 0; i < problem.commands().size(); i++) {
            content.getChildren().add(DialogSupport.copyable("problem-command-" + i, problem.commands().get(i)));
        }
        if (!problem.error().isEmpty() && !problem.error().equals(problem.summary())) {
            Node raw = DialogSupport.copyable("problem-error", problem.error());
            TitledPane details = new TitledPane("The error as reported", raw);
            details.setExpanded(false);
            details.setId("problem-error-pane");
            content.getChildren().add(details);
        }
        content.setPrefWidth(720);
        dialog.getDialogPane().setContent(content);
        dialog.getDialogPane().getButtonTypes().add(RECONNECT);
        edit.ifPresent(e -> dialog.getDialogPane().getButtonTypes().add(EDIT));
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        Button reconnectButton = (Button) dialog.getDialogPane().lookupButton(RECONNECT);
        reconnectButton.setId("problem-reconnect");
        reconnectButton.setOnAction(e -> reconnect.run());
        edit.ifPresent(e -> {
            Button editButton = (Button) dialog.getDialogPane().lookupButton(EDIT);
            editButton.setId("problem-edit");
            editButton.setOnAction(x -> e.run());
        });
        return dialog;
    }
}
