package org.keepwatch.app.editor;

import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.Locale;

/** The apply's steps as they happen: an icon per state (shape and colour), the step, what it found. */
public final class StepList {

    private final VBox root = new VBox(4);
    private final ObservableList<StepRow> rows;

    public StepList(ObservableList<StepRow> rows, String id) {
        this.rows = rows;
        root.setId(id);
        rows.addListener((ListChangeListener<StepRow>) c -> render());
        render();
    }

    public Node root() {
        return root;
    }

    private void render() {
        root.getChildren().setAll(rows.stream().map(StepList::line).toList());
    }

    private static HBox line(StepRow row) {
        FontIcon icon = new FontIcon();
        icon.getStyleClass().add("kw-step-icon");
        Label label = new Label(row.label());
        label.setMinWidth(220);
        Label detail = new Label();
        detail.getStyleClass().add("kw-step-detail");
        detail.textProperty().bind(row.detailProperty());
        detail.setWrapText(true);
        HBox box = new HBox(8, icon, label, detail);
        box.setId("step-" + row.step());
        box.setAlignment(Pos.CENTER_LEFT);
        ChangeListener<StepRow.State> paint = (obs, old, state) -> {
            icon.setIconCode(icon(state));
            box.getStyleClass().removeIf(c -> c.startsWith("kw-step-"));
            box.getStyleClass().add("kw-step-" + state.name().toLowerCase(Locale.ROOT));
        };
        row.stateProperty().addListener(paint);
        paint.changed(null, null, row.stateProperty().get());
        return box;
    }

    static Ikon icon(StepRow.State state) {
        return switch (state) {
            case PENDING -> Material2MZ.RADIO_BUTTON_UNCHECKED;
            case RUNNING -> Material2AL.AUTORENEW;
            case OK -> Material2AL.CHECK_CIRCLE;
            case FAILED -> Material2AL.CANCEL;
            case SKIPPED -> Material2MZ.REMOVE_CIRCLE_OUTLINE;
        };
    }
}
