package org.keepwatch.app.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery rules of {@link Tasks}, on executors the test drives itself (no FX thread needed). */
class TasksTest {

    private final List<String> seen = new ArrayList<>();

    @Test
    void successIsDeliveredThenTheCleanUp() {
        Tasks.sameThread().run(() -> 42)
                .onSuccess(value -> seen.add("success " + value))
                .onError(error -> seen.add("error"))
                .andFinally(() -> seen.add("finally"))
                .start();
        assertThat(seen).containsExactly("success 42", "finally");
    }

    @Test
    void anErrorIsDeliveredAsItsCauseWithoutTheFuturesWrappers() {
        Tasks.sameThread().run(() -> {
                    throw new IOException("fleet.json: no such file");
                })
                .onSuccess(value -> seen.add("success"))
                .onError(error -> seen.add(error.getClass().getSimpleName() + ": " + error.getMessage()))
                .andFinally(() -> seen.add("finally"))
                .start();
        assertThat(seen).containsExactly("IOException: fleet.json: no such file", "finally");
    }

    @Test
    void awaitedWorkDeliversItsOutcomeTheSameWay() {
        CompletableFuture<String> started = new CompletableFuture<>();
        Tasks.sameThread().await(started).onError(error -> seen.add(error.getMessage())).start();
        assertThat(seen).isEmpty();
        started.completeExceptionally(new CompletionException(new IllegalStateException("n2 is not connected")));
        assertThat(seen).containsExactly("n2 is not connected");
    }

    @Test
    void aCancelledTaskNeverRunsAndDeliversOnlyItsCleanUp() {
        Queue<Runnable> background = new ArrayDeque<>();
        Tasks tasks = new Tasks(background::add, Runnable::run);
        List<String> ran = new ArrayList<>();
        Tasks.Running running = tasks.run(() -> ran.add("work"))
                .onSuccess(value -> seen.add("success"))
                .onError(error -> seen.add("error"))
                .andFinally(() -> seen.add("finally"))
                .start();
        assertThat(running.cancel()).isTrue();
        assertThat(running.isCancelled()).isTrue();
        drain(background);
        assertThat(ran).isEmpty();
        assertThat(seen).containsExactly("finally");
        assertThat(running.cancel()).isFalse();
    }

    @Test
    void anOutcomeWaitingForTheUiThreadIsDroppedWhenCancelledMeanwhile() {
        Queue<Runnable> ui = new ArrayDeque<>();
        Tasks tasks = new Tasks(Runnable::run, ui::add);
        Tasks.Running older = tasks.run(() -> "old lint").onSuccess(seen::add).start();
        Tasks.Running newer = tasks.run(() -> "new lint").onSuccess(seen::add).start();
        older.cancel();
        drain(ui);
        assertThat(seen).containsExactly("new lint");
        assertThat(newer.cancel()).as("delivered: nothing left to cancel").isFalse();
    }

    @Test
    void oneUnwrappingRule() {
        IOException io = new IOException("denied");
        assertThat(Tasks.cause(new CompletionException(new ExecutionException(io)))).isSameAs(io);
        assertThat(Tasks.cause(new CompletionException(null))).isInstanceOf(CompletionException.class);
        assertThat(Tasks.cause(new IllegalStateException("x", io))).isInstanceOf(IllegalStateException.class);
        assertThat(Tasks.message(new CompletionException(new NullPointerException()))).isEqualTo("java.lang.NullPointerException");
    }

    @Test
    void aCallbackFromABackgroundThreadIsBroughtToTheUiExecutor() {
        Queue<Runnable> ui = new ArrayDeque<>();
        new Tasks(Runnable::run, (Executor) ui::add).onUi(() -> seen.add("step"));
        assertThat(seen).isEmpty();
        drain(ui);
        assertThat(seen).containsExactly("step");
    }

    private static void drain(Queue<Runnable> queue) {
        while (!queue.isEmpty()) {
            queue.poll().run();
        }
    }
}
