package org.keepwatch.history;

import java.time.Instant;
import java.util.Optional;

/** An instance as it was at a moment: its last transition before then (empty state: not seen yet then). */
public record InstanceAsOf(String node, String daemon, String instance, String router, Optional<String> state,
                           Optional<Instant> since) {
}
