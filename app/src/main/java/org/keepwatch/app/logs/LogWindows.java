package org.keepwatch.app.logs;

import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.daemons.DaemonLogs;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.RouterMember;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The log windows: one per {@link Destination.ShowLog} asked for (from a node, a router's member or a transition),
 * each following or reading its daemon's log until it is closed.
 */
public final class LogWindows {

    private final DaemonLogs logs;
    private final Supplier<FleetState> state;
    private final Tasks tasks;
    private final Supplier<Window> owner;
    private final Consumer<String> problems;

    public LogWindows(DaemonLogs logs, Supplier<FleetState> state, Tasks tasks, Supplier<Window> owner,
                      Consumer<String> problems) {
        this.logs = logs;
        this.state = state;
        this.tasks = tasks;
        this.owner = owner;
        this.problems = problems;
    }

    public void answer(Navigator navigator) {
        navigator.register(Destination.ShowLog.class, this::open);
    }

    /** Opens the window (its daemon: the one named, else the node's only or first one); the model, for tests. */
    public LogViewModel open(Destination.ShowLog show) {
        FleetState fleet = state.get();
        List<String> daemons = fleet.daemons(show.node()).stream().map(DaemonObservation::name).sorted().toList();
        String daemon = show.daemon().or(() -> daemons.stream().findFirst()).orElse("keepalived");
        List<String> instances = fleet.instances().stream()
                .filter(m -> m.node().equals(show.node()) && m.lastKnown().daemon().equals(daemon))
                .map(RouterMember::lastKnown).map(i -> i.name()).distinct().sorted().toList();
        LogViewModel model = new LogViewModel(logs, tasks, show.node(), daemon, instances, show.instance(), show.around());
        LogView view = new LogView(model, tasks, problems);
        Stage stage = new Stage();
        Optional.ofNullable(owner.get()).ifPresent(stage::initOwner);
        stage.titleProperty().bind(model.titleProperty());
        Scene scene = new Scene((Parent) view.root(), 1100, 620);
        Optional.ofNullable(owner.get()).map(Window::getScene).ifPresent(s -> scene.getStylesheets().setAll(s.getStylesheets()));
        stage.setScene(scene);
        stage.setOnHidden(e -> model.close());
        stage.show();
        model.open();
        return Objects.requireNonNull(model);
    }
}
