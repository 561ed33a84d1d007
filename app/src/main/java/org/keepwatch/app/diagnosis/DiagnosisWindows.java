package org.keepwatch.app.diagnosis;

import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.diagnosis.DiagnosisService;
import org.keepwatch.fleet.RouterKey;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The "Why?" windows, one per router: asked through the {@link Navigator} ({@link Destination.Diagnose}), each starts
 * a diagnosis at once; asking again for a router whose window is open brings it forward and listens again.
 */
public final class DiagnosisWindows {

    private static final double WIDTH = 820;
    private static final double HEIGHT = 640;
    private final DiagnosisService service;
    private final Tasks tasks;
    private final Supplier<Window> owner;
    private final Map<RouterKey, Stage> open = new HashMap<>();

    public DiagnosisWindows(DiagnosisService service, Tasks tasks, Supplier<Window> owner) {
        this.service = service;
        this.tasks = tasks;
        this.owner = owner;
    }

    public void answer(Navigator navigator) {
        navigator.register(Destination.Diagnose.class, go -> open(go));
    }

    /** The window of this router's diagnosis, opened (or brought forward) and listening. */
    public DiagnosisViewModel open(Destination.Diagnose go) {
        RouterKey key = go.router().key();
        Stage existing = open.get(key);
        if (existing != null && existing.getUserData() instanceof DiagnosisViewModel vm) {
            existing.toFront();
            vm.start(go.router());
            return vm;
        }
        DiagnosisViewModel model = new DiagnosisViewModel(service::diagnose, tasks);
        Stage stage = new Stage();
        DiagnosisView view = new DiagnosisView(model, stage::close);
        stage.setUserData(model);
        Window parent = owner.get();
        if (parent != null) {
            stage.initOwner(parent);
        }
        stage.setTitle("Why? " + go.router().name() + " (" + key.label() + ")");
        Scene scene = new Scene(view.root(), WIDTH, HEIGHT);
        scene.getStylesheets().add(Objects.requireNonNull(DiagnosisWindows.class.getResource(
                "/org/keepwatch/app/keepwatch.css"), "keepwatch.css").toExternalForm());
        stage.setScene(scene);
        stage.setOnHidden(e -> open.remove(key));
        open.put(key, stage);
        stage.show();
        model.start(go.router());
        return model;
    }

    /** The open window of a router's diagnosis (tests, screenshots). */
    public Optional<Stage> stage(RouterKey router) {
        return Optional.ofNullable(open.get(router));
    }
}
