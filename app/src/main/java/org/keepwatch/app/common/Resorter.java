package org.keepwatch.app.common;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.transformation.SortedList;
import javafx.scene.control.TableView;
import javafx.util.Duration;

import java.util.Comparator;

/**
 * Keeps a big table sorted while its rows change in place: marking it dirty is free, and at most
 * twice a second the sorted list is sorted again (re-sorting 10,000 rows on every event would cost
 * the FX thread more than all the rest).
 */
public final class Resorter<R> {

    private static final Duration PERIOD = Duration.millis(500);
    private final SortedList<R> sorted;
    private final TableView<R> table;
    private boolean dirty;

    public Resorter(TableView<R> table, SortedList<R> sorted) {
        this.table = table;
        this.sorted = sorted;
        Timeline timeline = new Timeline(new KeyFrame(PERIOD, e -> {
            if (dirty) {
                sortNow();
            }
        }));
        timeline.setCycleCount(Timeline.INDEFINITE);
        timeline.play();
    }

    public void markDirty() {
        dirty = true;
    }

    public void sortNow() {
        dirty = false;
        Comparator<? super R> comparator = table.getComparator();
        // A new comparator object makes the sorted list sort again; the same one would be ignored.
        sorted.setComparator(comparator == null ? null : (a, b) -> comparator.compare(a, b));
    }
}
