package org.keepwatch.app.pulse;

import javafx.animation.AnimationTimer;
import org.keepwatch.fleet.EventBatch;
import org.keepwatch.fleet.FleetState;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Carries the fleet's events to the views: once per JavaFX pulse it drains what the I/O threads put
 * into the {@link FleetState}, coalesces it and hands one batch to every listener. Nothing else
 * crosses from the I/O threads to the FX thread, and never more than once a frame.
 */
public final class FleetPulse {

    private final Supplier<FleetState> state;
    private final List<FleetListener> listeners = new CopyOnWriteArrayList<>();
    private final PulseStatistics statistics = new PulseStatistics();
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            statistics.pulse(now);
            pump();
        }
    };

    /** @param state the fleet state to drain (it changes when another fleet is opened) */
    public FleetPulse(Supplier<FleetState> state) {
        this.state = state;
    }

    public void addListener(FleetListener listener) {
        listeners.add(listener);
    }

    public void start() {
        timer.start();
    }

    public void stop() {
        timer.stop();
    }

    /** One drain-and-dispatch, on the FX thread; returns whether anything was dispatched. */
    public boolean pump() {
        long started = System.nanoTime();
        EventBatch drained = state.get().drainEvents();
        if (drained.isEmpty()) {
            return false;
        }
        FleetBatch batch = FleetBatcher.coalesce(drained);
        for (FleetListener listener : listeners) {
            listener.onBatch(batch);
        }
        statistics.work(System.nanoTime() - started, drained.events().size());
        return true;
    }

    public PulseStatistics statistics() {
        return statistics;
    }
}
