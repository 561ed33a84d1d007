package org.keepwatch.app.diagnosis;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.diagnosis.Diagnosis;
import org.keepwatch.fleet.RouterStatus;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One router's "Why?": the diagnosis running (its members listening, each step said as it happens), then what it
 * found, or why it could not run. Read-only outputs; {@link #start} and {@link #again} move it on.
 */
public final class DiagnosisViewModel {

    /** What runs a diagnosis: the library's DiagnosisService, or a test's. */
    @FunctionalInterface
    public interface Diagnoser {
        /** @param progress hears each step, on the diagnosis' own threads */
        CompletableFuture<Diagnosis> diagnose(RouterStatus router, Consumer<String> progress);
    }

    private final Diagnoser service;
    private final Tasks tasks;
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyObjectWrapper<Diagnosis> result = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper failure = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("");
    private final ObservableList<String> progress = FXCollections.observableArrayList();
    private final ObservableList<String> progressView = FXCollections.unmodifiableObservableList(progress);
    private RouterStatus router;

    public DiagnosisViewModel(Diagnoser service, Tasks tasks) {
        this.service = service;
        this.tasks = tasks;
    }

    /** Runs the diagnosis of this router (its members as they are now); ignored while one runs. */
    public void start(RouterStatus status) {
        if (running.get()) {
            return;
        }
        router = status;
        title.set("Why? " + status.name() + " (" + status.key().label() + "), "
                + status.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        running.set(true);
        result.set(null);
        failure.set(null);
        progress.clear();
        tasks.await(service.diagnose(status, line -> tasks.onUi(() -> progress.add(line))))
                .onSuccess(result::set)
                .onError(error -> failure.set("The diagnosis could not run: " + Tasks.message(error)))
                .andFinally(() -> running.set(false))
                .start();
    }

    /** Listens again, on the same router. */
    public void again() {
        Optional.ofNullable(router).ifPresent(this::start);
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Diagnosis> resultProperty() {
        return result.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty failureProperty() {
        return failure.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    /** What happened so far, one line each ("listening for VRRP on n1, n2, n3 for 3 s", "n2 has listened"). */
    public ObservableList<String> progress() {
        return progressView;
    }
}
