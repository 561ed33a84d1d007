package org.keepwatch.app.nodes;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.NodeStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One node's connection as a row: state, since when, keepalived and agent versions, the last error in words. */
public final class NodeRow {

    private final String name;
    private final StringProperty node = new SimpleStringProperty(this, "node");
    private final ObjectProperty<ConnectionState> connection = new SimpleObjectProperty<>(this, "connection");
    private final ObjectProperty<Instant> since = new SimpleObjectProperty<>(this, "since");
    private final StringProperty keepalived = new SimpleStringProperty(this, "keepalived");
    private final StringProperty agent = new SimpleStringProperty(this, "agent");
    private final StringProperty lastError = new SimpleStringProperty(this, "lastError");
    private final StringProperty readOnly = new SimpleStringProperty(this, "readOnly", "");
    private final ObjectProperty<Access> access = new SimpleObjectProperty<>(this, "access");
    private List<String> daemonNames = List.of();
    private final StringProperty daemons = new SimpleStringProperty(this, "daemons", "");
    private final StringProperty kind = new SimpleStringProperty(this, "kind", "");
    private List<DaemonObservation> lastDaemons = List.of();
    private final StringProperty daemonsDetail = new SimpleStringProperty(this, "daemonsDetail", "");
    private final BooleanProperty daemonsRunning = new SimpleBooleanProperty(this, "daemonsRunning", true);
    // Fleet UI hook (issue 6): the status that carried the last error, for the node's Details dialog.
    private NodeStatus lastFailure;

    public NodeRow(NodeStatus status) {
        this.name = status.node();
        update(status);
    }

    public void update(NodeStatus status) {
        node.set(status.node());
        connection.set(status.connection());
        since.set(status.since());
        keepalived.set(status.keepalivedVersion().orElse(""));
        kind.set(DaemonSummary.kind(lastDaemons, keepalived.get()));
        agent.set(status.agentVersion().map(v -> "agent " + v).orElse(""));
        readOnly.set(status.readOnly().orElse(""));
        access.set(new Access(status.connection(), status.readOnly().orElse("")));
        // The last error stays visible while the node is not online: it is what the operator needs. Online, the
        // status says only what still needs the operator (an apply an agent left unfinished).
        if (status.connection() == ConnectionState.ONLINE) {
            lastError.set(status.lastError().orElse(""));
            lastFailure = null;
        } else {
            status.lastError().ifPresent(lastError::set);
            if (status.lastError().isPresent()) {
                lastFailure = status;
            }
        }
    }

    /** Its keepalived daemons as the agent last reported them: hung, stopped or dead ones are said here. */
    public void updateDaemons(List<DaemonObservation> reported) {
        daemonNames = reported.stream().map(DaemonObservation::name).toList();
        lastDaemons = List.copyOf(reported);
        kind.set(DaemonSummary.kind(reported, keepalived.get()));
        daemons.set(DaemonSummary.of(reported));
        daemonsDetail.set(DaemonSummary.details(reported));
        daemonsRunning.set(DaemonSummary.allRunning(reported));
    }

    /** The last status that had an error while the node is not online (its typed cause included). */
    public Optional<NodeStatus> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    public String name() {
        return name;
    }

    public ReadOnlyStringProperty nodeProperty() {
        return node;
    }

    public ReadOnlyObjectProperty<ConnectionState> connectionProperty() {
        return connection;
    }

    public ReadOnlyObjectProperty<Instant> sinceProperty() {
        return since;
    }

    public ReadOnlyStringProperty keepalivedProperty() {
        return keepalived;
    }

    /** What kind of keepalived it runs beyond its version: in a container, Neutron-managed, other versions (words). */
    public ReadOnlyStringProperty kindProperty() {
        return kind;
    }

    public ReadOnlyStringProperty agentProperty() {
        return agent;
    }

    public ReadOnlyStringProperty lastErrorProperty() {
        return lastError;
    }

    /**
     * Why nothing can be changed on it, in the library's words, while its agent runs without root (a login without
     * sudo); empty otherwise. Every action that changes the node is disabled up front with these words.
     */
    public ReadOnlyStringProperty readOnlyProperty() {
        return readOnly;
    }

    /** Its connection and whether it is read-only, as the Connection column shows them side by side. */
    public ReadOnlyObjectProperty<Access> accessProperty() {
        return access;
    }

    /**
     * What kind of node it is, in a sentence for its details: the keepalived version its agent named (the one lint
     * checks its configuration against), what kind of keepalived, and whether it is read-only. Empty before its agent
     * said anything.
     */
    public String facts() {
        List<String> parts = new ArrayList<>();
        if (!keepalived.get().isEmpty()) {
            parts.add("keepalived " + keepalived.get() + " (lint checks its configuration for this version)");
        }
        if (!kind.get().isEmpty()) {
            parts.add(kind.get());
        }
        if (isReadOnly()) {
            parts.add(readOnly.get());
        }
        return parts.isEmpty() ? "" : "This node: " + String.join("; ", parts) + ".";
    }

    public boolean isReadOnly() {
        return !readOnly.get().isEmpty();
    }

    /** The names of its keepalived daemons as last reported (their configuration backups, their editors). */
    /**
     * The node's one keepalived, when the watched state names exactly one and can be trusted to name them all (its
     * agent is root); empty when the operator is to choose from what the agent knows: several daemons, none reported
     * yet, or a read-only node, whose agent cannot see root's keepalived.
     */
    public Optional<String> onlyDaemon() {
        return daemonNames.size() == 1 && !isReadOnly() ? Optional.of(daemonNames.get(0)) : Optional.empty();
    }

    public List<String> daemonNames() {
        return daemonNames;
    }

    public ReadOnlyStringProperty daemonsProperty() {
        return daemons;
    }

    /** Which daemons are down and why, in full (empty when all run). */
    public ReadOnlyStringProperty daemonsDetailProperty() {
        return daemonsDetail;
    }

    public ReadOnlyBooleanProperty daemonsRunningProperty() {
        return daemonsRunning;
    }

    /**
     * A node's connection as its column shows it: the state, and why it is read-only (empty: it is not). Sorted by
     * the state, read-only ones after the others in the same state.
     */
    public record Access(ConnectionState connection, String readOnly) implements Comparable<Access> {

        public boolean isReadOnly() {
            return !readOnly.isEmpty();
        }

        @Override
        public int compareTo(Access other) {
            int byState = connection.compareTo(other.connection);
            return byState != 0 ? byState : Boolean.compare(isReadOnly(), other.isReadOnly());
        }
    }
}
