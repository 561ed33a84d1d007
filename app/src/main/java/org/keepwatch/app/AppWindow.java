package org.keepwatch.app;

import javafx.geometry.Orientation;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import org.keepwatch.app.alarms.AlarmBanner;
import org.keepwatch.app.alarms.AlarmNotifier;
import org.keepwatch.app.alarms.AlarmsViewModel;
import org.keepwatch.app.asof.AsOfBar;
import org.keepwatch.app.asof.AsOfViewModel;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.control.DaemonControlWindows;
import org.keepwatch.app.detail.RouterDetailView;
import org.keepwatch.app.detail.RouterTimelineViewModel;
import org.keepwatch.app.diagnosis.DiagnosisWindows;
import org.keepwatch.app.editor.EditorWindows;
import org.keepwatch.app.events.EventsView;
import org.keepwatch.app.events.EventsViewModel;
import org.keepwatch.app.instances.InstancesView;
import org.keepwatch.app.instances.InstancesViewModel;
import org.keepwatch.app.maintenance.MaintenanceWindows;
import org.keepwatch.app.logs.LogWindows;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.app.nodes.NodesView;
import org.keepwatch.app.nodes.NodesViewModel;
import org.keepwatch.app.pulse.FleetPulse;
import org.keepwatch.app.routers.RoutersView;
import org.keepwatch.app.routers.RoutersViewModel;
import org.keepwatch.app.shell.MainTabs;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.app.shell.MainViewModel;
import org.keepwatch.app.welcome.WelcomeView;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.history.HistoryStore;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The main window's views and view models, wired to one fleet service through the pulse. The app
 * builds one with real connections; tests build one over a fleet state they feed themselves.
 *
 * <p>The views meet only through the {@link Navigator} (a view asks to go somewhere, another answers) and the
 * {@link MainTabs} registry (a new main view is one registration below).
 */
public final class AppWindow {

    /** The tab the alarm banner's "Show router" brings forward. */
    public static final String ROUTERS_TAB = "tab-routers";

    private final FleetPulse pulse;
    private final MainViewModel model;
    private final MainView view;
    private final Navigator navigator = new Navigator();
    private final EditorWindows editors;
    private final DiagnosisWindows diagnoses;
    private final Scene scene;
    private final RouterTimelineViewModel timeline;
    private final AsOfViewModel asOf;
    private final Tasks tasks;

