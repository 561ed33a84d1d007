package org.keepwatch.app.fleetedit;

import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TextField;
import org.keepwatch.fleet.edit.FieldProblem.Field;

import java.nio.file.Path;

/** The form of one node: name, group and how to reach it. */
public final class NodeEditor {

    private final NodeForm form;
    private final ComboBox<String> group = new ComboBox<>();
    private final SettingsFields settings;
    private final Parent root;

    public NodeEditor(NodeForm form, Path home) {
        this.form = form;
        TextField name = new TextField();
        name.setId("field-name");
        name.setPromptText("e.g. lb1 or gw-a.example.net");
        name.textProperty().bindBidirectional(form.nameProperty());
        group.setId("field-group");
        group.setEditable(true);
        group.setMaxWidth(Double.MAX_VALUE);
        group.setPromptText("no group");
        group.valueProperty().bindBidirectional(form.groupProperty());
        // An editable combo box commits its text only on Enter; the form wants every keystroke.
        group.getEditor().textProperty().addListener((obs, old, text) -> form.groupProperty().set(text));
        settings = new SettingsFields(form.settings(), form::groupDefaults, "group", home);
        form.groupProperty().addListener((obs, old, value) -> settings.refreshPrompts());
        FormGrid grid = new FormGrid(form.problems())
                .add("Name", name, Field.NAME, null)
                .add("Group", group, Field.GROUP, "Nodes of one VRRP network or site: routers are matched by VRID "
                        + "within a group");
        settings.addTo(grid, true);
        root = grid.build(form.problems());
        root.setId("node-editor");
        refreshGroups();
    }

    /** Offers the fleet's groups again (after one was added). */
    public void refreshGroups() {
        String current = form.groupProperty().get();
        group.getItems().setAll(form.groupNames());
        // Replacing the items clears the value; put the node's group back.
        group.setValue(current == null ? "" : current);
        settings.refreshPrompts();
    }

    public NodeForm form() {
        return form;
    }

    public Parent root() {
        return root;
    }
}
