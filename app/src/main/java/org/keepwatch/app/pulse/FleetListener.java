package org.keepwatch.app.pulse;

/** A view model that takes the fleet's changes, on the FX thread, once per pulse at most. */
@FunctionalInterface
public interface FleetListener {
    void onBatch(FleetBatch batch);
}
