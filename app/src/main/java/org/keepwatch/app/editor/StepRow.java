package org.keepwatch.app.editor;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/** One step of an apply as the progress list shows it: pending until the agent reports it. */
public final class StepRow {

    public enum State { PENDING, RUNNING, OK, FAILED, SKIPPED }

    private final String step;
    private final String label;
    private final ObjectProperty<State> state = new SimpleObjectProperty<>(this, "state", State.PENDING);
    private final StringProperty detail = new SimpleStringProperty(this, "detail", "");

    public StepRow(String step, String label) {
        this.step = step;
        this.label = label;
    }

    public String step() {
        return step;
    }

    public String label() {
        return label;
    }

    public ObjectProperty<State> stateProperty() {
        return state;
    }

    public StringProperty detailProperty() {
        return detail;
    }
}
