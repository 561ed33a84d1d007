package org.keepwatch.history;

import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.NodeStatus;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;

import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what the fleet engine and the services tell into the history's rows, on the store's writer thread (so it
 * keeps its memory without locks): a state transition per instance, a verdict only when it changes, a connection
 * only when its state changes, a daemon when its status or drain changes, an action with its diff and steps, and a
 * configuration version only when its text is new, as a hand edit when Keepwatch did not write it.
 */
final class HistoryRecorder {

    /** A daemon's configuration as read from its node (at connect, after a change, on the periodic check). */
    record ConfigRead(Instant at, String node, ConfigFiles files) {
    }

    /** What one batch writes. */
    static final class Rows {
        final List<HistoryEvent> events = new ArrayList<>();
        final Map<List<String>, String> instances = new LinkedHashMap<>();
        final List<Database.VersionRow> versions = new ArrayList<>();
        final List<Database.Correction> corrections = new ArrayList<>();

        boolean isEmpty() {
            return events.isEmpty() && instances.isEmpty() && versions.isEmpty() && corrections.isEmpty();
        }
    }

    private final Map<RouterKey, Verdict> verdicts = new HashMap<>();
    private final Map<String, String> connections = new HashMap<>();
    private final Map<List<String>, DaemonObservation> daemons = new HashMap<>();
    private final Map<List<String>, String> instanceRouters = new HashMap<>();
    /** The last sha256 known per (node, daemon, path): the store's, kept here so a read that changed nothing costs nothing. */
    private final Map<List<String>, String> configs = new HashMap<>();

    /** How the store names a router: its group and id ("lab:51", "lab:v6/51", "net:3d611c8b-..."). */
    static String routerName(RouterKey key) {
        return key.scope() + ":" + key.id();
    }

    void event(FleetEvent event, Rows rows) {
        if (event instanceof FleetEvent.InstanceChanged changed) {
            instance(changed, rows);
        } else if (event instanceof FleetEvent.InstanceRemoved removed) {
            rows.events.add(new HistoryEvent(0, removed.at(), Optional.empty(), HistoryEvent.Kind.TRANSITION,
                    Optional.of(routerName(removed.router())), Optional.of(removed.instance().node()),
                    Optional.of(removed.instance().daemon()), Optional.of(removed.instance().name()), Optional.empty(),
                    Optional.of("REMOVED"), Optional.empty(), removed.instance().node() + " " + removed.instance().name()
                    + " removed from " + daemonLabel(removed.instance().daemon()) + "'s configuration", Optional.empty()));
        } else if (event instanceof FleetEvent.RouterChanged changed) {
            Verdict before = verdicts.put(changed.router().key(), changed.router().verdict());
            Verdict now = changed.router().verdict();
            if (before != now && !(before == null && now == Verdict.HEALTHY)) {
                rows.events.add(HistoryEvent.of(changed.at(), HistoryEvent.Kind.VERDICT, null,
                                routerLabel(changed.router().key()) + ": " + (before == null ? "" : words(before) + " → ") + words(now))
                        .withRouter(routerName(changed.router().key()))
                        .withStates(before == null ? null : before.name(), now.name())
                        .withDetail(String.join("\n", changed.router().reasons())));
            }
        } else if (event instanceof FleetEvent.RouterRemoved removed) {
            Verdict before = verdicts.remove(removed.router());
            rows.events.add(HistoryEvent.of(removed.at(), HistoryEvent.Kind.VERDICT, null,
                            routerLabel(removed.router()) + ": gone (its last member left)")
                    .withRouter(routerName(removed.router())).withStates(before == null ? null : before.name(), "GONE"));
        } else if (event instanceof FleetEvent.Alarm alarm) {
            rows.events.add(HistoryEvent.of(alarm.at(), HistoryEvent.Kind.ALARM, null, routerLabel(alarm.router()) + ": "
                            + words(alarm.verdict()) + (alarm.raised() ? " raised" : " cleared"))
                    .withRouter(routerName(alarm.router()))
                    .withStates(alarm.raised() ? null : alarm.verdict().name(), alarm.raised() ? alarm.verdict().name() : null)
                    .withDetail(String.join("\n", alarm.reasons())));
        } else if (event instanceof FleetEvent.NodeChanged changed) {
            connection(changed.at(), changed.status(), rows);
        } else if (event instanceof FleetEvent.DaemonsChanged changed) {
            for (DaemonObservation daemon : changed.daemons()) {
                daemon(changed.at(), daemon, rows);
            }
        }
    }

