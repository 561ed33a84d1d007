package org.keepwatch.history;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which events to read: a time range, a router, a node, kinds, words in the summary, a page size and where the page
 * starts (the {@link HistoryPage#next()} of the previous page: keyset paging, so page 1,000 costs what page 1 does).
 *
 * @param router a router as stored ({@code GROUP:ID}), matched exactly on the router index (a router's timeline), or
 *               its id alone ({@code 51}, a Neutron router's id), matched in every group
 * @param text   words the summary or the detail contains, case-insensitively
 * @param newestFirst the Events view and {@code keepwatch history} read backwards; a report forwards
 */
public record HistoryQuery(Optional<Instant> since, Optional<Instant> until, Optional<String> router, Optional<String> node,
                           Set<HistoryEvent.Kind> kinds, Optional<String> text, int limit, Optional<String> after,
                           boolean newestFirst) {

    public static final int MAX_LIMIT = 10_000;

    public HistoryQuery {
        since = since == null ? Optional.empty() : since;
        until = until == null ? Optional.empty() : until;
        router = router == null ? Optional.empty() : router.filter(r -> !r.isBlank());
        node = node == null ? Optional.empty() : node.filter(n -> !n.isBlank());
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        text = text == null ? Optional.empty() : text.filter(t -> !t.isBlank());
        after = after == null ? Optional.empty() : after;
        if (limit <= 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("a page holds 1 to " + MAX_LIMIT + " events, not " + limit);
        }
    }

    /** Everything, newest first, 200 at a time. */
    public static HistoryQuery all() {
        return new HistoryQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Set.of(),
                Optional.empty(), 200, Optional.empty(), true);
    }

    public HistoryQuery between(Optional<Instant> from, Optional<Instant> to) {
        return new HistoryQuery(from, to, router, node, kinds, text, limit, after, newestFirst);
    }

    public HistoryQuery router(String value) {
        return new HistoryQuery(since, until, Optional.ofNullable(value), node, kinds, text, limit, after, newestFirst);
    }

    public HistoryQuery node(String value) {
        return new HistoryQuery(since, until, router, Optional.ofNullable(value), kinds, text, limit, after, newestFirst);
    }

    public HistoryQuery kinds(Set<HistoryEvent.Kind> value) {
        return new HistoryQuery(since, until, router, node, value, text, limit, after, newestFirst);
    }

    public HistoryQuery text(String value) {
        return new HistoryQuery(since, until, router, node, kinds, Optional.ofNullable(value), limit, after, newestFirst);
    }

    public HistoryQuery limit(int value) {
        return new HistoryQuery(since, until, router, node, kinds, text, value, after, newestFirst);
    }

    public HistoryQuery after(Optional<String> cursor) {
        return new HistoryQuery(since, until, router, node, kinds, text, limit, cursor, newestFirst);
    }

    public HistoryQuery oldestFirst() {
        return new HistoryQuery(since, until, router, node, kinds, text, limit, after, false);
    }
}
