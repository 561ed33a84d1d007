package org.keepwatch.app.events;

import org.keepwatch.fleet.InstanceId;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of the timeline. Immutable: events do not change once they happened. {@code instance}: the instance a
 * transition is of (its log is reachable from it), empty for other events.
 */
public record EventRow(Instant at, EventKind kind, String router, String node, String text, Optional<InstanceId> instance) {

    public EventRow(Instant at, EventKind kind, String router, String node, String text) {
        this(at, kind, router, node, text, Optional.empty());
    }
}