    void action(FleetAction action, Database database, Rows rows) throws SQLException {
        HistoryEvent.Kind kind = switch (action.kind()) {
            case PUSH -> HistoryEvent.Kind.PUSH;
            case RESTORE -> HistoryEvent.Kind.RESTORE;
            case DAEMON -> HistoryEvent.Kind.ACTION;
        };
        String who = action.operator().user() + "@" + action.operator().workstation();
        StringBuilder detail = new StringBuilder();
        if (!action.reason().isBlank()) {
            detail.append("Reason: ").append(action.reason()).append("\n\n");
        }
        if (!action.diff().isBlank()) {
            detail.append(action.diff()).append(action.diff().endsWith("\n") ? "" : "\n").append('\n');
        }
        if (!action.steps().isEmpty()) {
            detail.append("Steps:\n");
            action.steps().forEach(s -> detail.append("  ").append(s).append('\n'));
            detail.append('\n');
        }
        detail.append("Outcome: ").append(action.outcome());
        HistoryEvent event = HistoryEvent.of(action.at(), kind, action.node(), who + " " + action.what() + " on " + action.node()
                        + (action.daemon().isEmpty() ? "" : " (" + daemonLabel(action.daemon()) + ")") + ": "
                        + (action.succeeded() ? "done" : "failed") + (action.outcome().isBlank() ? "" : " (" + firstLine(action.outcome()) + ")"))
                .withDaemon(action.daemon().isEmpty() ? null : action.daemon()).withOperator(who)
                .withStates(null, action.succeeded() ? "OK" : "FAILED").withDetail(detail.toString().strip());
        if (action.router().isPresent()) {
            event = event.withRouter(routerName(action.router().get()));
        }
        rows.events.add(event);
        for (FleetAction.FileVersion file : action.written()) {
            List<String> key = List.of(action.node(), action.daemon(), file.path());
            if (file.sha256().equals(configs.get(key))) {
                ownWriteReadBack(action, file, who, database, rows);
            } else {
                configs.put(key, file.sha256());
                rows.versions.add(new Database.VersionRow(new ConfigVersion(0, action.at(), action.node(), action.daemon(),
                        file.path(), file.sha256(), "keepwatch", Optional.of(who)), file.text()));
            }
        }
    }

    /**
     * The file a push or restore wrote was read back from the node before the action was told (a periodic read, or
     * the one after the reload, while the agent still watched health): that read took Keepwatch's own write for a
     * change outside Keepwatch. It is the action's version: made so (at the action's time, where its event is), and its
     * hand-edit event dropped.
     */
    private static void ownWriteReadBack(FleetAction action, FleetAction.FileVersion file, String who, Database database, Rows rows)
            throws SQLException {
        for (int i = rows.versions.size() - 1; i >= 0; i--) {
            ConfigVersion v = rows.versions.get(i).version();
            if (v.node().equals(action.node()) && v.daemon().equals(action.daemon()) && v.path().equals(file.path())) {
                if (v.sha256().equals(file.sha256()) && v.source().equals("outside") && !v.at().isBefore(action.at())) {
                    rows.versions.set(i, new Database.VersionRow(new ConfigVersion(0, action.at(), v.node(), v.daemon(), v.path(),
                            v.sha256(), "keepwatch", Optional.of(who)), rows.versions.get(i).text()));
                    rows.events.removeIf(e -> e.kind() == HistoryEvent.Kind.HAND_EDIT && e.at().equals(v.at())
                            && e.node().equals(Optional.of(v.node())) && e.daemon().equals(Optional.of(v.daemon())));
                }
                return;
            }
        }
        Optional<ConfigVersion> stored = database.latest(action.node(), action.daemon(), file.path());
        if (stored.isPresent() && stored.get().sha256().equals(file.sha256()) && stored.get().source().equals("outside")
                && !stored.get().at().isBefore(action.at())) {
            rows.corrections.add(new Database.Correction(stored.get().id(), who, action.at(), stored.get()));
        }
    }

    /**
     * A configuration as read from a node: a file whose text Keepwatch has not seen there is stored, and reported as a
     * hand edit (with its diff against the last version Keepwatch knew) unless it is the first Keepwatch ever saw.
     */
    void configRead(ConfigRead read, Database database, Rows rows) throws SQLException {
        for (ConfigFiles.File file : read.files().files()) {
            List<String> key = List.of(read.node(), read.files().daemon(), file.path());
            if (file.sha256().equals(configs.get(key))) {
                continue;
            }
            // what Keepwatch last knew: a version in this very batch, else the store's (another workstation or the CLI
            // may have written one since this one last looked)
            Optional<ConfigVersion> pending = pendingVersion(rows, read.node(), read.files().daemon(), file.path());
            Optional<ConfigVersion> known = pending.isPresent() ? pending
                    : database.latest(read.node(), read.files().daemon(), file.path());
            configs.put(key, file.sha256());
            if (known.isPresent() && known.get().sha256().equals(file.sha256())) {
                continue;
            }
            boolean outside = known.isPresent();
            rows.versions.add(new Database.VersionRow(new ConfigVersion(0, read.at(), read.node(), read.files().daemon(),
                    file.path(), file.sha256(), outside ? "outside" : "read", Optional.empty()), file.text()));
            if (outside) {
                String before = pendingText(rows, known.get().sha256()).or(() -> textOf(database, known.get().sha256())).orElse("");
                rows.events.add(HistoryEvent.of(read.at(), HistoryEvent.Kind.HAND_EDIT, read.node(), file.path() + " on "
                                + read.node() + " (" + daemonLabel(read.files().daemon()) + ") changed outside Keepwatch")
                        .withDaemon(read.files().daemon()).withStates(known.get().sha256().substring(0, 12), file.sha256().substring(0, 12))
                        .withDetail(diff(file.path(), before, file.text(), "as Keepwatch last knew it (" + known.get().at() + ")",
                                "as read at " + read.at())));
            }
        }
    }

