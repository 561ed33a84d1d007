package org.keepwatch.app.editor;

import javafx.beans.value.ObservableValue;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** The pieces every editor window lays out the same way: field grids, button rows, the status line. */
final class EditorLayout {

    private EditorLayout() {
    }

    /** Labels on the right of a fixed column, fields with their hint below them filling the rest. */
    static GridPane fieldGrid() {
        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(6);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(140);
        labels.setHalignment(HPos.RIGHT);
        ColumnConstraints values = new ColumnConstraints();
        values.setHgrow(Priority.ALWAYS);
        values.setFillWidth(true);
        grid.getColumnConstraints().setAll(labels, values);
        return grid;
    }

    /** A row of a field grid: the label (top-aligned), the field, its hint in small muted text. */
    static Label field(GridPane grid, int row, String label, Node control, String hint) {
        Label name = new Label(label);
        if (control instanceof Control c) {
            name.setLabelFor(c);
        }
        GridPane.setValignment(name, VPos.TOP);
        Label hintLabel = new Label(hint);
        hintLabel.getStyleClass().add("kw-form-hint");
        hintLabel.setWrapText(true);
        grid.add(name, 0, row);
        grid.add(new VBox(2, control, hintLabel), 1, row);
        return name;
    }

    /** Buttons at the right end of a row. */
    static HBox buttons(Button... buttons) {
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(8);
        bar.getChildren().add(spacer);
        bar.getChildren().addAll(buttons);
        bar.setAlignment(Pos.CENTER_RIGHT);
        bar.setPadding(new Insets(10, 0, 0, 0));
        return bar;
    }

    /** The bottom line: a spinner while the node works, what happened, and the last problem in red. */
    static HBox statusBar(String idPrefix, ObservableValue<String> status, ObservableValue<String> problem,
                          ObservableValue<Boolean> busy) {
        Label statusLabel = new Label();
        statusLabel.setId(idPrefix + "-status");
        statusLabel.textProperty().bind(status);
        Label problemLabel = new Label();
        problemLabel.setId(idPrefix + "-problem");
        problemLabel.getStyleClass().add("kw-problem");
        problemLabel.setWrapText(true);
        problemLabel.textProperty().bind(problem);
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setMaxSize(16, 16);
        spinner.visibleProperty().bind(busy);
        spinner.managedProperty().bind(busy);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(10, spinner, statusLabel, spacer, problemLabel);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add("kw-status-bar");
        bar.setPadding(new Insets(4, 12, 4, 12));
        return bar;
    }
}
