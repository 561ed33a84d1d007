package org.keepwatch.app.editor;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One step of an apply as the progress list shows it: pending until the agent reports it. Read-only outside the
 * editor's package; {@link ApplyProgress} moves it on.
 */
public final class StepRow {

    public enum State { PENDING, RUNNING, OK, FAILED, SKIPPED }

    private final String step;
    private final String label;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.PENDING);
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper(this, "detail", "");

    StepRow(String step, String label) {
        this.step = step;
        this.label = label;
    }

    public String step() {
        return step;
    }

    public String label() {
        return label;
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    void setState(State now) {
        state.set(now);
    }

    void setDetail(String text) {
        detail.set(text);
    }
}
