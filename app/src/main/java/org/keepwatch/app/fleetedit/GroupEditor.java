package org.keepwatch.app.fleetedit;

import javafx.scene.Parent;
import javafx.scene.control.TextField;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.edit.FieldProblem.Field;

import java.nio.file.Path;

/** The form of one group: name, description and the connection defaults of its nodes. */
public final class GroupEditor {

    private final GroupForm form;
    private final Parent root;

    public GroupEditor(GroupForm form, Path home) {
        this.form = form;
        TextField name = new TextField();
        name.setId("field-name");
        name.setPromptText("e.g. site-a or edge-lbs");
        name.textProperty().bindBidirectional(form.nameProperty());
        TextField description = new TextField();
        description.setId("field-description");
        description.setPromptText("what these nodes are, for the next operator");
        description.textProperty().bindBidirectional(form.descriptionProperty());
        SettingsFields defaults = new SettingsFields(form.defaults(), () -> ConnectionSettings.NONE, "", home);
        FormGrid grid = new FormGrid(form.problems())
                .add("Name", name, Field.NAME, null)
                .add("Description", description, Field.DESCRIPTION, null)
                .section("Defaults for the group's nodes (a node's own value wins)");
        defaults.addTo(grid, false);
        root = grid.build(form.problems());
        root.setId("group-editor");
    }

    public GroupForm form() {
        return form;
    }

    public Parent root() {
        return root;
    }
}
