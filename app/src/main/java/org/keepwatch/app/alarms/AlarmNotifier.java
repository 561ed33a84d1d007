package org.keepwatch.app.alarms;

import org.keepwatch.fleet.FleetEvent;

/** Tells the operator about a new alarm outside the window, and that it healed: a desktop notification. */
@FunctionalInterface
public interface AlarmNotifier {
    void raised(FleetEvent.Alarm alarm);

    /** The alarm {@code cleared} (raised false) ended: the router is out of that verdict again. */
    default void cleared(FleetEvent.Alarm cleared) {
    }
}
