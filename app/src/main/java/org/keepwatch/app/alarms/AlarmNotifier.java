package org.keepwatch.app.alarms;

import org.keepwatch.fleet.FleetEvent;

/** Tells the operator about a new alarm outside the window: a desktop notification. */
@FunctionalInterface
public interface AlarmNotifier {
    void raised(FleetEvent.Alarm alarm);
}
