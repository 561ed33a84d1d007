package org.keepwatch.app.events;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceObservation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The Events timeline: state changes, alarms and connection changes, newest first, kept to a bound,
 * filterable by router, node, kind and free text.
 */
public final class EventsViewModel implements FleetListener {

    public static final String ANY = "(any)";
    static final int LIMIT = 10_000;

    private final ObservableList<EventRow> all = FXCollections.observableArrayList();
    private final FilteredList<EventRow> visible = new FilteredList<>(all);
    private final ObservableList<String> routers = FXCollections.observableArrayList(ANY);
    private final ObservableList<String> nodes = FXCollections.observableArrayList(ANY);
    private final ObservableList<String> routersView = FXCollections.unmodifiableObservableList(routers);
    private final ObservableList<String> nodesView = FXCollections.unmodifiableObservableList(nodes);
    private final StringProperty router = new SimpleStringProperty(this, "router", ANY);
    private final StringProperty node = new SimpleStringProperty(this, "node", ANY);
    private final ObjectProperty<EventKind> kind = new SimpleObjectProperty<>(this, "kind");
    private final StringProperty text = new SimpleStringProperty(this, "text", "");
    private final TreeSet<String> knownRouters = new TreeSet<>();
    private final TreeSet<String> knownNodes = new TreeSet<>();
    // New rows wait here until the view flushes them: inserting at the top of a table re-lays out
    // every visible row, which at 30 pulses a second is most of the FX thread's time.
    private final List<EventRow> pending = new ArrayList<>();

    public EventsViewModel() {
        router.addListener((o, a, b) -> refilter());
        node.addListener((o, a, b) -> refilter());
        kind.addListener((o, a, b) -> refilter());
        text.addListener((o, a, b) -> refilter());
    }

    @Override
    public void onBatch(FleetBatch batch) {
        List<EventRow> fresh = new ArrayList<>();
        for (FleetEvent event : batch.events()) {
            row(event).ifPresent(fresh::add);
        }
        if (fresh.isEmpty()) {
            return;
        }
        pending.addAll(fresh);
        if (pending.size() > LIMIT) {
            pending.subList(0, pending.size() - LIMIT).clear();
        }
    }

    /** Moves the waiting rows into the timeline (newest first); the view calls it a few times a second. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<EventRow> fresh = new ArrayList<>(pending);
        pending.clear();
        Collections.reverse(fresh);
        all.addAll(0, fresh);
        if (all.size() > LIMIT) {
            all.remove(LIMIT, all.size());
        }
        boolean routersAdded = false;
        boolean nodesAdded = false;
        for (EventRow row : fresh) {
            routersAdded |= !row.router().isEmpty() && knownRouters.add(row.router());
            nodesAdded |= !row.node().isEmpty() && knownNodes.add(row.node());
        }
        if (routersAdded) {
            routers.setAll(choices(knownRouters));
        }
        if (nodesAdded) {
            nodes.setAll(choices(knownNodes));
        }
    }

    static Optional<EventRow> row(FleetEvent event) {
        if (event instanceof FleetEvent.InstanceChanged change) {
            InstanceObservation after = change.after();
            boolean stateChanged = change.before().map(b -> b.state() != after.state()).orElse(false);
            if (!stateChanged) {
                return Optional.empty();
            }
            return Optional.of(new EventRow(change.at(), EventKind.TRANSITION, change.router().label(),
                    after.node(), after.node() + " " + after.name() + ": " + change.before().orElseThrow().state() + " → "
                    + after.state() + " (priority " + after.effectivePriority() + "; " + change.cause() + ")",
                    Optional.of(after.id())));
        }
        if (event instanceof FleetEvent.Alarm alarm) {
            String text = Presentation.of(alarm.verdict()).text() + (alarm.raised() ? "" : " ended") + (alarm.reasons().isEmpty() ? ""
                    : ": " + String.join("; ", alarm.reasons()));
            return Optional.of(new EventRow(alarm.at(), alarm.raised() ? EventKind.ALARM : EventKind.CLEARED,
                    alarm.router().label(), "", text));
        }
        if (event instanceof FleetEvent.NodeChanged changed) {
            return Optional.of(new EventRow(changed.at(), EventKind.NODE, "", changed.status().node(),
                    changed.status().node() + " " + changed.status().connection()
                            + changed.status().lastError().map(e -> ": " + e).orElse("")));
        }
        return Optional.empty();
    }

    private static List<String> choices(TreeSet<String> known) {
        List<String> list = new ArrayList<>();
        list.add(ANY);
        list.addAll(known);
        return list;
    }

    private void refilter() {
        String r = router.get();
        String n = node.get();
        EventKind k = kind.get();
        String t = text.get() == null ? "" : text.get().trim().toLowerCase(Locale.ROOT);
        visible.setPredicate(row -> (r == null || ANY.equals(r) || row.router().equals(r))
                && (n == null || ANY.equals(n) || row.node().equals(n))
                && (k == null || row.kind() == k)
                && (t.isEmpty() || row.text().toLowerCase(Locale.ROOT).contains(t)));
    }

    public ObservableList<EventRow> rows() {
        return visible;
    }

    /** The routers seen in the timeline, to filter by (and {@link #ANY}). */
    public ObservableList<String> routers() {
        return routersView;
    }

    /** The nodes seen in the timeline, to filter by (and {@link #ANY}). */
    public ObservableList<String> nodes() {
        return nodesView;
    }

    // The four filters are inputs: the view's boxes write them, the timeline follows.

    public StringProperty routerProperty() {
        return router;
    }

    public StringProperty nodeProperty() {
        return node;
    }

    public ObjectProperty<EventKind> kindProperty() {
        return kind;
    }

    public StringProperty textProperty() {
        return text;
    }
}
