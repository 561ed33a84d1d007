package org.keepwatch.app.editor;

import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.Locale;

/**
 * The apply's steps as they happen: an icon per state (shape and colour), the step, what it found. What it found
 * (a backup's name, a hash, a message) stays on one line, cut with an ellipsis in the middle when the room is short
 * and whole in its tooltip: beside the step where there is room, under it in a narrow column ({@code stacked}).
 */
public final class StepList {

    private final VBox root = new VBox(4);
    private final ObservableList<StepRow> rows;
    private final boolean stacked;

    public StepList(ObservableList<StepRow> rows, String id) {
        this(rows, id, false);
    }

    /** @param stacked each step's detail on a line of its own under the step (a narrow column, as a member's card) */
    public StepList(ObservableList<StepRow> rows, String id, boolean stacked) {
        this.rows = rows;
        this.stacked = stacked;
        root.setId(id);
        rows.addListener((ListChangeListener<StepRow>) c -> render());
        render();
    }

    public Node root() {
        return root;
    }

    private void render() {
        root.getChildren().setAll(rows.stream().map(this::line).toList());
    }

    private Node line(StepRow row) {
        FontIcon icon = new FontIcon();
        icon.getStyleClass().add("kw-step-icon");
        Label label = new Label(row.label());
        label.setMinWidth(stacked ? Region.USE_PREF_SIZE : 220);
        Label detail = new Label();
        detail.setId("step-detail-" + row.step());
        detail.getStyleClass().add("kw-step-detail");
        detail.textProperty().bind(row.detailProperty());
        detail.setWrapText(false);
        detail.setTextOverrun(OverrunStyle.CENTER_ELLIPSIS);
        detail.setMinWidth(0);
        detail.setMaxWidth(Double.MAX_VALUE);
        Tooltip whole = new Tooltip();
        whole.textProperty().bind(row.detailProperty());
        whole.setWrapText(true);
        whole.setMaxWidth(640);
        detail.tooltipProperty().bind(row.detailProperty().map(d -> d.isEmpty() ? null : whole));
        HBox.setHgrow(detail, Priority.ALWAYS);
        HBox box = new HBox(8, icon, label);
        box.setId("step-" + row.step());
        box.setAlignment(Pos.CENTER_LEFT);
        Node line;
        if (stacked) {
            detail.managedProperty().bind(row.detailProperty().isNotEmpty());
            detail.visibleProperty().bind(detail.managedProperty());
            detail.setPadding(new Insets(0, 0, 0, 24));
            line = new VBox(0, box, detail);
        } else {
            box.getChildren().add(detail);
            line = box;
        }
        ChangeListener<StepRow.State> paint = (obs, old, state) -> {
            icon.setIconCode(icon(state));
            box.getStyleClass().removeIf(c -> c.startsWith("kw-step-"));
            box.getStyleClass().add("kw-step-" + state.name().toLowerCase(Locale.ROOT));
        };
        row.stateProperty().addListener(paint);
        paint.changed(null, null, row.stateProperty().get());
        return line;
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
