package org.keepwatch.app.events;

import org.keepwatch.fleet.InstanceId;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of the timeline. Immutable: events do not change once they happened. {@code instance}: the instance a
 * transition is of (its log is reachable from it), empty for other events; {@code config}: the configuration version a
 * hand edit (or a push) of the history is about (its configuration history is reachable from it).
 */
public record EventRow(Instant at, EventKind kind, String router, String node, String text, Optional<InstanceId> instance,
                       Optional<ConfigRef> config) {

    /** A daemon's configuration on a node, and the version an event names (a short hash), when it names one. */
    public record ConfigRef(String node, String daemon, Optional<String> version) {
    }

    public EventRow {
        instance = instance == null ? Optional.empty() : instance;
        config = config == null ? Optional.empty() : config;
    }

    public EventRow(Instant at, EventKind kind, String router, String node, String text, Optional<InstanceId> instance) {
        this(at, kind, router, node, text, instance, Optional.empty());
    }

    public EventRow(Instant at, EventKind kind, String router, String node, String text) {
        this(at, kind, router, node, text, Optional.empty(), Optional.empty());
    }
}
