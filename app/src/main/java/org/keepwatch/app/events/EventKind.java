package org.keepwatch.app.events;

/** What the timeline shows. */
public enum EventKind {
    TRANSITION("State change"), ALARM("Alarm"), CLEARED("Alarm cleared"), NODE("Connection");

    private final String label;

    EventKind(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
