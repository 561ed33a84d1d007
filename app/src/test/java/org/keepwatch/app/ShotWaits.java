package org.keepwatch.app;

import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** What the screenshot drivers (LabShots, OperateShots, MaintenanceShots) wait with: work on the FX thread, and polls. */
final class ShotWaits {

    private ShotWaits() {
    }

    /** Until the probe has a value, within the timeout; fails naming what was awaited. */
    static <T> T await(Duration timeout, String what, Callable<Optional<T>> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Optional<T> value = probe.call();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (IllegalStateException notYet) {
                // the toolkit is still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("not within " + timeout + ": " + what);
    }

    /** Until the condition, checked on the FX thread, holds. */
    static void awaitFx(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        await(timeout, what, () -> fx(condition) ? Optional.of(true) : Optional.empty());
    }

    /** The work run on the FX thread, its result; IllegalStateException also while the toolkit is still starting. */
    static <T> T fx(Callable<T> work) {
        try {
            return WaitForAsyncUtils.asyncFx(work).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
