package org.keepwatch.app.editor;

import javafx.beans.value.ObservableValue;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.List;
import java.util.function.Consumer;

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

    /**
     * The top of a node's window over one daemon's files (backups, configuration history): its icon and title, a
     * choice of daemon where the node runs several, and Refresh on the right.
     */
    static HBox daemonHeader(String idPrefix, Ikon icon, ObservableValue<String> title, List<String> daemons,
                             ObservableValue<String> daemon, Consumer<String> selectDaemon, Runnable refresh,
                             ObservableValue<Boolean> refreshDisabled) {
        FontIcon glyph = new FontIcon(icon);
        glyph.getStyleClass().add("kw-block-icon");
        Label titleLabel = new Label();
        titleLabel.setId(idPrefix + "-title");
        titleLabel.getStyleClass().add("title-4");
        titleLabel.textProperty().bind(title);
        titleLabel.setMinWidth(0);                  // a long title is elided; the daemon choice and Refresh are not
        HBox header = new HBox(12, glyph, titleLabel);
        if (daemons.size() > 1) {
            ComboBox<String> choice = new ComboBox<>();
            choice.setId(idPrefix + "-daemon");
            choice.getItems().setAll(daemons);
            choice.setValue(daemon.getValue());
            choice.valueProperty().addListener((obs, old, d) -> selectDaemon.accept(d));
            choice.setMinWidth(Region.USE_PREF_SIZE);
            header.getChildren().add(choice);
        }
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button refreshButton = new Button("Refresh", new FontIcon(Material2MZ.REFRESH));
        refreshButton.setId(idPrefix + "-refresh");
        refreshButton.setOnAction(e -> refresh.run());
        refreshButton.disableProperty().bind(refreshDisabled);
        refreshButton.setMinWidth(Region.USE_PREF_SIZE);
        header.getChildren().addAll(spacer, refreshButton);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 12, 8, 12));
        header.getStyleClass().add("kw-editor-header");
        return header;
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