    /**
     * @param io        where background work runs (its outcomes come back on the FX thread)
     * @param reconnect connect a node again now (the Nodes view's button)
     */
    public AppWindow(FleetService fleet, Clock clock, Executor io, AlarmNotifier notifier, Consumer<String> reconnect,
                     MainView.Actions actions, List<WelcomeView.Choice> welcomeChoices) {
        tasks = Tasks.onFxThread(io);
        pulse = new FleetPulse(fleet::state);
        RoutersViewModel routers = new RoutersViewModel(fleet::state);
        InstancesViewModel instances = new InstancesViewModel(fleet::state);
        NodesViewModel nodes = new NodesViewModel(fleet::state, reconnect);
        EventsViewModel events = new EventsViewModel();
        AlarmsViewModel alarms = new AlarmsViewModel(notifier);
        model = new MainViewModel(fleet::state, routers, instances, nodes, events, alarms);
        List.of(routers, instances, nodes, events, alarms, model).forEach(pulse::addListener);

        Consumer<String> problems = model::showProblem;
        RoutersView routersView = new RoutersView(routers, tasks, problems, navigator);
        timeline = new RouterTimelineViewModel(fleet::state, clock);
        asOf = new AsOfViewModel(routers, instances, fleet::state, clock, ZoneId.systemDefault());
        AsOfBar asOfBar = new AsOfBar(asOf);
        RouterDetailView detail = new RouterDetailView(fleet::state, clock, navigator, timeline);
        routers.selectedProperty().addListener((obs, old, row) -> detail.show(row));
        SplitPane routersAndDetail = new SplitPane(routersView.root(), detail.root());
        routersAndDetail.setOrientation(Orientation.VERTICAL);
        routersAndDetail.setDividerPositions(0.55);

        MainTabs tabs = new MainTabs()
                .register(ROUTERS_TAB, "Routers", Material2MZ.ROUTER, routersAndDetail)
                .register("tab-instances", "Instances", Material2AL.LIST,
                        new InstancesView(instances, tasks, problems, navigator).root())
                .register("tab-nodes", "Nodes", Material2AL.DNS, new NodesView(nodes, tasks, problems, navigator).root())
                .register("tab-events", "Events", Material2AL.EVENT_NOTE, new EventsView(events, tasks, problems, navigator).root());
        WelcomeView welcome = new WelcomeView();
        welcome.setChoices(welcomeChoices);
        view = new MainView(model, tabs, new javafx.scene.layout.VBox(asOfBar.banner(), new AlarmBanner(alarms, navigator).root()),
                welcome.root(), actions);
        view.addToHeader(asOfBar.field());
        navigator.register(Destination.ShowRouter.class, go -> {
            view.showTab(ROUTERS_TAB);
            Optional.ofNullable(routers.row(go.router())).ifPresent(routersView::reveal);
        });

        scene = new Scene(view.root(), 1280, 800);
        // The config editor (issue 6): its windows, opened from the tables' menus and the detail pane.
        editors = new EditorWindows(Keepwatch.nodeConfigs(fleet, io), Keepwatch.pushes(fleet, io), Keepwatch.backups(fleet, io), tasks,
                scene::getWindow,
                EditorWindows.Questions.dialogs());
        editors.answer(navigator, fleet::state);
        // Planned failover (issue 15): the plan dialogs, opened from the Nodes view, the Routers view and the detail pane.
        new MaintenanceWindows(Keepwatch.maintenance(fleet, io), tasks, scene::getWindow).answer(navigator);
        // Operating a node's keepalived (issue 15): start, stop, restart and reload, and its log.
        new DaemonControlWindows(Keepwatch.daemonControl(fleet, io), fleet::state, tasks, scene::getWindow,
                DaemonControlWindows.Questions.dialogs(), problems).answer(navigator);
        new LogWindows(Keepwatch.daemonLogs(fleet, io), fleet::state, tasks, scene::getWindow, problems).answer(navigator);
        diagnoses = new DiagnosisWindows(Keepwatch.diagnoses(fleet), tasks, scene::getWindow);
        diagnoses.answer(navigator);
        scene.getStylesheets().add(Objects.requireNonNull(
                AppWindow.class.getResource("keepwatch.css"), "keepwatch.css").toExternalForm());
    }

    /**
     * The history is there: the Events view pages back through it, a router's timeline reads its lanes from it, and the
     * tables can be shown as of a moment (the timeline's and the Events view's "Show the fleet as of" go there).
     */
    public void useHistory(HistoryStore history) {
        model.events().useHistory(history::query, tasks);
        timeline.useHistory(history::query, tasks);
        asOf.useHistory(history::asOf, tasks);
        navigator.register(Destination.AsOf.class, go -> {
            view.showTab(ROUTERS_TAB);
            asOf.goTo(go.at());
        });
    }

    /** No history (off in the settings): the timeline keeps the memory's lanes and says why. */
    public void noHistory(String why) {
        timeline.noHistory(why);
    }

    /** "As of" a moment (tests, screenshots). */
    public AsOfViewModel asOf() {
        return asOf;
    }

    /** The selected router's timeline (tests, screenshots). */
    public RouterTimelineViewModel timeline() {
        return timeline;
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

    /** Where other parts answer the views' requests (the fleet editor: a node's Details and Edit node). */
    public Navigator navigator() {
        return navigator;
    }

    public EditorWindows editors() {
        return editors;
    }

    /** The "Why?" windows (tests, screenshots). */
    public DiagnosisWindows diagnoses() {
        return diagnoses;
    }
}