    private static String diff(String path, String before, String after, String beforeLabel, String afterLabel) {
        return FleetAction.unifiedDiff(path, before, after, beforeLabel, afterLabel);
    }

    private static Optional<ConfigVersion> pendingVersion(Rows rows, String node, String daemon, String path) {
        for (int i = rows.versions.size() - 1; i >= 0; i--) {
            ConfigVersion v = rows.versions.get(i).version();
            if (v.node().equals(node) && v.daemon().equals(daemon) && v.path().equals(path)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> pendingText(Rows rows, String sha256) {
        return rows.versions.stream().filter(v -> v.version().sha256().equals(sha256)).map(Database.VersionRow::text).findFirst();
    }

    private static Optional<String> textOf(Database database, String sha256) {
        try {
            return database.text(sha256, true);
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    private void instance(FleetEvent.InstanceChanged changed, Rows rows) {
        InstanceObservation after = changed.after();
        Optional<VrrpState> before = changed.before().map(InstanceObservation::state);
        String router = routerName(changed.router());
        List<String> key = List.of(after.node(), after.daemon(), after.name());
        if (!router.equals(instanceRouters.get(key))) {
            instanceRouters.put(key, router);
            rows.instances.put(key, router);
        }
        if (before.isPresent() && before.get() == after.state()) {
            return;
        }
        String from = before.map(Enum::name).orElse(VrrpState.UNKNOWN.name());
        rows.events.add(new HistoryEvent(0, changed.at(), after.lastTransition(), HistoryEvent.Kind.TRANSITION,
                Optional.of(router), Optional.of(after.node()), Optional.of(after.daemon()), Optional.of(after.name()),
                Optional.of(from), Optional.of(after.state().name()), Optional.empty(),
                after.node() + " " + after.name() + " (" + routerLabel(changed.router()) + ") " + from + " → " + after.state().name()
                        + (changed.cause().isBlank() ? "" : " (" + changed.cause() + ")"),
                Optional.of("priority " + after.effectivePriority() + (after.effectivePriority() != after.basePriority()
                        ? " (configured " + after.basePriority() + ")" : ""))));
    }

    private void connection(Instant at, NodeStatus status, Rows rows) {
        String now = status.connection().name();
        String before = connections.put(status.node(), now);
        if (now.equals(before)) {
            return;
        }
        String version = status.keepalivedVersion().map(v -> ", keepalived " + v).orElse("");
        rows.events.add(HistoryEvent.of(at, HistoryEvent.Kind.CONNECTION, status.node(), status.node() + " "
                        + now.toLowerCase(Locale.ROOT).replace('_', ' ') + status.lastError().map(e -> ": " + e).orElse(version))
                .withStates(before, now));
    }

    private void daemon(Instant at, DaemonObservation daemon, Rows rows) {
        List<String> key = List.of(daemon.node(), daemon.name());
        DaemonObservation before = daemons.put(key, daemon);
        if (before == null || before.status() != daemon.status()) {
            if (before != null || daemon.status() != org.keepwatch.fleet.DaemonStatus.RUNNING) {
                rows.events.add(HistoryEvent.of(at, HistoryEvent.Kind.DAEMON, daemon.node(), daemon.node() + " "
                                + daemon.label() + " " + daemon.status().describe() + daemon.problem().map(p -> ": " + p).orElse(""))
                        .withDaemon(daemon.name()).withStates(before == null ? null : before.status().name(), daemon.status().name()));
            }
        }
        boolean wasDrained = before != null && before.drained();
        if (daemon.maintenance().isPresent() && daemon.drained() != wasDrained && (before != null || daemon.drained())) {
            var weight = daemon.maintenance().get();
            String by = weight.by().orElse(null);
            rows.events.add(HistoryEvent.of(at, HistoryEvent.Kind.MAINTENANCE, daemon.node(), daemon.node() + " "
                            + daemon.label() + (daemon.drained() ? " drained" : " undrained") + (by == null ? "" : " by " + by)
                            + weight.reason().map(r -> ": " + r).orElse(""))
                    .withDaemon(daemon.name()).withOperator(by)
                    .withStates(wasDrained ? "DRAINED" : "IN_SERVICE", daemon.drained() ? "DRAINED" : "IN_SERVICE"));
        }
    }

    private static String routerLabel(RouterKey key) {
        return key.label() + " (" + key.scope() + ")";
    }

    private static String daemonLabel(String daemon) {
        return daemon.equals("keepalived") ? "keepalived" : "keepalived " + daemon;
    }

    private static String words(Verdict verdict) {
        return verdict.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
