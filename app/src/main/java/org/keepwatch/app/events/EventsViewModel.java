package org.keepwatch.app.events;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.pulse.FleetBatch;
import org.keepwatch.app.pulse.FleetListener;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryPage;
import org.keepwatch.history.HistoryQuery;

import java.time.Instant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The Events timeline: state changes, alarms and connection changes, newest first, kept to a bound,
 * filterable by router, node, kind and free text. With a history ({@link #useHistory}), older events are read from
 * it a page at a time below the live ones ({@link #loadOlder}), with the filters applied by the store, so days of
 * history are at hand without loading them all; a filter changed reads its first page again.
 */
public final class EventsViewModel implements FleetListener {

    public static final String ANY = "(any)";
    /** What only the history knows: the kinds {@link #pollRecent} brings in as they are recorded. */
    private static final Set<HistoryEvent.Kind> RECORDED_ONLY = EnumSet.of(HistoryEvent.Kind.PUSH, HistoryEvent.Kind.RESTORE,
            HistoryEvent.Kind.ACTION, HistoryEvent.Kind.MAINTENANCE, HistoryEvent.Kind.CONFIG, HistoryEvent.Kind.HAND_EDIT);
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
    /** Rows from the pulse: the first {@code live} of {@code all}; the history's older rows follow them. */
    private int live;
    private Function<HistoryQuery, HistoryPage> history;
    private Instant recentSince = Instant.now();
    private final Map<Long, Instant> recentIds = new HashMap<>();
    private boolean polling;
    private Tasks tasks;
    private Optional<String> cursor = Optional.empty();
    private Instant olderThan;
    private int generation;
    private final ReadOnlyBooleanWrapper historyAvailable = new ReadOnlyBooleanWrapper(this, "historyAvailable");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private final ReadOnlyBooleanWrapper exhausted = new ReadOnlyBooleanWrapper(this, "exhausted");
    private final ReadOnlyStringWrapper historyStatus = new ReadOnlyStringWrapper(this, "historyStatus", "");

    static final int PAGE = 500;

    public EventsViewModel() {
        router.addListener((o, a, b) -> filterChanged());
        node.addListener((o, a, b) -> filterChanged());
        kind.addListener((o, a, b) -> filterChanged());
        text.addListener((o, a, b) -> filterChanged());
    }

    /** Reads older events from the history through {@code reader} (the store's query), on {@code tasks}' background. */
    public void useHistory(Function<HistoryQuery, HistoryPage> reader, Tasks background) {
        this.history = reader;
        this.tasks = background;
        historyAvailable.set(true);
        recentSince = Instant.now();
    }

    /**
     * Brings in what only the history is told while the app runs (no fleet event says it): pushes, restores, drains
     * and other actions, hand edits noticed on a node. Read from the store since the last look, on the background;
     * the rows join the live ones at the next {@link #flush}. The view calls it every few seconds while on screen.
     */
    public void pollRecent() {
        if (history == null || polling) {
            return;
        }
        HistoryQuery query = HistoryQuery.all().kinds(RECORDED_ONLY).between(Optional.of(recentSince), Optional.empty())
                .oldestFirst().limit(PAGE);
        polling = true;
        tasks.run(() -> history.apply(query)).onSuccess(page -> {
            for (HistoryEvent e : page.events()) {
                if (recentIds.putIfAbsent(e.id(), e.at()) == null) {
                    pending.add(row(e));
                    recentSince = e.at().isAfter(recentSince) ? e.at() : recentSince;
                }
            }
            // the next look starts at the newest one's time (inclusive): only ids of that moment are still needed
            recentIds.values().removeIf(at -> at.isBefore(recentSince));
        }).andFinally(() -> polling = false).start();
    }

    /**
     * Reads the next page of older events from the history, the filters applied by the store: from just before the
     * oldest event shown, then page after page (keyset: each costs the same however deep).
     */
    public void loadOlder() {
        if (history == null || loading.get() || exhausted.get()) {
            return;
        }
        if (cursor.isEmpty() && olderThan == null) {
            olderThan = all.isEmpty() ? Instant.now() : all.get(all.size() - 1).at();
        }
        HistoryQuery query = query();
        int asked = generation;
        loading.set(true);
        tasks.run(() -> history.apply(query)).onSuccess(page -> {
            if (asked != generation) {
                return; // a filter changed meanwhile: that page is of another question
            }
            List<EventRow> rows = page.events().stream().map(EventsViewModel::row).toList();
            all.addAll(rows);
            rows.forEach(r -> {
                addChoice(knownRouters, routers, r.router());
                addChoice(knownNodes, nodes, r.node());
            });
            cursor = page.next();
            exhausted.set(page.next().isEmpty());
            int older = all.size() - live;
            historyStatus.set(older + " from the history" + (page.next().isEmpty() ? ", no older" : ""));
        }).onError(error -> historyStatus.set("The history could not be read: " + Tasks.message(error)))
                .andFinally(() -> {
                    if (asked == generation) {
                        loading.set(false);
                    }
                }).start();
    }

    private HistoryQuery query() {
        HistoryQuery query = HistoryQuery.all().limit(PAGE).between(Optional.empty(), Optional.ofNullable(olderThan)).after(cursor);
        String r = router.get();
        if (r != null && !ANY.equals(r)) {
            query = query.router(routerId(r));
        }
        String n = node.get();
        if (n != null && !ANY.equals(n)) {
            query = query.node(n);
        }
        EventKind k = kind.get();
        if (k != null) {
            query = query.kinds(storeKinds(k));
        }
        String t = text.get();
        if (t != null && !t.isBlank()) {
            query = query.text(t.trim());
        }
        return query;
    }

    private void filterChanged() {
        refilter();
        if (history == null) {
            return;
        }
        generation++;
        loading.set(false);
        if (all.size() > live) {
            all.remove(live, all.size());
        }
        cursor = Optional.empty();
        olderThan = null;
        exhausted.set(false);
        historyStatus.set("");
        loadOlder();
    }

    /** A stored event as a row: its router by the name the live rows give it ("VRID 51"). */
    static EventRow row(HistoryEvent e) {
        EventKind kind = switch (e.kind()) {
            case TRANSITION -> EventKind.TRANSITION;
            case ALARM -> e.to().isPresent() ? EventKind.ALARM : EventKind.CLEARED;
            case CONNECTION -> EventKind.NODE;
            case VERDICT -> EventKind.VERDICT;
            case DAEMON -> EventKind.DAEMON;
            case PUSH, RESTORE, ACTION, MAINTENANCE -> EventKind.ACTION;
            case CONFIG, HAND_EDIT -> EventKind.CONFIG;
            case GAP -> EventKind.GAP;
        };
        Optional<InstanceId> instance = e.instance().isPresent() && e.node().isPresent() && e.daemon().isPresent()
                ? Optional.of(new InstanceId(e.node().get(), e.daemon().get(), e.instance().get())) : Optional.empty();
        // a hand edit names the version it found (its short hash); a push or restore the daemon whose files it wrote
        Optional<EventRow.ConfigRef> config = (e.kind() == HistoryEvent.Kind.HAND_EDIT || e.kind() == HistoryEvent.Kind.PUSH
                || e.kind() == HistoryEvent.Kind.RESTORE) && e.node().isPresent()
                ? Optional.of(new EventRow.ConfigRef(e.node().get(), e.daemon().filter(d -> !d.isEmpty()).orElse("keepalived"),
                e.kind() == HistoryEvent.Kind.HAND_EDIT ? e.to() : Optional.empty())) : Optional.empty();
        return new EventRow(e.at(), kind, e.router().map(EventsViewModel::routerLabel).orElse(""), e.node().orElse(""),
                e.summary(), instance, config);
    }

    /** "lab:51" as the live rows name it: "VRID 51", "VRID 51 (IPv6)", a Neutron router's id. */
    static String routerLabel(String stored) {
        String id = stored.substring(stored.indexOf(':') + 1);
        if (id.startsWith("v6/")) {
            return "VRID " + id.substring(3) + " (IPv6)";
        }
        return !id.isEmpty() && id.chars().allMatch(Character::isDigit) ? "VRID " + id : id;
    }

    /** The router's id the store matches ("51", "v6/51", a Neutron id) from its label. */
    static String routerId(String label) {
        if (label.startsWith("VRID ") && label.endsWith(" (IPv6)")) {
            return "v6/" + label.substring(5, label.length() - 7);
        }
        return label.startsWith("VRID ") ? label.substring(5) : label;
    }

    private static Set<HistoryEvent.Kind> storeKinds(EventKind kind) {
        return switch (kind) {
            case TRANSITION -> EnumSet.of(HistoryEvent.Kind.TRANSITION);
            case ALARM, CLEARED -> EnumSet.of(HistoryEvent.Kind.ALARM);
            case NODE -> EnumSet.of(HistoryEvent.Kind.CONNECTION);
            case VERDICT -> EnumSet.of(HistoryEvent.Kind.VERDICT);
            case DAEMON -> EnumSet.of(HistoryEvent.Kind.DAEMON);
            case ACTION -> EnumSet.of(HistoryEvent.Kind.PUSH, HistoryEvent.Kind.RESTORE, HistoryEvent.Kind.ACTION,
                    HistoryEvent.Kind.MAINTENANCE);
            case CONFIG -> EnumSet.of(HistoryEvent.Kind.CONFIG, HistoryEvent.Kind.HAND_EDIT);
            case GAP -> EnumSet.of(HistoryEvent.Kind.GAP);
        };
    }

    /**
     * A router or node newly seen joins its filter's choices in order. Inserted, not the list replaced: a replaced list
     * clears the box's selection, and the filter would show blank instead of (any).
     */
    private static void addChoice(TreeSet<String> known, ObservableList<String> choices, String value) {
        if (!value.isEmpty() && known.add(value)) {
            choices.add(1 + known.headSet(value).size(), value);
        }
    }

    /** Whether older events can be read from a history. */
    public ReadOnlyBooleanProperty historyAvailableProperty() {
        return historyAvailable.getReadOnlyProperty();
    }

    /** A page of the history is being read. */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** The history has nothing older for these filters. */
    public ReadOnlyBooleanProperty exhaustedProperty() {
        return exhausted.getReadOnlyProperty();
    }

    /** How many older events are shown, or why the history could not be read. */
    public ReadOnlyStringProperty historyStatusProperty() {
        return historyStatus.getReadOnlyProperty();
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
        live += fresh.size();
        if (live > LIMIT) {
            all.remove(LIMIT, live); // the oldest live rows; the history's pages below stay
            live = LIMIT;
        }
        for (EventRow row : fresh) {
            addChoice(knownRouters, routers, row.router());
            addChoice(knownNodes, nodes, row.node());
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
