package org.keepwatch.app.fleetedit;

import javafx.scene.control.Label;
import org.keepwatch.app.common.Tasks;

import java.nio.file.AccessDeniedException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A save running on the I/O thread, its outcome brought back to the FX thread and shown in words. */
final class SaveFeedback {

    private SaveFeedback() {
    }

    /** Shows "Saving…" in {@code status}, then runs {@code always} and either {@code done} or shows why the save failed. */
    static <T> void track(Tasks tasks, CompletableFuture<T> save, Label status, Consumer<T> done, Runnable always) {
        status.getStyleClass().remove("kw-save-error");
        status.setText("Saving…");
        tasks.await(save).onSuccess(result -> {
            always.run();
            status.setText("");
            done.accept(result);
        }).onError(error -> {
            always.run();
            status.setText("Not saved: " + reason(error));
            status.getStyleClass().add("kw-save-error");
        }).start();
    }

    /** Why a save or a read failed, in words ({@link Tasks#message}, with a denied write said plainly). */
    static String reason(Throwable error) {
        Throwable cause = Tasks.cause(error);
        if (cause instanceof AccessDeniedException denied) {
            return "no permission to write " + denied.getFile();
        }
        return Tasks.message(cause);
    }
}
