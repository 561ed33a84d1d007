package org.keepwatch.app.detail;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Transition;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryPage;
import org.keepwatch.history.HistoryQuery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A router's timeline, one lane per member, over a span the operator zooms (ten minutes to four weeks) and pans back
 * in time. With a history ({@link #useHistory}) the lanes are read from it off the FX thread (the router's
 * transitions, a seek of its index, and its members' nodes' connections: a node not connected, or Keepwatch not
 * running, is "not watched"); the part since the read comes from the fleet's memory, so the current minute moves live.
 * Without one, the lanes are the fleet's memory alone and {@link #noteProperty() say so}.
 */
public final class RouterTimelineViewModel {

    /** The zoom presets, shortest first. */
    public static final List<Duration> PRESETS = List.of(Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofHours(6),
            Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(28));
    static final Duration SHORTEST = Duration.ofMinutes(1);
    static final Duration LONGEST = Duration.ofDays(90);
    /** More transitions than this in the span are not drawn: the operator is asked to zoom in. */
    static final int MAX_TRANSITIONS = 20_000;
    private static final int PAGE = HistoryQuery.MAX_LIMIT;

    /** One member's lane: its stretches of state, oldest first, "not watched" where nothing was known. */
    public record Lane(InstanceId instance, List<StateTimeline.Segment> segments) {
        public Lane {
            segments = List.copyOf(segments);
        }

        public String node() {
            return instance.node();
        }
    }

    /** What the timeline shows: the span, a lane per member, and the moment the tables show the fleet as of, if any. */
    public record Picture(Instant from, Instant to, boolean live, List<Lane> lanes, Optional<Instant> mark) {
        public Picture {
            lanes = List.copyOf(lanes);
        }
    }

    /** The history's part of a picture: the lanes as read for [from, to), per instance. */
    record Stored(RouterKey router, Instant from, Instant to, Map<InstanceId, List<StateTimeline.Segment>> lanes) {
    }

    private final Supplier<FleetState> state;
    private final Clock clock;
    private Function<HistoryQuery, HistoryPage> history;
    private Tasks tasks;
    private String noHistory = "No history: these are the transitions Keepwatch has seen since it started, kept in memory.";
    private final ReadOnlyObjectWrapper<Duration> span = new ReadOnlyObjectWrapper<>(this, "span", PRESETS.get(0));
    /** The end of the span; null: now, following the clock. */
    private final ReadOnlyObjectWrapper<Instant> end = new ReadOnlyObjectWrapper<>(this, "end");
    private final ReadOnlyObjectWrapper<Picture> picture = new ReadOnlyObjectWrapper<>(this, "picture");
    private final ReadOnlyStringWrapper note = new ReadOnlyStringWrapper(this, "note", "");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private RouterStatus router;
    private Instant mark;
    private Stored stored;
    private String problem = "";
    private int generation;

    public RouterTimelineViewModel(Supplier<FleetState> state, Clock clock) {
        this.state = state;
        this.clock = clock;
        note.set(noHistory);
    }

    /** Reads the lanes from the history through {@code reader} (the store's query), on {@code background}. */
    public void useHistory(Function<HistoryQuery, HistoryPage> reader, Tasks background) {
        this.history = reader;
        this.tasks = background;
        note.set("");
        reload();
    }

    /** The history is off or could not be opened: the lanes are the memory's, and the note says why. */
    public void noHistory(String why) {
        this.history = null;
        noHistory = "No history (" + why + "): these are the transitions Keepwatch has seen since it started, kept in memory.";
        note.set(noHistory);
        stored = null;
        compose();
    }

    /** Shows a router (null: none); the same router again (its members changed) only redraws the live part. */
    public void show(RouterStatus shown) {
        boolean other = shown == null || router == null || !router.key().equals(shown.key());
        if (other) {
            mark = null;
        }
        router = shown;
        if (other) {
            stored = null;
            reload();
        } else {
            refresh();
        }
    }

    /** Shows a router as it was around a moment (a row of the tables as of it): the span centred on the moment. */
    public void showAround(RouterStatus shown, Instant at) {
        router = shown;
        mark = at;
        stored = null;
        Instant to = at.plus(span.get().dividedBy(2));
        end.set(to.isBefore(clock.instant()) ? to : null);
        reload();
    }

    public void zoom(Duration preset) {
        Duration value = preset.compareTo(SHORTEST) < 0 ? SHORTEST : preset.compareTo(LONGEST) > 0 ? LONGEST : preset;
        if (!value.equals(span.get())) {
            span.set(value);
            reload();
        }
    }

    /** Half the span, around the same end. */
    public void zoomIn() {
        zoom(span.get().dividedBy(2));
    }

    /** Twice the span, to the same end. */
    public void zoomOut() {
        zoom(span.get().multipliedBy(2));
    }

    /** Half a span back in time. */
    public void back() {
        end.set(currentEnd().minus(span.get().dividedBy(2)));
        reload();
    }

    /** Half a span forward; reaching now follows the clock again. */
    public void forward() {
        Instant next = currentEnd().plus(span.get().dividedBy(2));
        end.set(next.isBefore(clock.instant()) ? next : null);
        reload();
    }

    /** The span ends now and follows the clock. */
    public void live() {
        mark = null;
        compose();
        if (end.get() != null) {
            end.set(null);
            reload();
        }
    }

    /**
     * Brings the live part up to date (the view calls it every second while the span ends now); the history is read
     * again when what was read has fallen a quarter of the span behind (the memory keeps a bounded number of transitions).
     */
    public void refresh() {
        if (router == null) {
            picture.set(null);
            return;
        }
        if (history != null && !loading.get() && end.get() == null && stored != null
                && Duration.between(stored.to(), clock.instant()).compareTo(span.get().dividedBy(4).plusSeconds(30)) > 0) {
            reload();
            return;
        }
        compose();
    }

    private Instant currentEnd() {
        return end.get() == null ? clock.instant() : end.get();
    }

    private void reload() {
        generation++;
        if (router == null) {
            picture.set(null);
            loading.set(false);
            return;
        }
        compose();
        if (history == null) {
            return;
        }
        Instant to = currentEnd();
        Instant from = to.minus(span.get());
        RouterKey key = router.key();
        List<InstanceId> members = router.members().stream().map(m -> m.lastKnown().id()).toList();
        Function<HistoryQuery, HistoryPage> reader = history;
        int asked = generation;
        loading.set(true);
        tasks.run(() -> load(reader, key, members, from, to)).onSuccess(read -> {
            if (asked != generation) {
                return; // zoomed, panned or another router meanwhile
            }
            stored = read;
            problem = "";
            note.set("");
            compose();
        }).onError(error -> {
            if (asked != generation) {
                return;
            }
            stored = null;
            problem = "The history could not be read (" + Tasks.message(error) + "): the lanes show what is kept in memory.";
            note.set(problem);
            compose();
        }).andFinally(() -> {
            if (asked == generation) {
                loading.set(false);
            }
        }).start();
    }

    /** The picture from what was read and the memory: the history's up to when it was read, the memory's since. */
    private void compose() {
        if (router == null) {
            picture.set(null);
            return;
        }
        Instant now = clock.instant();
        Instant to = end.get() == null ? now : end.get();
        Instant from = to.minus(span.get());
        Stored read = stored != null && stored.router().equals(router.key()) ? stored : null;
        Map<InstanceId, RouterMember> live = new LinkedHashMap<>();
        router.members().forEach(m -> live.put(m.lastKnown().id(), m));
        Set<InstanceId> ids = new LinkedHashSet<>(live.keySet());
        if (read != null) {
            ids.addAll(read.lanes().keySet());
        }
        List<Lane> lanes = new ArrayList<>();
        for (InstanceId id : ids) {
            RouterMember member = live.get(id);
            List<StateTimeline.Segment> segments = new ArrayList<>();
            Instant memoryFrom = from;
            if (read != null) {
                Instant readTo = read.to().isAfter(to) ? to : read.to();
                if (!read.lanes().containsKey(id)) {
                    segments.add(new StateTimeline.Segment(from, readTo, Optional.empty())); // not a member when read
                }
                for (StateTimeline.Segment s : read.lanes().getOrDefault(id, List.of())) {
                    Instant a = s.from().isBefore(from) ? from : s.from();
                    Instant b = s.to().isAfter(readTo) ? readTo : s.to();
                    if (a.isBefore(b)) {
                        segments.add(new StateTimeline.Segment(a, b, s.state()));
                    }
                }
                memoryFrom = readTo.isAfter(from) ? readTo : from;
            }
            if (memoryFrom.isBefore(to)) {
                if (member != null) {
                    List<Transition> kept = state.get().history(id);
                    segments.addAll(StateTimeline.segments(kept, member.state(), member.lastKnown().lastTransition(),
                            memoryFrom, to));
                } else {
                    segments.add(new StateTimeline.Segment(memoryFrom, to, Optional.empty()));
                }
            }
            lanes.add(new Lane(id, merge(segments)));
        }
        lanes.sort(Comparator.comparing(Lane::node).thenComparing(l -> l.instance().name()));
        picture.set(new Picture(from, to, end.get() == null, lanes, Optional.ofNullable(mark)));
    }

    /**
     * Reads a router's lanes for [from, to) from the history: its transitions in the span (the router index), each
     * member's last transition before it, and its members' nodes' connections (a node not connected is not watched).
     */
    static Stored load(Function<HistoryQuery, HistoryPage> reader, RouterKey key, List<InstanceId> members, Instant from,
                       Instant to) {
        String router = key.scope() + ":" + key.id();
        List<HistoryEvent> transitions = all(reader, HistoryQuery.all().router(router).kinds(Set.of(HistoryEvent.Kind.TRANSITION))
                .between(Optional.of(from), Optional.of(to)).oldestFirst().limit(PAGE), MAX_TRANSITIONS,
                "more than " + MAX_TRANSITIONS + " transitions in this span: zoom in to see them");
        Set<InstanceId> ids = new LinkedHashSet<>(members);
        transitions.forEach(t -> id(t).ifPresent(ids::add));
        Map<String, List<HistoryEvent>> connections = new LinkedHashMap<>();
        Map<String, Optional<HistoryEvent>> connectedBefore = new LinkedHashMap<>();
        for (InstanceId id : ids) {
            if (!connections.containsKey(id.node())) {
                HistoryQuery ofNode = HistoryQuery.all().node(id.node()).kinds(Set.of(HistoryEvent.Kind.CONNECTION));
                connectedBefore.put(id.node(), reader.apply(ofNode.between(Optional.empty(), Optional.of(from)).limit(1))
                        .events().stream().findFirst());
                connections.put(id.node(), all(reader, ofNode.between(Optional.of(from), Optional.of(to)).oldestFirst().limit(PAGE),
                        MAX_TRANSITIONS, "more than " + MAX_TRANSITIONS + " connection changes of " + id.node()
                                + " in this span: zoom in to see them"));
            }
        }
        Map<InstanceId, List<StateTimeline.Segment>> lanes = new LinkedHashMap<>();
        for (InstanceId id : ids) {
            Optional<HistoryEvent> before = reader.apply(HistoryQuery.all().router(router).node(id.node())
                            .kinds(Set.of(HistoryEvent.Kind.TRANSITION)).between(Optional.empty(), Optional.of(from)).limit(20))
                    .events().stream().filter(e -> id(e).filter(id::equals).isPresent()).findFirst();
            List<HistoryEvent> own = transitions.stream().filter(e -> id(e).filter(id::equals).isPresent()).toList();
            lanes.put(id, lane(from, to, before, own, connectedBefore.get(id.node()), connections.get(id.node())));
        }
        return new Stored(key, from, to, lanes);
    }

    /**
     * One member's stretches from the history: the state its last transition left it in, watched while its node was
     * connected (the connection's last change said ONLINE; a history without connections is taken as watched once the
     * member was seen), "not watched" before it was first seen, while its node was not connected and after Keepwatch
     * closed.
     */
    static List<StateTimeline.Segment> lane(Instant from, Instant to, Optional<HistoryEvent> before, List<HistoryEvent> transitions,
                                            Optional<HistoryEvent> connectedBefore, List<HistoryEvent> connections) {
        List<HistoryEvent> changes = new ArrayList<>(transitions);
        changes.addAll(connections);
        changes.sort(Comparator.comparing(HistoryEvent::at).thenComparingLong(HistoryEvent::id));
        Optional<String> current = before.flatMap(HistoryEvent::to);
        boolean watched = connectedBefore.map(RouterTimelineViewModel::online).orElse(before.isPresent());
        List<StateTimeline.Segment> out = new ArrayList<>();
        Instant cursor = from;
        for (HistoryEvent change : changes) {
            if (change.at().isAfter(cursor)) {
                out.add(new StateTimeline.Segment(cursor, change.at(), look(watched, current)));
                cursor = change.at();
            }
            if (change.kind() == HistoryEvent.Kind.TRANSITION) {
                current = change.to();
                // a transition is seen only while watched: one after a gap in the connections says so
                watched = true;
            } else {
                watched = online(change);
            }
        }
        if (cursor.isBefore(to)) {
            out.add(new StateTimeline.Segment(cursor, to, look(watched, current)));
        }
        return merge(out);
    }

    private static boolean online(HistoryEvent connection) {
        return connection.to().filter(ConnectionState.ONLINE.name()::equals).isPresent();
    }

    private static Optional<VrrpState> look(boolean watched, Optional<String> state) {
        if (!watched || state.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(VrrpState.valueOf(state.get()));
        } catch (IllegalArgumentException removed) {
            return Optional.empty(); // REMOVED from its configuration: not there to watch
        }
    }

    private static Optional<InstanceId> id(HistoryEvent e) {
        return e.node().isPresent() && e.daemon().isPresent() && e.instance().isPresent()
                ? Optional.of(new InstanceId(e.node().get(), e.daemon().get(), e.instance().get())) : Optional.empty();
    }

    private static List<HistoryEvent> all(Function<HistoryQuery, HistoryPage> reader, HistoryQuery first, int max, String tooMany) {
        List<HistoryEvent> out = new ArrayList<>();
        HistoryQuery query = first;
        while (true) {
            HistoryPage page = reader.apply(query);
            out.addAll(page.events());
            if (out.size() > max) {
                throw new IllegalStateException(tooMany);
            }
            if (page.next().isEmpty()) {
                return out;
            }
            query = query.after(page.next());
        }
    }

    private static List<StateTimeline.Segment> merge(List<StateTimeline.Segment> segments) {
        List<StateTimeline.Segment> out = new ArrayList<>();
        for (StateTimeline.Segment s : segments) {
            if (!s.from().isBefore(s.to())) {
                continue;
            }
            if (!out.isEmpty()) {
                StateTimeline.Segment last = out.get(out.size() - 1);
                if (last.state().equals(s.state()) && !last.to().isBefore(s.from())) {
                    out.set(out.size() - 1, new StateTimeline.Segment(last.from(), s.to(), s.state()));
                    continue;
                }
            }
            out.add(s);
        }
        return out;
    }

    /** The span shown. */
    public ReadOnlyObjectProperty<Duration> spanProperty() {
        return span.getReadOnlyProperty();
    }

    /** Where the span ends; null while it ends now and follows the clock. */
    public ReadOnlyObjectProperty<Instant> endProperty() {
        return end.getReadOnlyProperty();
    }

    /** The lanes to draw (null: no router). */
    public ReadOnlyObjectProperty<Picture> pictureProperty() {
        return picture.getReadOnlyProperty();
    }

    /** Why the lanes show less than asked: no history, a history that could not be read, too much to draw. */
    public ReadOnlyStringProperty noteProperty() {
        return note.getReadOnlyProperty();
    }

    /** The history is being read. */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }
}
