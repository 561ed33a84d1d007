package org.keepwatch.app.events;

import java.time.Instant;

/** One line of the timeline. Immutable: events do not change once they happened. */
public record EventRow(Instant at, EventKind kind, String router, String node, String text) {
}
