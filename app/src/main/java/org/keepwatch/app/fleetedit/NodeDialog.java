package org.keepwatch.app.fleetedit;

import javafx.event.ActionEvent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.DialogSupport;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.fleet.edit.FleetValidator;
import org.kordamp.ikonli.material2.Material2AL;

import java.nio.file.Path;
import java.util.Optional;

/**
 * "Add node" and "Edit node": the node's form in a dialog that closes only once the fleet file is written;
 * a failed save stays open and says why.
 */
public final class NodeDialog {

    private final Dialog<Fleet> dialog = new Dialog<>();
    private final NodeForm form;

    /** @param node the node to edit, or empty to add one to {@code group} */
    public NodeDialog(Window owner, FleetEdits edits, Tasks tasks, FleetValidator validator, Path home,
                      Optional<FleetNode> node, String group) {
        form = new NodeForm(edits::current, validator);
        node.ifPresentOrElse(form::load, () -> form.clear(group));
        NodeEditor editor = new NodeEditor(form, home);
        DialogSupport.prepare(dialog, owner, "node-dialog");
        dialog.setTitle(node.isPresent() ? "Edit node " + node.get().name() : "Add a node");
        dialog.setHeaderText(node.isPresent() ? "Edit how Keepwatch reaches " + node.get().name()
                : "Add a keepalived node. Fields left empty come from its group, then from ~/.ssh/config.");
        dialog.setGraphic(DialogSupport.icon(Material2AL.ADD_TO_QUEUE, "info"));
        Label where = new Label("Saved to " + edits.target());
        where.getStyleClass().addAll("text-muted", "text-small");
        Label status = new Label();
        status.setId("save-status");
        status.setWrapText(true);
        ScrollPane scroll = new ScrollPane(editor.root());
        scroll.setFitToWidth(true);
        scroll.setPrefViewportHeight(470);
        scroll.getStyleClass().add("edge-to-edge");
        dialog.getDialogPane().setContent(new VBox(8, scroll, where, status));
        dialog.getDialogPane().setPrefWidth(640);
        ButtonType save = new ButtonType(node.isPresent() ? "Save" : "Add node", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().setAll(save, ButtonType.CANCEL);
        Button saveButton = (Button) dialog.getDialogPane().lookupButton(save);
        saveButton.setId("node-dialog-save");
        saveButton.disableProperty().bind(form.validProperty().not());
        dialog.setResultConverter(button -> null);
        saveButton.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            saveButton.disableProperty().unbind();
            saveButton.setDisable(true);
            SaveFeedback.track(tasks, edits.apply(form.edit()), status, saved -> {
                dialog.setResult(saved);
                dialog.close();
            }, () -> saveButton.disableProperty().bind(form.validProperty().not()));
        });
    }

    public Dialog<Fleet> dialog() {
        return dialog;
    }

    public NodeForm form() {
        return form;
    }

    /** Shows the dialog; returns at once (the save completes on its own). */
    public void show() {
        dialog.show();
    }
}
