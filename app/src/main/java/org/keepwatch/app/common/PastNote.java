package org.keepwatch.app.common;

import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.control.MenuItem;

/** What a table's menu says while the table shows the past: why its actions are off. */
public final class PastNote {

    public static final String TEXT = "Showing the past (as of a moment): actions act on the fleet as it is now. "
            + "Go back to live to use them.";

    private PastNote() {
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
