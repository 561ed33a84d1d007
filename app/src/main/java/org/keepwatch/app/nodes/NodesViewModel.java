package org.keepwatch.app.nodes;

import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.RowIndex;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The Nodes view: every node's connection, the operator's selection, and "reconnect" for the selected ones. */
public final class NodesViewModel implements FleetListener {

    private final Supplier<FleetState> state;
    private final Consumer<String> reconnect;
    private final RowIndex<String, NodeStatus, NodeRow> index = new RowIndex<>(NodeRow::new, NodeRow::update,
            row -> new Observable[]{row.connectionProperty(), row.readOnlyProperty()});
    private final ObservableList<NodeRow> rows = FXCollections.unmodifiableObservableList(index.rows());
    private final ReadOnlyObjectWrapper<NodeRow> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ReadOnlyStringWrapper selectedReadOnly = new ReadOnlyStringWrapper(this, "selectedReadOnly", "");
    private final ChangeListener<String> followReadOnly = (obs, old, now) -> selectedReadOnly.set(now);
    private List<NodeRow> selection = List.of();

    public NodesViewModel(Supplier<FleetState> state, Consumer<String> reconnect) {
        this.state = state;
        this.reconnect = reconnect;
        selected.addListener((obs, old, row) -> {
            if (old != null) {
                old.readOnlyProperty().removeListener(followReadOnly);
            }
            if (row != null) {
                row.readOnlyProperty().addListener(followReadOnly);
            }
            selectedReadOnly.set(row == null ? "" : row.readOnlyProperty().get());
        });
    }

    @Override
    public void onBatch(FleetBatch batch) {
        if (batch.rebuild()) {
            reload();
        } else {
            if (!batch.nodes().isEmpty()) {
                index.apply(batch.nodes(), Set.of());
            }
            batch.daemons().forEach((node, daemons) -> {
                NodeRow row = index.get(node);
                if (row != null) {
                    row.updateDaemons(daemons);
                }
            });
        }
    }

    public void reload() {
        Map<String, NodeStatus> all = new LinkedHashMap<>();
        FleetState fleet = state.get();
        fleet.nodes().forEach(n -> all.put(n.node(), n));
        index.reset(all);
        all.keySet().forEach(node -> index.get(node).updateDaemons(fleet.daemons(node)));
    }

    public ObservableList<NodeRow> rows() {
        return rows;
    }

    /** The operator selected rows; {@code focused} is the one Details and Edit node act on (null: none). */
    public void select(List<NodeRow> rows, NodeRow focused) {
        selection = rows.stream().filter(Objects::nonNull).toList();
        selected.set(focused);
    }

    public ReadOnlyObjectProperty<NodeRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    /**
     * Why the selected node cannot be changed (its agent is not root: a login without sudo), in words; empty when it
     * can or nothing is selected. The view disables every action that would change it and says this instead.
     */
    public ReadOnlyStringProperty selectedReadOnlyProperty() {
        return selectedReadOnly.getReadOnlyProperty();
    }

    /** Connects every selected node again now. */
    public void reconnectSelected() {
        selection.forEach(this::reconnect);
    }

    public NodeRow row(String node) {
        return index.get(node);
    }

    /** Connect again now (after fixing credentials or accepting a host key). */
    public void reconnect(NodeRow row) {
        reconnect.accept(row.name());
    }
}
