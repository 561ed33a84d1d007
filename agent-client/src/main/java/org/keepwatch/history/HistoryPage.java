package org.keepwatch.history;

import java.util.List;
import java.util.Optional;

/** One page of events and where the next starts ({@link HistoryQuery#after}); empty when this was the last. */
public record HistoryPage(List<HistoryEvent> events, Optional<String> next) {
    public HistoryPage {
        events = List.copyOf(events);
    }
}
