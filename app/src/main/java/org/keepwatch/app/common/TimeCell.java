package org.keepwatch.app.common;

import javafx.scene.control.TableCell;

import java.time.Instant;

/** A clock time, to the millisecond. */
public final class TimeCell<R> extends TableCell<R, Instant> {
    @Override
    protected void updateItem(Instant at, boolean empty) {
        super.updateItem(at, empty);
        setText(empty || at == null ? null : Formats.clock(at));
    }
}
