package org.keepwatch.app;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.keepwatch.app.alarms.DesktopNotifier;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.FxPrompts;
import org.keepwatch.app.fleetedit.FleetUi;
import org.keepwatch.app.pulse.FleetPulse;
import org.keepwatch.app.services.SystemTheme;
import org.keepwatch.app.shell.MainView;
import org.keepwatch.app.shell.MainViewModel;
import org.keepwatch.app.welcome.WelcomeView;
import org.keepwatch.compose.Keepwatch;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetService;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistorySettings;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.secrets.Keyring;
import org.keepwatch.secrets.SecretToolKeyring;
import org.keepwatch.settings.Settings;
import org.keepwatch.settings.SettingsStore;
import org.keepwatch.ssh.SshEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The composition root: builds the services, view models and views and wires them together.
 * Nothing else creates long-lived objects.
 */
public final class KeepwatchApp extends Application {

    public static final String TITLE = "Keepwatch";
    /** Where settings and the fleet live; tests point it at a temporary directory. */
    public static final String CONFIG_DIR_PROPERTY = "keepwatch.config.dir";
    /** The history's database instead of the settings' (a file, a JDBC URL, or off). */
    public static final String HISTORY_PROPERTY = "keepwatch.history";
    private static final Logger log = LoggerFactory.getLogger(KeepwatchApp.class);
    private static final List<String> ICON_SIZES = List.of("16", "32", "48", "64", "128", "256");

