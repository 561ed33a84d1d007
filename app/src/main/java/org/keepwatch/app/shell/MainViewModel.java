package org.keepwatch.app.shell;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.app.alarms.AlarmsViewModel;
import org.keepwatch.app.events.EventsViewModel;
import org.keepwatch.app.instances.InstancesViewModel;
import org.keepwatch.app.nodes.NodesViewModel;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.app.routers.RoutersViewModel;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.Verdict;

import java.util.List;
import java.util.function.Supplier;

/**
 * The main window's state: whether a fleet is open (else the welcome view), the one filter box
 * that filters the Routers and Instances tables, and the status line.
 */
public final class MainViewModel implements FleetListener {

    private final Supplier<FleetState> state;
    private final RoutersViewModel routers;
    private final InstancesViewModel instances;
    private final NodesViewModel nodes;
    private final EventsViewModel events;
    private final AlarmsViewModel alarms;
    private final BooleanProperty fleetOpen = new SimpleBooleanProperty(this, "fleetOpen");
    private final StringProperty fleetName = new SimpleStringProperty(this, "fleetName", "");
    private final StringProperty filter = new SimpleStringProperty(this, "filter", "");
    private final StringProperty summary = new SimpleStringProperty(this, "summary", "");
    private final StringProperty problem = new SimpleStringProperty(this, "problem", "");
    private static final long SUMMARY_PERIOD_NANOS = 500_000_000L;
    private boolean summaryDirty;
    private long summaryAt;

    public MainViewModel(Supplier<FleetState> state, RoutersViewModel routers, InstancesViewModel instances,
                         NodesViewModel nodes, EventsViewModel events, AlarmsViewModel alarms) {
        this.state = state;
        this.routers = routers;
        this.instances = instances;
        this.nodes = nodes;
        this.events = events;
        this.alarms = alarms;
        filter.addListener((obs, old, text) -> {
            routers.filter(text);
            instances.filter(text);
        });
    }

    @Override
    public void onBatch(FleetBatch batch) {
        if (!batch.routers().isEmpty() || !batch.removedRouters().isEmpty() || !batch.nodes().isEmpty()
                || !batch.daemons().isEmpty() || batch.rebuild()) {
            summaryDirty = true;
            // Counting thousands of routers on every pulse would cost more than the line is worth.
            if (System.nanoTime() - summaryAt > SUMMARY_PERIOD_NANOS) {
                updateSummary();
            }
        }
    }

    /** A fleet was opened: every view starts from the fleet state. */
    public void fleetOpened(String name) {
        fleetName.set(name);
        alarms.clear();
        routers.reload();
        instances.reload();
        nodes.reload();
        fleetOpen.set(true);
        problem.set("");
        updateSummary();
    }

    /** Brings the status line up to date if a batch changed it since (called by a slow timer). */
    public void refreshSummaryIfDirty() {
        if (summaryDirty) {
            updateSummary();
        }
    }

    public void updateSummary() {
        summaryDirty = false;
        summaryAt = System.nanoTime();
        FleetState current = state.get();
        long total = current.routers().size();
        long healthy = current.routers().stream().filter(r -> r.verdict() == Verdict.HEALTHY).count();
        long online = current.nodes().stream().filter(n -> n.connection() == ConnectionState.ONLINE).count();
        // a daemon stopped to drain its node is down on purpose: said as drained, not as down
        List<String> daemonsDown = current.nodes().stream().map(NodeStatus::node)
                .filter(node -> current.daemons(node).stream().anyMatch(d -> d.status() != DaemonStatus.RUNNING
                        && d.status() != DaemonStatus.NOT_VISIBLE && !d.stoppedToDrain()))
                .toList();
        // watched without root (a login without sudo): nothing can be changed there, said once for the fleet
        List<String> readOnly = current.nodes().stream().filter(NodeStatus::isReadOnly).map(NodeStatus::node).toList();
        List<String> drained = current.nodes().stream().map(NodeStatus::node)
                .filter(node -> current.daemons(node).stream().anyMatch(DaemonObservation::drained)).toList();
        summary.set(total + " routers, " + healthy + " healthy · " + online + " of " + current.nodes().size() + " nodes online"
                + (daemonsDown.isEmpty() ? "" : " · keepalived down on " + String.join(", ", daemonsDown))
                + (drained.isEmpty() ? "" : " · drained: " + String.join(", ", drained))
                + (readOnly.isEmpty() ? "" : " · read-only: " + String.join(", ", readOnly)));
    }

    /** Shows a problem in words (a file that cannot be read, an export that failed) until the next fleet opens. */
    public void showProblem(String text) {
        problem.set(text);
    }

    public ReadOnlyBooleanProperty fleetOpenProperty() {
        return fleetOpen;
    }

    public ReadOnlyStringProperty fleetNameProperty() {
        return fleetName;
    }

    /** The filter box's text (an input: the view writes it, both tables follow). */
    public StringProperty filterProperty() {
        return filter;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary;
    }

    /** The problem shown in the status bar ({@link #showProblem}). */
    public ReadOnlyStringProperty problemProperty() {
        return problem;
    }

    public RoutersViewModel routers() {
        return routers;
    }

    public InstancesViewModel instances() {
        return instances;
    }

    public NodesViewModel nodes() {
        return nodes;
    }

    public EventsViewModel events() {
        return events;
    }

    public AlarmsViewModel alarms() {
        return alarms;
    }
}
