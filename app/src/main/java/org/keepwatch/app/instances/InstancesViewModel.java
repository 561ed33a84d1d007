package org.keepwatch.app.instances;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.keepwatch.app.common.RowIndex;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Instances table: one row per node and instance, made from the routers' members (which know
 * whether a state is current and which VIPs a node really holds). Thousands of rows update in place;
 * the view re-sorts them at most a few times a second (see InstancesView).
 */
public final class InstancesViewModel implements FleetListener {

    private final Supplier<FleetState> state;
    private final RowIndex<InstanceId, InstanceRow.Source, InstanceRow> index = new RowIndex<>(InstanceRow::new, InstanceRow::update);
    private final FilteredList<InstanceRow> visible = new FilteredList<>(index.rows());
    private final ReadOnlyObjectWrapper<InstanceRow> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ObservableList<InstanceRow> past = FXCollections.observableArrayList();
    private final FilteredList<InstanceRow> pastVisible = new FilteredList<>(past);
    private final ReadOnlyObjectWrapper<Instant> asOf = new ReadOnlyObjectWrapper<>(this, "asOf");
    private String filter = "";
    private Runnable afterBatch = () -> { };

    public InstancesViewModel(Supplier<FleetState> state) {
        this.state = state;
    }

    @Override
    public void onBatch(FleetBatch batch) {
        if (batch.rebuild()) {
            reload();
            return;
        }
        Map<InstanceId, InstanceRow.Source> changed = new LinkedHashMap<>();
        batch.routers().values().forEach(router -> collect(router, changed));
        Set<InstanceId> removed = new HashSet<>(batch.removedInstances());
        removed.removeAll(changed.keySet());
        if (!changed.isEmpty() || !removed.isEmpty()) {
            index.apply(changed, removed);
            if (!filter.isBlank()) {
                refilter();
            }
            afterBatch.run();
        }
    }

    public void reload() {
        Map<InstanceId, InstanceRow.Source> all = new LinkedHashMap<>();
        state.get().routers().forEach(router -> collect(router, all));
        index.reset(all);
        refilter();
        afterBatch.run();
    }

    /** Run after rows changed (the view re-sorts). */
    public void setAfterBatch(Runnable action) {
        afterBatch = action;
    }

    public ObservableList<InstanceRow> rows() {
        return visible;
    }

    public InstanceRow row(InstanceId id) {
        return index.get(id);
    }

    /** The instances of these routers as they were at {@code at}: the table shows these until {@link #showLive()}. */
    public void showPast(Instant at, List<RouterStatus> routers) {
        selected.set(null);
        Map<InstanceId, InstanceRow.Source> all = new LinkedHashMap<>();
        routers.forEach(router -> collect(router, all));
        past.setAll(all.values().stream().map(source -> new InstanceRow(source, Optional.of(at))).toList());
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
    public ObservableList<InstanceRow> pastRows() {
        return pastVisible;
    }

    /** Shows only the rows that contain the text (the filter box). */
    public void filter(String text) {
        filter = text == null ? "" : text;
        refilter();
    }

    /** The operator selected a row (null: none). */
    public void select(InstanceRow row) {
        selected.set(row);
    }

    /** The selected instance: the menu's actions act on it. */
    public ReadOnlyObjectProperty<InstanceRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    private static void collect(RouterStatus router, Map<InstanceId, InstanceRow.Source> into) {
        String label = router.key().kind() == RouterKey.Kind.NEUTRON ? router.key().label()
                : router.name() + " (" + router.key().label() + ")";
        for (RouterMember member : router.members()) {
            into.put(member.lastKnown().id(), new InstanceRow.Source(router.key(), label, member));
        }
    }

    private void refilter() {
        String text = filter.trim().toLowerCase(Locale.ROOT);
        java.util.function.Predicate<InstanceRow> matches = text.isEmpty() ? null : row -> (row.nodeProperty().get() + " "
                + row.instanceProperty().get() + " " + row.routerProperty().get() + " " + row.stateProperty().get() + " "
                + row.vipsProperty().get()).toLowerCase(Locale.ROOT).contains(text);
        visible.setPredicate(matches);
        pastVisible.setPredicate(matches);
    }
}