    private final Clock clock = Clock.systemUTC();
    private ExecutorService io;
    private Tasks tasks;
    private FleetService fleet;
    private Optional<HistoryStore> history = Optional.empty();
    private FleetPulse pulse;
    private SettingsStore settingsStore;
    private Settings settings;
    private boolean dark;
    private Stage stage;
    private MainViewModel model;
    private AppWindow window;
    // Fleet UI (issue 6): the fleet editor's buttons and dialogs, and SSH's questions as dialogs.
    private FleetUi fleetUi;
    private FxPrompts prompts;
    /** How long an SSH question waits for the operator before it is answered as BatchMode would. */
    private static final Duration PROMPT_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public void start(Stage primaryStage) {
        this.stage = primaryStage;
        io = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "keepwatch-io");
            thread.setDaemon(true);
            return thread;
        });
        tasks = Tasks.onFxThread(io);
        settingsStore = new SettingsStore(Path.of(System.getProperty(CONFIG_DIR_PROPERTY,
                SettingsStore.defaultDirectory().toString())));
        settings = settingsStore.load();
        applyTheme(settings.theme() == Settings.Theme.DARK);
        Keyring keyring = SecretToolKeyring.find(System.getenv());
        prompts = new FxPrompts(() -> stage, keyring, PROMPT_TIMEOUT);
        Consumer<String> problems = problem -> tasks.onUi(() -> model.showProblem(problem));
        Keepwatch keepwatch = Keepwatch.forCurrentUser(prompts, clock);
        history = Keepwatch.openHistory(settingsStore.directory(), historyDefaults(), clock, problems);
        if (history.isPresent()) {
            keepwatch = keepwatch.withHistory(history.get());
        }
        fleet = keepwatch.fleetService(io, problems);
        fleetUi = new FleetUi(() -> stage, new FleetEdits(fleet, io, settingsStore.fleetFile(), this::open), tasks,
                SshEnvironment::ofCurrentUser, fleet::reconnect, Path.of(System.getProperty("user.home")));
        window = new AppWindow(fleet, clock, io, new DesktopNotifier(() -> stage), fleet::reconnect,
                new MainView.Actions(this::chooseFleetFile, this::toggleTheme, fleetUi.headerActions()), welcomeChoices());
        fleetUi.install(window.navigator(), window.model().nodes());
        model = window.model();
        history.ifPresentOrElse(window::useHistory, () -> window.noHistory("it is off in the settings"));
        window.editors().useConfigHistory(keepwatch.configHistory(fleet, io));
        pulse = window.pulse();

        Scene scene = window.scene();
        stage.setTitle(TITLE);
        stage.setMinWidth(800);
        stage.setMinHeight(500);
        stage.getIcons().setAll(ICON_SIZES.stream().map(KeepwatchApp::loadIcon).toList());
        stage.setScene(scene);
        stage.show();
        pulse.start();
        if (settings.theme() == Settings.Theme.SYSTEM) {
            tasks.run(() -> SystemTheme.ofDesktop().prefersDark()).onSuccess(this::applyTheme).start();
        }
        openInitialFleet();
    }

    @Override
    public void stop() {
        if (pulse != null) {
            pulse.stop();
        }
        if (fleet != null) {
            history.ifPresent(this::closedMarks);
            fleet.close();
        }
        history.ifPresent(HistoryStore::close);
        if (io != null) {
            io.shutdownNow();
        }
    }

    /**
     * Says in the history that Keepwatch stops watching each node now, so a router's timeline shows the time until the
     * next start as "not watched" rather than as the last state seen (a crash leaves no such mark: its gap ends at the
     * next connection).
     */
    private void closedMarks(HistoryStore store) {
        Instant now = clock.instant();
        try {
            fleet.state().nodes().forEach(node -> store.record(HistoryEvent.of(now, HistoryEvent.Kind.CONNECTION, node.node(),
                    node.node() + " no longer watched: Keepwatch closed").withStates(node.connection().name(), "CLOSED")));
        } catch (RuntimeException e) {
            log.warn("the history: the closing marks were not kept: {}", e.getMessage());
        }
    }

    /**
     * The history where settings.json names none: {@value #HISTORY_PROPERTY} (a file, a JDBC URL or {@code off}) when
     * given; a history beside the settings when the settings directory was given ({@value #CONFIG_DIR_PROPERTY}: a test's
     * own); else SQLite under the XDG data directory.
     */
    private static HistorySettings historyDefaults() {
        String given = System.getProperty(HISTORY_PROPERTY);
        if (given != null) {
            return given.equals("off") ? HistorySettings.defaults().off() : HistorySettings.of(given);
        }
        String configDirectory = System.getProperty(CONFIG_DIR_PROPERTY);
        return configDirectory == null ? HistorySettings.defaults()
                : HistorySettings.of(Path.of(configDirectory).resolve("history.db").toString());
    }

    private List<WelcomeView.Choice> welcomeChoices() {
        List<WelcomeView.Choice> actions = new ArrayList<>();
        if (WelcomeView.labIsUp()) {
            actions.add(new WelcomeView.Choice("open-lab-fleet", "Open the lab's fleet file",
                    WelcomeView.LAB_FLEET + " (written by lab/up)", () -> open(WelcomeView.LAB_FLEET)));
        }
        actions.addAll(fleetUi.welcomeChoices());
        actions.add(new WelcomeView.Choice("open-fleet-file", "Open a fleet file…",
                "A JSON list of nodes, as lab/up writes it", this::chooseFleetFile));
        return actions;
    }

    private void openInitialFleet() {
        Path last = settings.lastFleet().map(Path::of).orElse(null);
        if (last != null && Files.isReadable(last)) {
            open(last);
        } else if (Files.isReadable(settingsStore.fleetFile())) {
            open(settingsStore.fleetFile());
        }
    }

    private void chooseFleetFile() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a fleet file");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Fleet files (JSON)", "*.json"));
        fleet.file().map(Path::getParent).filter(Files::isDirectory).ifPresent(d -> chooser.setInitialDirectory(d.toFile()));
        File chosen = chooser.showOpenDialog(stage);
        if (chosen != null) {
            open(chosen.toPath());
        }
    }

    private CompletableFuture<Fleet> open(Path path) {
        CompletableFuture<Fleet> opening = fleet.open(path);
        tasks.await(opening).onSuccess(opened -> {
            model.fleetOpened(opened.name().isEmpty() ? path.getFileName().toString() : opened.name());
            stage.setTitle(TITLE + " — " + (opened.name().isEmpty() ? path : opened.name()));
            settings = settings.withLastFleet(path.toString());
            saveSettings();
        }).onError(error -> model.showProblem("Cannot open " + path + ": " + error.getMessage())).start();
        return opening;
    }

    private void toggleTheme() {
        applyTheme(!dark);
        settings = settings.withTheme(dark ? Settings.Theme.DARK : Settings.Theme.LIGHT);
        saveSettings();
    }

    private void applyTheme(boolean useDark) {
        dark = useDark;
        Application.setUserAgentStylesheet(useDark ? new PrimerDark().getUserAgentStylesheet()
                : new PrimerLight().getUserAgentStylesheet());
    }

    private void saveSettings() {
        Settings snapshot = settings;
        tasks.run(() -> {
            settingsStore.save(snapshot);
            return null;
        }).onError(error -> log.warn("cannot save settings: {}", error.getMessage())).start();
    }

    private static Image loadIcon(String size) {
        String resource = "/org/keepwatch/app/icons/keepwatch-" + size + ".png";
        try (InputStream in = KeepwatchApp.class.getResourceAsStream(resource)) {
            return new Image(Objects.requireNonNull(in, resource));
        } catch (IOException e) {
            throw new IllegalStateException("app icon " + resource + " cannot be read", e);
        }
    }
}
