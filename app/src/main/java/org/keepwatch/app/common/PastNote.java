package org.keepwatch.app.common;

import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableValue;
import javafx.collections.ObservableList;
import javafx.collections.transformation.SortedList;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TableView;

import java.time.Instant;

/** How a table shows the past: its rows as of a moment, marked, and what its menu says of its actions. */
public final class PastNote {

    public static final String TEXT = "Showing the past (as of a moment): actions act on the fleet as it is now. "
            + "Go back to live to use them.";

    private PastNote() {
    }

    /**
     * The table follows {@code asOf}: while it holds a moment, the past rows (sorted as the live ones), the "kw-past"
     * mark and {@code pastPlaceholder}, else the live rows and their placeholder; {@code resort} after each switch.
     */
    public static <R> void follow(TableView<R> table, ObservableValue<Instant> asOf, ObservableList<R> live,
                                  ObservableList<R> pastRows, String livePlaceholder, String pastPlaceholder,
                                  Runnable resort) {
        SortedList<R> pastSorted = new SortedList<>(pastRows);
        pastSorted.comparatorProperty().bind(table.comparatorProperty());
        Label whenLive = new Label(livePlaceholder);
        // in the past, an empty table means nothing was watched then, not that nodes are still connecting
        Label whenPast = new Label(pastPlaceholder);
        table.setPlaceholder(whenLive);
        asOf.addListener((obs, was, at) -> {
            table.setItems(at == null ? live : pastSorted);
            table.setPlaceholder(at == null ? whenLive : whenPast);
            table.getStyleClass().remove("kw-past");
            if (at != null) {
                table.getStyleClass().add("kw-past");
            }
            resort.run();
        });
    }

    /** A menu item that only says so, shown while {@code past}. */
    public static MenuItem menuItem(String id, ObservableBooleanValue past) {
        MenuItem note = new MenuItem(TEXT);
        note.setId(id);
        note.setDisable(true);
        note.visibleProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(past::get, past));
        return note;
    }
}
