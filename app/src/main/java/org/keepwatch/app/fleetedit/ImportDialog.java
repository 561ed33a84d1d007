package org.keepwatch.app.fleetedit;

import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.event.ActionEvent;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.app.dialogs.DialogSupport;
import org.keepwatch.app.fleetedit.ImportModel.GroupMode;
import org.keepwatch.app.fleetedit.ImportModel.Row;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.inventory.ImportCandidate;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * Choose which hosts of a source (~/.ssh/config, an Ansible inventory) become fleet nodes, and into which group.
 * The source is read on the I/O thread; the dialog shows "Reading…" until it arrives, or why it could not.
 */
public final class ImportDialog {

    private final Dialog<Fleet> dialog = new Dialog<>();
    private final ImportModel model = new ImportModel();
    private final TableView<Row> table = new TableView<>();

    /**
     * @param source e.g. "~/.ssh/config"
     * @param read   reads the source (on the I/O thread, while the dialog shows "Reading…")
     */
    public ImportDialog(Window owner, FleetEdits edits, Tasks tasks, String source, Callable<ImportSource> read) {
        DialogSupport.prepare(dialog, owner, "import-dialog");
        dialog.setTitle("Import nodes");
        dialog.setHeaderText("Import nodes from " + source);
        dialog.setGraphic(DialogSupport.icon(Material2AL.INPUT, "info"));
        dialog.setResizable(true);

        table.setId("import-table");
        table.setItems(model.rows());
        table.setEditable(true);
        table.setPlaceholder(new Label("Reading " + source + "…"));
        table.setPrefHeight(300);
        table.setPrefWidth(820);
        TableColumn<Row, Boolean> tick = new TableColumn<>();
        tick.setCellValueFactory(c -> c.getValue().selectedProperty());
        tick.setCellFactory(CheckBoxTableCell.forTableColumn(tick));
        tick.setEditable(true);
        tick.setPrefWidth(36);
        tick.setSortable(false);
        TableColumn<Row, String> name = text("Name", r -> r.candidate().name() + (r.inFleet() ? "  (in the fleet)" : ""));
        name.setPrefWidth(170);
        TableColumn<Row, String> connects = text("Connects to", r -> r.candidate().connectsTo());
        connects.setPrefWidth(200);
        TableColumn<Row, String> groups = text("Groups", r -> String.join(", ", r.candidate().groups()));
        groups.setPrefWidth(120);
        groups.visibleProperty().bind(model.sourceHasGroupsProperty());
        TableColumn<Row, String> notes = text("Notes", r -> String.join("; ", r.candidate().notes()));
        notes.setPrefWidth(260);
        notes.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                setTooltip(empty || text == null || text.isEmpty() ? null : Tooltips.wrapping(text));
            }
        });
        table.getColumns().setAll(List.of(tick, name, connects, groups, notes));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        Button all = new Button("Select all");
        all.setId("import-select-all");
        all.setOnAction(e -> model.selectAll(true));
        Button none = new Button("Select none");
        none.setId("import-select-none");
        none.setOnAction(e -> model.selectAll(false));
        Label message = new Label();
        message.setId("import-message");
        message.setWrapText(true);
        message.textProperty().bind(model.messageProperty());
        all.setMinWidth(Region.USE_PREF_SIZE);
        none.setMinWidth(Region.USE_PREF_SIZE);
        HBox selection = new HBox(8, all, none);
        selection.setAlignment(Pos.CENTER_LEFT);

        ToggleGroup mode = new ToggleGroup();
        RadioButton oneGroup = new RadioButton("Into group");
        oneGroup.setId("import-into-group");
        oneGroup.setToggleGroup(mode);
        oneGroup.setSelected(true);
        RadioButton sourceGroups = new RadioButton("Into the inventory's groups (each host's most specific group)");
        sourceGroups.setId("import-source-groups");
        sourceGroups.setToggleGroup(mode);
        sourceGroups.visibleProperty().bind(model.sourceHasGroupsProperty());
        sourceGroups.managedProperty().bind(model.sourceHasGroupsProperty());
        mode.selectedToggleProperty().addListener((obs, old, t) ->
                model.groupModeProperty().set(t == sourceGroups ? GroupMode.SOURCE_GROUPS : GroupMode.ONE_GROUP));
        ComboBox<String> group = new ComboBox<>();
        group.setId("import-group");
        group.setEditable(true);
        group.setPromptText("no group");
        group.getItems().setAll(edits.current().groups().stream().map(FleetGroup::name).toList());
        group.valueProperty().bindBidirectional(model.groupProperty());
        group.getEditor().textProperty().addListener((obs, old, text) -> model.groupProperty().set(text));
        group.disableProperty().bind(sourceGroups.selectedProperty());
        HBox into = new HBox(8, oneGroup, group);
        into.setAlignment(Pos.CENTER_LEFT);
        Label status = new Label();
        status.setId("import-status");
        status.setWrapText(true);
        VBox content = new VBox(10, table, message, selection, into, sourceGroups, status);
        VBox.setVgrow(table, Priority.ALWAYS);
        content.setPrefWidth(820);
        dialog.getDialogPane().setContent(content);

        ButtonType importType = new ButtonType("Import", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().setAll(importType, ButtonType.CANCEL);
        Button importButton = (Button) dialog.getDialogPane().lookupButton(importType);
        importButton.setId("import-button");
        importButton.textProperty().bind(Bindings.createStringBinding(() -> {
            int n = model.selectedCountProperty().get();
            return n == 1 ? "Import 1 node" : "Import " + n + " nodes";
        }, model.selectedCountProperty()));
        importButton.disableProperty().bind(model.selectedCountProperty().isEqualTo(0));
        dialog.setResultConverter(b -> null);
        importButton.addEventFilter(ActionEvent.ACTION, event -> {
            event.consume();
            importButton.disableProperty().unbind();
            importButton.setDisable(true);
            SaveFeedback.track(tasks, edits.apply(model.edit()), status, saved -> {
                dialog.setResult(saved);
                dialog.close();
            }, () -> importButton.disableProperty().bind(model.selectedCountProperty().isEqualTo(0)));
        });

        tasks.run(read).onSuccess(found -> {
            table.setPlaceholder(new Label("No concrete hosts in " + source));
            model.setCandidates(found.candidates(), edits.current());
            if (!found.warnings().isEmpty()) {
                status.setText("Skipped: " + String.join("; ", found.warnings()));
            }
        }).onError(error -> {
            table.setPlaceholder(new Label("Nothing read"));
            model.cannotRead("Cannot read " + source + ": " + SaveFeedback.reason(error));
        }).start();
    }

    /** What a source yields: the candidates, and what was skipped while reading it. */
    public record ImportSource(List<ImportCandidate> candidates, List<String> warnings) {
    }

    private static TableColumn<Row, String> text(String title, Function<Row, String> value) {
        TableColumn<Row, String> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyStringWrapper(value.apply(c.getValue())));
        return column;
    }

    public Dialog<Fleet> dialog() {
        return dialog;
    }

    public ImportModel model() {
        return model;
    }

    public void show() {
        dialog.show();
    }

}
