package org.keepwatch.app.control;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonPlan;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetState;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the window does for {@link Destination.ControlDaemon}: the plan, asked about (a stop of a router's last live
 * member says which routers will have no master, and its button says so too), then a window with the agent's steps
 * as they come and the outcome.
 */
public final class DaemonControlWindows {

    /** The questions, dialogs in the app and answers in tests. */
    public record Questions(Predicate<DaemonPlan> confirm, BiFunction<String, List<String>, Optional<String>> pickDaemon) {
        public static Questions dialogs() {
            return new Questions(DaemonControlWindows::confirmWithDialog, DaemonControlWindows::pickWithDialog);
        }
    }

    private final DaemonControl control;
    private final Supplier<FleetState> state;
    private final Tasks tasks;
    private final Supplier<Window> owner;
    private final Questions questions;
    private final Consumer<String> problems;

    public DaemonControlWindows(DaemonControl control, Supplier<FleetState> state, Tasks tasks, Supplier<Window> owner,
                                Questions questions, Consumer<String> problems) {
        this.control = control;
        this.state = state;
        this.tasks = tasks;
        this.owner = owner;
        this.questions = questions;
        this.problems = problems;
    }

    public void answer(Navigator navigator) {
        navigator.register(Destination.ControlDaemon.class, this::open);
    }

    /** Plans, asks, and runs with its progress window; the model when it ran (for tests), empty when not. */
    public Optional<DaemonControlViewModel> open(Destination.ControlDaemon go) {
        DaemonControlViewModel model = new DaemonControlViewModel(control, tasks, go.node(), go.action());
        List<String> daemons = state.get().daemons(go.node()).stream().map(DaemonObservation::name).sorted().toList();
        Optional<String> daemon = Optional.empty();
        if (daemons.size() > 1) {
            daemon = questions.pickDaemon().apply(model.title(), daemons);
            if (daemon.isEmpty()) {
                return Optional.empty();
            }
        }
        DaemonPlan plan;
        try {
            plan = model.plan(daemon);
        } catch (IllegalArgumentException e) {
            problems.accept(e.getMessage());
            return Optional.empty();
        }
        if (!questions.confirm().test(plan)) {
            return Optional.empty();
        }
        showProgress(model);
        model.run("from the Keepwatch window");
        return Optional.of(model);
    }

    private void showProgress(DaemonControlViewModel model) {
        ListView<String> steps = new ListView<>(model.steps());
        steps.setId("daemon-steps");
        VBox.setVgrow(steps, Priority.ALWAYS);
        steps.getItems().addListener((ListChangeListener<String>) c -> steps.scrollTo(steps.getItems().size() - 1));
        Label outcome = new Label();
        outcome.setId("daemon-outcome");
        outcome.setWrapText(true);
        outcome.textProperty().bind(model.outcomeProperty());
        model.failedProperty().addListener((obs, was, failed) -> outcome.getStyleClass().add(failed ? "danger" : "success"));
        Stage stage = new Stage();
        Button close = new Button("Close");
        close.setId("daemon-close");
        close.disableProperty().bind(model.runningProperty());
        close.setOnAction(e -> stage.close());
        VBox box = new VBox(8, new Label(model.title()), steps, outcome, close);
        box.setPadding(new Insets(12));
        Optional.ofNullable(owner.get()).ifPresent(stage::initOwner);
        stage.setTitle(model.title());
        Scene scene = new Scene(box, 640, 360);
        Optional.ofNullable(owner.get()).map(Window::getScene).ifPresent(s -> scene.getStylesheets().setAll(s.getStylesheets()));
        stage.setScene(scene);
        stage.show();
    }

    static boolean confirmWithDialog(DaemonPlan plan) {
        String verb = DaemonControlViewModel.capitalized(plan.action().word());
        ButtonType go = new ButtonType(plan.needsConfirmation()
                ? "Leave " + String.join(", ", plan.routerNames()) + " with no master and " + plan.action().word()
                : verb, ButtonBar.ButtonData.OK_DONE);
        Alert alert = new Alert(plan.needsConfirmation() ? Alert.AlertType.WARNING : Alert.AlertType.CONFIRMATION,
                plan.needsConfirmation() ? "Nobody else can take over: the routers' addresses will not answer until "
                        + "keepalived runs again on a member." : "The agent verifies the outcome on the node.",
                go, ButtonType.CANCEL);
        alert.setTitle(verb + " keepalived on " + plan.node());
        alert.setHeaderText(plan.describe());
        ((Button) alert.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(plan.needsConfirmation());
        ((Button) alert.getDialogPane().lookupButton(go)).setDefaultButton(!plan.needsConfirmation());
        return alert.showAndWait().filter(go::equals).isPresent();
    }

    static Optional<String> pickWithDialog(String title, List<String> daemons) {
        ChoiceDialog<String> dialog = new ChoiceDialog<>(daemons.get(0), daemons);
        dialog.setTitle(title);
        dialog.setHeaderText("This node runs " + daemons.size() + " keepalived daemons: which one?");
        return dialog.showAndWait();
    }
}
