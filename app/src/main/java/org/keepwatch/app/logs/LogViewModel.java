package org.keepwatch.app.logs;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.keepwatch.agent.LogLine;
import org.keepwatch.agent.LogQuery;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.daemons.DaemonLogs;
import org.keepwatch.daemons.LogTail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One daemon's log in a window: the lines the node's agent read for the instance and lowest level chosen (filtered on
 * the node), searched here as the operator types, and, while following, the new lines as they come (at most
 * {@link #MAX_LINES} kept, the oldest dropped). Opened "around" a moment (a transition in the events), it shows the
 * lines from {@link #BEFORE} before to {@link #AFTER} after it and marks the one nearest to it. FX thread only;
 * followed lines come back through {@link Tasks#onUi}.
 */
public final class LogViewModel {

    public static final int MAX_LINES = 5000;
    static final int READ_LINES = 1000;
    public static final Duration BEFORE = Duration.ofMinutes(2);
    public static final Duration AFTER = Duration.ofMinutes(1);
    /** The level choice that filters nothing. */
    public static final String ANY_LEVEL = "any level";
    /** The instance choice that filters nothing. */
    public static final String ANY_INSTANCE = "all instances";

    private final DaemonLogs logs;
    private final Tasks tasks;
    private final String node;
    private final String daemon;
    private final Optional<Instant> around;
    private final ObservableList<LogLine> all = FXCollections.observableArrayList();
    private final FilteredList<LogLine> shown = new FilteredList<>(all);
    private final ObservableList<LogLine> rows = FXCollections.unmodifiableObservableList(shown);
    private final ObservableList<String> instances = FXCollections.observableArrayList();
    private final ObservableList<String> levels = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper following = new ReadOnlyBooleanWrapper(this, "following");
    private final ReadOnlyObjectWrapper<LogLine> marked = new ReadOnlyObjectWrapper<>(this, "marked");
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper(this, "title");
    private String instance;
    private String level;
    private String search = "";
    private boolean showDumpsAsked;
    private LogTail tail;
    private int generation;
    private boolean closed;

    public LogViewModel(DaemonLogs logs, Tasks tasks, String node, String daemon, List<String> knownInstances,
                        Optional<String> instance, Optional<Instant> around) {
        this.logs = logs;
        this.tasks = tasks;
        this.node = node;
        this.daemon = daemon;
        this.around = around;
        this.instance = instance.orElse(null);
        instances.add(ANY_INSTANCE);
        instances.addAll(knownInstances);
        instance.filter(i -> !instances.contains(i)).ifPresent(instances::add);
        levels.add(ANY_LEVEL);
        levels.addAll(LogLine.LEVELS);
        title.set("Log of " + (daemon.equals("keepalived") ? "keepalived" : "keepalived " + daemon) + " on " + node
                + around.map(a -> " around " + a).orElse(""));
        filter();
    }

    /** Reads the log (and follows it when not opened around a moment). */
    public void open() {
        reload(around.isEmpty());
    }

    public ObservableList<LogLine> rows() {
        return rows;
    }

    public ObservableList<String> instances() {
        return FXCollections.unmodifiableObservableList(instances);
    }

    public ObservableList<String> levels() {
        return FXCollections.unmodifiableObservableList(levels);
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty followingProperty() {
        return following.getReadOnlyProperty();
    }

    /** The line nearest the moment the log was opened around, once read. */
    public ReadOnlyObjectProperty<LogLine> markedProperty() {
        return marked.getReadOnlyProperty();
    }

    public String instance() {
        return instance == null ? ANY_INSTANCE : instance;
    }

    public String level() {
        return level == null ? ANY_LEVEL : level;
    }

    /** Only this instance's lines (ANY_INSTANCE: all), read again from the node. */
    public void setInstance(String choice) {
        String next = choice == null || choice.equals(ANY_INSTANCE) ? null : choice;
        if (!Objects.equals(next, instance)) {
            instance = next;
            reload(following.get());
        }
    }

    /** Only lines at least this severe (ANY_LEVEL: all), read again from the node. */
    public void setLevel(String choice) {
        String next = choice == null || choice.equals(ANY_LEVEL) ? null : choice;
        if (!Objects.equals(next, level)) {
            level = next;
            reload(following.get());
        }
    }

    /** Only lines that contain this text, any case: the lines already read, searched at once. */
    public void setSearch(String text) {
        search = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        filter();
    }

    /**
     * Whether keepalived's "Printing VRRP as json for process(N) on signal" lines are shown: the agent asks for a
     * dump every 30 s, so on a quiet node they are most of the log and hide what keepalived itself had to say.
     * Hidden unless asked for.
     */
    public void setShowDumpsAsked(boolean show) {
        showDumpsAsked = show;
        filter();
    }

    public boolean showDumpsAsked() {
        return showDumpsAsked;
    }

    private void filter() {
        String text = search;
        boolean dumps = showDumpsAsked;
        shown.setPredicate(text.isEmpty() && dumps ? null
                : l -> (dumps || !l.dumpAsked()) && (text.isEmpty() || l.text().toLowerCase(Locale.ROOT).contains(text)));
    }

    public void setFollowing(boolean follow) {
        if (follow != following.get()) {
            if (follow) {
                reload(true);
            } else {
                stopFollowing();
                following.set(false);
                status.set(status.get().replace(", following", ""));
            }
        }
    }

    /** Stops following: the window closed. */
    public void close() {
        closed = true;
        stopFollowing();
    }

    private LogQuery query() {
        LogQuery base = around.map(a -> LogQuery.around(a, BEFORE, AFTER)).orElse(LogQuery.last(READ_LINES));
        return base.withInstance(instance).withLevel(level);
    }

    private void reload(boolean follow) {
        stopFollowing();
        int mine = ++generation;
        following.set(follow);      // the view keeps a followed log at its end from the first lines on
        status.set("reading…");
        LogQuery query = query();
        tasks.await(logs.read(node, daemon, query)).onSuccess(read -> {
            if (mine != generation || closed) {
                return;
            }
            all.setAll(read.lines());
            trim();
            around.ifPresent(a -> marked.set(nearest(read.lines(), a)));
            status.set(read.lines().size() + " lines from " + read.source().describe()
                    + (read.truncated() ? " (its last 8 MiB)" : ""));
            if (follow) {
                startFollowing(mine, query, read.source().describe());
            }
        }).onError(e -> {
            if (mine == generation) {
                status.set("cannot read the log: " + Tasks.message(e));
            }
        }).start();
    }

    private void startFollowing(int mine, LogQuery query, String where) {
        following.set(true);
        tasks.await(logs.follow(node, daemon, query, lines -> tasks.onUi(() -> {
            if (mine == generation && !closed) {
                all.addAll(lines);
                trim();
            }
        }))).onSuccess(started -> {
            if (mine != generation || closed) {
                started.close();
                return;
            }
            tail = started;
            status.set(all.size() + " lines from " + where + ", following");
        }).onError(e -> {
            if (mine == generation) {
                following.set(false);
                status.set("cannot follow the log: " + Tasks.message(e));
            }
        }).start();
    }

    private void stopFollowing() {
        if (tail != null) {
            LogTail stopping = tail;
            tail = null;
            tasks.run(() -> {
                stopping.close();
                return null;
            }).start();
        }
    }

    private void trim() {
        if (all.size() > MAX_LINES) {
            all.remove(0, all.size() - MAX_LINES);
        }
    }

    static LogLine nearest(List<LogLine> lines, Instant at) {
        LogLine best = null;
        long bestGap = Long.MAX_VALUE;
        for (LogLine line : new ArrayList<>(lines)) {
            if (line.time().isPresent()) {
                long gap = Math.abs(Duration.between(line.time().get(), at).toMillis());
                if (gap < bestGap) {
                    bestGap = gap;
                    best = line;
                }
            }
        }
        return best;
    }
}
