package org.keepwatch.fleet;

/**
 * Where the fleet engine and the services that act on the fleet tell what happened, for a history to keep: every
 * event {@link FleetState} emits, and every action carried out (push, restore, a daemon started or stopped). The
 * library code that produces them calls it, so both front ends record the same things (ADR 0015).
 *
 * <p>Called on the producer's thread, for events with {@link FleetState}'s lock held: an implementation returns at
 * once (it queues; it never blocks, waits for I/O or throws).
 */
public interface FleetJournal {

    /** Keeps nothing: a fleet watched without a history (tests, a history that could not be opened). */
    FleetJournal NONE = new FleetJournal() {
        @Override
        public void event(FleetEvent event) {
        }

        @Override
        public void action(FleetAction action) {
        }
    };

    void event(FleetEvent event);

    void action(FleetAction action);
}
