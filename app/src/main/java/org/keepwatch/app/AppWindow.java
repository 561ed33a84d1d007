package org.keepwatch.app;

import javafx.scene.Scene;
import org.keepwatch.app.alarms.AlarmBanner;
import org.keepwatch.app.alarms.AlarmNotifier;
import org.keepwatch.app.alarms.AlarmsViewModel;
import org.keepwatch.app.detail.RouterDetailView;
import org.keepwatch.app.editor.EditorEntryPoints;
import org.keepwatch.app.editor.EditorWindows;
import org.keepwatch.app.events.EventsView;
import org.keepwatch.app.events.EventsViewModel;
import org.keepwatch.app.fleet.FleetPulse;
import org.keepwatch.app.instances.InstancesView;
import org.keepwatch.app.instances.InstancesViewModel;
import org.keepwatch.app.nodes.NodesView;
import org.keepwatch.app.nodes.NodesViewModel;
import org.keepwatch.app.routers.RoutersView;
import org.keepwatch.app.routers.RoutersViewModel;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.app.shell.MainViewModel;
import org.keepwatch.app.welcome.WelcomeView;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The main window's views and view models, wired to one fleet service through the pulse. The app
 * builds one with real connections; tests build one over a fleet state they feed themselves.
 */
public final class AppWindow {

    private final FleetPulse pulse;
    private final MainViewModel model;
    private final MainView view;
    private final RoutersView routersView;
    private final NodesView nodesView;
    private final EditorWindows editors;
    private final Scene scene;

    /** @param reconnect connect a node again now (the Nodes view's button) */
    public AppWindow(FleetService fleet, Clock clock, Executor io, AlarmNotifier notifier, Consumer<String> reconnect,
                     MainView.Actions actions, List<WelcomeView.Action> welcomeActions) {
        pulse = new FleetPulse(fleet::state);
        RoutersViewModel routers = new RoutersViewModel(fleet::state);
        InstancesViewModel instances = new InstancesViewModel(fleet::state);
        NodesViewModel nodes = new NodesViewModel(fleet::state, reconnect);
        EventsViewModel events = new EventsViewModel();
        AlarmsViewModel alarms = new AlarmsViewModel(notifier);
        model = new MainViewModel(fleet::state, routers, instances, nodes, events, alarms);
        List.of(routers, instances, nodes, events, alarms, model).forEach(pulse::addListener);

        Consumer<String> problems = text -> model.problemProperty().set(text);
        routersView = new RoutersView(routers, io, problems);
        RouterDetailView detail = new RouterDetailView(fleet::state, clock);
        WelcomeView welcome = new WelcomeView();
        welcome.setActions(welcomeActions);
        MainView[] main = new MainView[1];
        AlarmBanner banner = new AlarmBanner(alarms, alarm -> main[0].showRouter(routersView, alarm, routers.row(alarm.router())));
        InstancesView instancesView = new InstancesView(instances, io, problems);
        nodesView = new NodesView(nodes, io, problems);
        main[0] = new MainView(model, routersView, detail, instancesView,
                nodesView, new EventsView(events, io, problems), banner, welcome, actions);
        view = main[0];
        scene = new Scene(view.root(), 1280, 800);
        // The config editor (issue 6): its windows, opened from the tables' menus and the detail pane.
        editors = new EditorWindows(Keepwatch.nodeConfigs(fleet, io), Keepwatch.pushes(fleet, io), io, scene::getWindow,
                EditorWindows.Questions.dialogs());
        EditorEntryPoints.install(editors, fleet::state, routersView.table(), instancesView.table(), detail);
        scene.getStylesheets().add(Objects.requireNonNull(
                AppWindow.class.getResource("keepwatch.css"), "keepwatch.css").toExternalForm());
    }

    public Scene scene() {
        return scene;
    }

    public FleetPulse pulse() {
        return pulse;
    }

    public MainViewModel model() {
        return model;
    }

    public MainView view() {
        return view;
    }

    /** The Nodes view (issue 6: the fleet UI adds its Details and Edit node buttons there). */
    public NodesView nodesView() {
        return nodesView;
    }

    public RoutersView routersView() {
        return routersView;
    }

    public EditorWindows editors() {
        return editors;
    }
}
