package org.keepwatch.app.common;

import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.transformation.SortedList;
import javafx.scene.Node;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.util.Duration;

import java.util.Comparator;
import java.util.Set;

/**
 * Keeps a big table sorted while its rows change in place. Rows are not watched one by one (an
 * extractor re-sorts on every change, thousands of times a second); instead a batch marks the table
 * dirty and at most twice a second, if the table is on screen and sorted by a column whose values
 * change, it is sorted again. Sorting by name never needs that: added and removed rows find their
 * place by themselves.
 */
public final class Resorter<R> {

    private static final Duration PERIOD = Duration.millis(500);
    private final SortedList<R> sorted;
    private final TableView<R> table;
    private final Set<TableColumn<R, ?>> changingColumns;
    private boolean dirty;

    /** @param changingColumns the columns whose values change while the row stays (state, priority, ...) */
    public Resorter(TableView<R> table, SortedList<R> sorted, Set<TableColumn<R, ?>> changingColumns) {
        this.table = table;
        this.sorted = sorted;
        this.changingColumns = changingColumns;
        // The sorted list follows the table's comparator through here, not a binding.
        table.setSortPolicy(t -> {
            sortNow();
            return true;
        });
        Timeline timeline = new Timeline(new KeyFrame(PERIOD, e -> {
            if (dirty && onScreen(table)) {
                sortNow();
            }
        }));
        timeline.setCycleCount(Timeline.INDEFINITE);
        timeline.play();
    }

    /** Rows changed in place: sort again soon if the sort order depends on what changes. */
    public void markDirty() {
        if (!dirty && table.getSortOrder().stream().anyMatch(changingColumns::contains)) {
            dirty = true;
        }
    }

    public void sortNow() {
        dirty = false;
        Comparator<? super R> comparator = table.getComparator();
        // A new comparator object makes the sorted list sort again; the same one would be ignored.
        sorted.setComparator(comparator == null ? null : (a, b) -> comparator.compare(a, b));
    }

    /** Visible up to the root: a table in a tab that is not selected is not. */
    public static boolean onScreen(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return node.getScene() != null;
    }
}
