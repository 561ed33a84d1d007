package org.keepwatch.history;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One thing that happened, as the history keeps it.
 *
 * @param id       the store's number for it (0 until stored); with {@code at} the key pages are cut on
 * @param at       when Keepwatch saw it, on this workstation's clock
 * @param nodeAt   when the node says it happened (keepalived's own time of a transition), when it said
 * @param router   the router's key as stored ({@link HistoryRecorder#routerName}): {@code GROUP:VRID} or
 *                 {@code GROUP:NEUTRON-ID}
 * @param operator who did it ({@code user@workstation}) for actions; for a drain, who the node says drained
 * @param detail   what there is to read beside the summary: a diff, the steps of an action, the reasons of a verdict
 */
public record HistoryEvent(long id, Instant at, Optional<Instant> nodeAt, Kind kind, Optional<String> router,
                           Optional<String> node, Optional<String> daemon, Optional<String> instance,
                           Optional<String> from, Optional<String> to, Optional<String> operator, String summary,
                           Optional<String> detail) {

    /** What kind of thing happened; {@link #word} is how the store, the CLI's --kind and JSON name it. */
    public enum Kind {
        TRANSITION("transition"),
        VERDICT("verdict"),
        ALARM("alarm"),
        CONNECTION("connection"),
        DAEMON("daemon"),
        MAINTENANCE("maintenance"),
        PUSH("push"),
        RESTORE("restore"),
        ACTION("action"),
        CONFIG("config"),
        HAND_EDIT("hand-edit"),
        GAP("gap");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        /** The kind a word names; unknown words fail naming the known ones. */
        public static Kind of(String word) {
            return Arrays.stream(values()).filter(k -> k.word.equalsIgnoreCase(word.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no kind of event '" + word + "' (kinds: "
                            + String.join(", ", Arrays.stream(values()).map(Kind::word).toList()) + ")"));
        }
    }

    public HistoryEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(summary, "summary");
        nodeAt = nodeAt == null ? Optional.empty() : nodeAt;
        router = router == null ? Optional.empty() : router;
        node = node == null ? Optional.empty() : node;
        daemon = daemon == null ? Optional.empty() : daemon;
        instance = instance == null ? Optional.empty() : instance;
        from = from == null ? Optional.empty() : from;
        to = to == null ? Optional.empty() : to;
        operator = operator == null ? Optional.empty() : operator;
        detail = detail == null ? Optional.empty() : detail;
    }

    /** An event of no router, instance or state change (a connection, an action, a gap). */
    public static HistoryEvent of(Instant at, Kind kind, String node, String summary) {
        return new HistoryEvent(0, at, Optional.empty(), kind, Optional.empty(), Optional.ofNullable(node), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), summary, Optional.empty());
    }

    public HistoryEvent withRouter(String value) {
        return new HistoryEvent(id, at, nodeAt, kind, Optional.ofNullable(value), node, daemon, instance, from, to, operator, summary, detail);
    }

    public HistoryEvent withDaemon(String value) {
        return new HistoryEvent(id, at, nodeAt, kind, router, node, Optional.ofNullable(value), instance, from, to, operator, summary, detail);
    }

    public HistoryEvent withStates(String fromState, String toState) {
        return new HistoryEvent(id, at, nodeAt, kind, router, node, daemon, instance, Optional.ofNullable(fromState),
                Optional.ofNullable(toState), operator, summary, detail);
    }

    public HistoryEvent withOperator(String value) {
        return new HistoryEvent(id, at, nodeAt, kind, router, node, daemon, instance, from, to, Optional.ofNullable(value), summary, detail);
    }

    public HistoryEvent withDetail(String value) {
        return new HistoryEvent(id, at, nodeAt, kind, router, node, daemon, instance, from, to, operator, summary,
                value == null || value.isEmpty() ? Optional.empty() : Optional.of(value));
    }

    public HistoryEvent withInstance(String value, Optional<Instant> nodeTime) {
        return new HistoryEvent(id, at, nodeTime, kind, router, node, daemon, Optional.ofNullable(value), from, to, operator, summary, detail);
    }

    HistoryEvent withId(long value) {
        return new HistoryEvent(value, at, nodeAt, kind, router, node, daemon, instance, from, to, operator, summary, detail);
    }
}
