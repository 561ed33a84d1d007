package org.keepwatch.app.common;

import javafx.beans.Observable;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.util.Callback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Rows kept by key: a batch updates rows in place (no list change, so the table keeps its
 * selection and scroll position) and adds or removes rows in one list change each.
 */
public final class RowIndex<K, V, R> {

    private final ObservableList<R> rows;
    private final Map<K, R> byKey = new HashMap<>();
    private final Function<V, R> create;
    private final BiConsumer<R, V> update;

    public RowIndex(Function<V, R> create, BiConsumer<R, V> update) {
        this(create, update, null);
    }

    /**
     * @param extractor the row properties whose changes re-sort and re-filter the row (cheap for a
     *                  few hundred rows; leave null for tables of thousands that update constantly)
     */
    public RowIndex(Function<V, R> create, BiConsumer<R, V> update, Callback<R, Observable[]> extractor) {
        this.create = create;
        this.update = update;
        this.rows = extractor == null ? FXCollections.observableArrayList() : FXCollections.observableArrayList(extractor);
    }

    public ObservableList<R> rows() {
        return rows;
    }

    public R get(K key) {
        return byKey.get(key);
    }

    /** Updates existing rows, appends new ones, drops removed ones. */
    public void apply(Map<K, V> changed, Set<K> removed) {
        List<R> added = new ArrayList<>();
        changed.forEach((key, value) -> {
            R row = byKey.get(key);
            if (row == null) {
                row = create.apply(value);
                byKey.put(key, row);
                added.add(row);
            } else {
                update.accept(row, value);
            }
        });
        if (!added.isEmpty()) {
            rows.addAll(added);
        }
        if (!removed.isEmpty()) {
            List<R> gone = new ArrayList<>();
            for (K key : removed) {
                R row = byKey.remove(key);
                if (row != null) {
                    gone.add(row);
                }
            }
            rows.removeAll(gone);
        }
    }

    /** Replaces everything (a new fleet, or the event queue overflowed). */
    public void reset(Map<K, V> all) {
        byKey.clear();
        List<R> fresh = new ArrayList<>();
        all.forEach((key, value) -> {
            R row = create.apply(value);
            byKey.put(key, row);
            fresh.add(row);
        });
        rows.setAll(fresh);
    }
}
