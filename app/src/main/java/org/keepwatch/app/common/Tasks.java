package org.keepwatch.app.common;

import javafx.application.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one way the app runs work off the FX thread and comes back: {@code run} a Callable on the background executor
 * (or {@code await} work a service already started), then {@code onSuccess}, {@code onError} (given the unwrapped
 * cause) and {@code andFinally} on the UI thread. A started task can be cancelled: a newer edit's lint replaces an
 * older one's, and nothing of the older reaches the screen.
 *
 * <p>The app's instance delivers through {@link Platform#runLater} (always later, even from the FX thread, so a
 * callback never runs inside the code that started it); {@link #sameThread()} runs everything at once on the calling
 * thread, for tests of the delivery rules. Results that stream at the fleet's rate do not come this way: they are
 * batched once per pulse (app.pulse.FleetPulse).
 */
public final class Tasks {

    private static final Logger log = LoggerFactory.getLogger(Tasks.class);

    private final Executor background;
    private final Executor ui;

    public Tasks(Executor background, Executor ui) {
        this.background = Objects.requireNonNull(background, "background");
        this.ui = Objects.requireNonNull(ui, "ui");
    }

    /** The app's: work on {@code background}, outcomes on the FX thread. */
    public static Tasks onFxThread(Executor background) {
        return new Tasks(background, Platform::runLater);
    }

    /** Tests': the work and its outcome run on the calling thread, in order, before {@code start} returns. */
    public static Tasks sameThread() {
        return new Tasks(Runnable::run, Runnable::run);
    }

    /** Work to run on the background executor once started. */
    public <T> Builder<T> run(Callable<T> work) {
        Objects.requireNonNull(work, "work");
        return new Builder<>(() -> CompletableFuture.supplyAsync(() -> call(work), background), true);
    }

    /** Work a service already runs (it returned a future): only its outcome comes back to the UI thread. */
    public <T> Builder<T> await(CompletionStage<T> started) {
        Objects.requireNonNull(started, "started");
        return new Builder<>(started::toCompletableFuture, false);
    }

    /** A callback from a background thread (a step of a push) brought to the UI thread. */
    public void onUi(Runnable action) {
        ui.execute(action);
    }

    /**
     * The one cause-unwrapping rule: what went wrong, without the wrappers that futures and executors add
     * ({@link CompletionException}, {@link ExecutionException}).
     */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The cause's message, or its class when it has none (a NullPointerException says nothing else). */
    public static String message(Throwable error) {
        Throwable cause = cause(error);
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    private static <T> T call(Callable<T> work) {
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** A started task: cancelling it before its outcome is delivered keeps success and error from the screen. */
    public interface Running {

        /** Returns false when the outcome was already delivered (nothing left to cancel). */
        boolean cancel();

        boolean isCancelled();
    }

    /** What to do with the outcome, on the UI thread; {@link #start()} runs it. */
    public final class Builder<T> {

        private final Supplier<CompletableFuture<T>> starter;
        private final boolean owned;
        private Consumer<? super T> onSuccess = value -> { };
        private Consumer<Throwable> onError = error -> log.warn("a background task failed: {}", message(error), cause(error));
        private Runnable andFinally = () -> { };

        private Builder(Supplier<CompletableFuture<T>> starter, boolean owned) {
            this.starter = starter;
            this.owned = owned;
        }

        public Builder<T> onSuccess(Consumer<? super T> action) {
            onSuccess = Objects.requireNonNull(action);
            return this;
        }

        /** Given the cause ({@link Tasks#cause}); without it a failure is logged. */
        public Builder<T> onError(Consumer<Throwable> action) {
            onError = Objects.requireNonNull(action);
            return this;
        }

        /** After success or error, and after a cancel (clean-up: a busy flag, a button enabled again). */
        public Builder<T> andFinally(Runnable action) {
            andFinally = Objects.requireNonNull(action);
            return this;
        }

        public Running start() {
            Delivery<T> delivery = new Delivery<>(onSuccess, onError, andFinally);
            CompletableFuture<T> future = starter.get();
            future.whenComplete((value, error) -> ui.execute(() -> delivery.deliver(value, error)));
            return new Running() {
                @Override
                public boolean cancel() {
                    if (!delivery.cancel()) {
                        return false;
                    }
                    if (owned) {
                        future.cancel(false);   // not started yet: it never runs
                    }
                    return true;
                }

                @Override
                public boolean isCancelled() {
                    return delivery.cancelled.get();
                }
            };
        }
    }

    /** Delivers one outcome once: success or error unless cancelled, then the clean-up. */
    private static final class Delivery<T> {

        private final Consumer<? super T> onSuccess;
        private final Consumer<Throwable> onError;
        private final Runnable andFinally;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicBoolean delivered = new AtomicBoolean();

        Delivery(Consumer<? super T> onSuccess, Consumer<Throwable> onError, Runnable andFinally) {
            this.onSuccess = onSuccess;
            this.onError = onError;
            this.andFinally = andFinally;
        }

        boolean cancel() {
            return !delivered.get() && cancelled.compareAndSet(false, true);
        }

        void deliver(T value, Throwable error) {
            if (!delivered.compareAndSet(false, true)) {
                return;
            }
            try {
                if (cancelled.get()) {
                    return;
                }
                if (error != null) {
                    onError.accept(cause(error));
                } else {
                    onSuccess.accept(value);
                }
            } finally {
                andFinally.run();
            }
        }
    }
}
