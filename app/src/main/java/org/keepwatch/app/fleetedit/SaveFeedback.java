package org.keepwatch.app.fleetedit;

import javafx.application.Platform;
import javafx.scene.control.Label;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/** A save running on the I/O thread, its outcome brought back to the FX thread and shown in words. */
final class SaveFeedback {

    private SaveFeedback() {
    }

    /** Shows "Saving…" in {@code status}, then either runs {@code done} or shows why the save failed. */
    static <T> void track(CompletableFuture<T> save, Label status, Consumer<T> done, Runnable always) {
        status.getStyleClass().remove("kw-save-error");
        status.setText("Saving…");
        save.whenComplete((result, error) -> Platform.runLater(() -> {
            always.run();
            if (error != null) {
                status.setText("Not saved: " + reason(error));
                status.getStyleClass().add("kw-save-error");
            } else {
                status.setText("");
                done.accept(result);
            }
        }));
    }

    static String reason(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof java.nio.file.AccessDeniedException denied) {
            return "no permission to write " + denied.getFile();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
