package org.keepwatch.app.routers;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.keepwatch.app.common.RowIndex;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterStatus;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Routers table: one row per VRRP router, filtered by the filter box, the selection feeding the detail pane. Shown
 * {@link #showPast as of} a moment, the table's rows are the routers as the history kept them ({@link #pastRows()});
 * the live rows keep following the fleet underneath and are shown again {@link #showLive() back to live}.
 */
public final class RoutersViewModel implements FleetListener {

    private final Supplier<FleetState> state;
    private final RowIndex<RouterKey, RouterStatus, RouterRow> index = new RowIndex<>(RouterRow::new, RouterRow::update);
    private final FilteredList<RouterRow> visible = new FilteredList<>(index.rows());
    private final ReadOnlyObjectWrapper<RouterRow> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ObservableList<RouterRow> past = FXCollections.observableArrayList();
    private final FilteredList<RouterRow> pastVisible = new FilteredList<>(past);
    private final ReadOnlyObjectWrapper<Instant> asOf = new ReadOnlyObjectWrapper<>(this, "asOf");
    private String filter = "";
    private Runnable afterBatch = () -> { };

    public RoutersViewModel(Supplier<FleetState> state) {
        this.state = state;
    }

    @Override
    public void onBatch(FleetBatch batch) {
        if (batch.rebuild()) {
            reload();
            return;
        }
        if (!batch.routers().isEmpty() || !batch.removedRouters().isEmpty()) {
            index.apply(batch.routers(), batch.removedRouters());
            if (!filter.isBlank()) {
                refilter();
            }
            afterBatch.run();
        }
    }

    /** Everything from the fleet state (a newly opened fleet). */
    public void reload() {
        Map<RouterKey, RouterStatus> all = new LinkedHashMap<>();
        state.get().routers().forEach(r -> all.put(r.key(), r));
        index.reset(all);
        refilter();
    }

    /** Run after rows changed in place (the view re-sorts). */
    public void setAfterBatch(Runnable action) {
        afterBatch = action;
    }

    /** The rows the filter lets through (a read-only view of the index). */
    public ObservableList<RouterRow> rows() {
        return visible;
    }

    public RouterRow row(RouterKey key) {
        return index.get(key);
    }

    /** The routers as they were at {@code at}: the table shows these until {@link #showLive()}. */
    public void showPast(Instant at, List<RouterStatus> routers) {
        selected.set(null);
        past.setAll(routers.stream().map(r -> new RouterRow(r, Optional.of(at))).toList());
        asOf.set(at);
    }

    /** The live rows again (they followed the fleet all along). */
    public void showLive() {
        selected.set(null);
        asOf.set(null);
        past.clear();
    }

    /** The moment the table shows (null: live). */
    public ReadOnlyObjectProperty<Instant> asOfProperty() {
        return asOf.getReadOnlyProperty();
    }

    /** The rows as of {@link #asOfProperty()} the filter lets through. */
    public ObservableList<RouterRow> pastRows() {
        return pastVisible;
    }

    /** Shows only the rows that contain the text (the filter box). */
    public void filter(String text) {
        filter = text == null ? "" : text;
        refilter();
    }

    /** The operator selected a row (null: none). */
    public void select(RouterRow row) {
        selected.set(row);
    }

    /** The selected router: the detail pane shows it, the menu's actions act on it. */
    public ReadOnlyObjectProperty<RouterRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    private void refilter() {
        String text = filter.trim().toLowerCase(Locale.ROOT);
        visible.setPredicate(text.isEmpty() ? null : row -> matches(row, text));
        pastVisible.setPredicate(text.isEmpty() ? null : row -> matches(row, text));
    }

    static boolean matches(RouterRow row, String text) {
        return (row.nameProperty().get() + " " + row.groupProperty().get() + " " + row.vipsProperty().get() + " "
                + row.masterProperty().get() + " " + row.verdictProperty().get() + " "
                + row.membersProperty().get().stream().map(m -> m.node()).reduce("", (a, b) -> a + " " + b))
                .toLowerCase(Locale.ROOT).contains(text);
    }
}
