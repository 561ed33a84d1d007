package org.keepwatch.app.nodes;

import javafx.collections.ObservableList;
import org.keepwatch.app.common.RowIndex;
import org.keepwatch.app.fleet.FleetBatch;
import org.keepwatch.app.fleet.FleetListener;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The Nodes view: every node's connection, and "reconnect" for the selected ones. */
public final class NodesViewModel implements FleetListener {

    private final Supplier<FleetState> state;
    private final Consumer<String> reconnect;
    private final RowIndex<String, NodeStatus, NodeRow> index = new RowIndex<>(NodeRow::new, NodeRow::update,
            row -> new javafx.beans.Observable[]{row.connectionProperty()});

    public NodesViewModel(Supplier<FleetState> state, Consumer<String> reconnect) {
        this.state = state;
        this.reconnect = reconnect;
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
        return index.rows();
    }

    public NodeRow row(String node) {
        return index.get(node);
    }

    /** Connect again now (after fixing credentials or accepting a host key). */
    public void reconnect(NodeRow row) {
        reconnect.accept(row.name());
    }
}
