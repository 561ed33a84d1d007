package org.keepwatch.app.editor;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.function.Consumer;

/** The problems list: where, what, and who found it; double-click or Enter jumps to the line. */
public final class ProblemsView {

    private final ListView<ProblemRow> list = new ListView<>();

    public ProblemsView(ConfigEditorViewModel model, Consumer<ProblemRow> jump) {
        list.setId("problems");
        list.setItems(model.problems());
        list.setCellFactory(v -> new ProblemCell());
        Label none = new Label("No problems found.");
        none.getStyleClass().add("text-muted");
        list.setPlaceholder(none);
        list.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && list.getSelectionModel().getSelectedItem() != null) {
                jump.accept(list.getSelectionModel().getSelectedItem());
            }
        });
        list.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.ENTER && list.getSelectionModel().getSelectedItem() != null) {
                jump.accept(list.getSelectionModel().getSelectedItem());
            }
        });
    }

    public Node root() {
        return list;
    }

    public ListView<ProblemRow> list() {
        return list;
    }

    private static final class ProblemCell extends ListCell<ProblemRow> {
        @Override
        protected void updateItem(ProblemRow p, boolean empty) {
            super.updateItem(p, empty);
            getStyleClass().removeAll("kw-problem-error", "kw-problem-warning");
            if (empty || p == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            getStyleClass().add(p.error() ? "kw-problem-error" : "kw-problem-warning");
            FontIcon icon = new FontIcon(p.error() ? Material2AL.ERROR : Material2MZ.WARNING);
            icon.getStyleClass().add("kw-problem-icon");
            Label where = new Label(p.where());
            where.getStyleClass().add("kw-problem-where");
            where.setMinWidth(150);
            Label message = new Label(p.message());
            message.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(message, Priority.ALWAYS);
            Label source = new Label(p.source() == ProblemRow.Source.NODE ? "keepalived -t" : "lint");
            source.getStyleClass().add("kw-problem-source");
            HBox row = new HBox(8, icon, where, message, source);
            row.setAlignment(Pos.CENTER_LEFT);
            setText(null);
            setGraphic(row);
        }
    }
}
