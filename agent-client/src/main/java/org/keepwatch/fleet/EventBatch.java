package org.keepwatch.fleet;

import java.util.List;

/**
 * The events since the last drain. {@code overflowed} means some were dropped because nobody
 * drained: the consumer should rebuild from {@link FleetState}'s views instead of patching.
 */
public record EventBatch(List<FleetEvent> events, boolean overflowed) {

    public boolean isEmpty() {
        return events.isEmpty() && !overflowed;
    }
}
