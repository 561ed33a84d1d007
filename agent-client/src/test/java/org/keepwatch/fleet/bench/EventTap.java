package org.keepwatch.fleet.bench;

import org.keepwatch.fleet.EventBatch;
import org.keepwatch.fleet.FleetEvent;
import org.keepwatch.fleet.FleetState;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The consumer of a {@link FleetState}'s event stream, as a view model would be: it drains the
 * state every {@code interval} on a thread of its own and hands each event on with the moment it
 * was received. A short interval measures the engine; a frame (16 ms) costs what the UI would.
 */
final class EventTap implements AutoCloseable {

    /** An event and the wall-clock moment its batch was drained. */
    record Received(Instant at, long nanos, FleetEvent event) {
    }

    private final FleetState state;
    private final long intervalNanos;
    private final Consumer<Received> sink;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean overflowed;

    EventTap(FleetState state, Duration interval, Consumer<Received> sink) {
        this.state = state;
        this.intervalNanos = interval.toNanos();
        this.sink = sink;
        this.thread = new Thread(this::run, "bench-event-tap");
        thread.setDaemon(true);
        thread.start();
    }

    /** True if the state ever dropped events because this tap was too slow. */
    boolean overflowed() {
        return overflowed;
    }

    private void run() {
        while (running) {
            EventBatch batch = state.drainEvents();
            if (!batch.events().isEmpty()) {
                Instant at = Instant.now();
                long nanos = System.nanoTime();
                overflowed |= batch.overflowed();
                batch.events().forEach(event -> sink.accept(new Received(at, nanos, event)));
            }
            LockSupport.parkNanos(intervalNanos);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(2));
    }
}
