package org.keepwatch.app.events;

/** What the timeline shows; the kinds after NODE come from the history (older events read from the store). */
public enum EventKind {
    TRANSITION("State change"), ALARM("Alarm"), CLEARED("Alarm cleared"), NODE("Connection"), VERDICT("Verdict"),
    DAEMON("Daemon"), ACTION("Action"), CONFIG("Configuration"), GAP("Not kept");

    private final String label;

    EventKind(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
