package org.keepwatch.app.editor;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FormEdits;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MutableClock;
import org.keepwatch.fleet.RouterKey;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static org.keepwatch.fleet.Observations.instance;
import static org.keepwatch.fleet.Observations.online;
import static org.keepwatch.fleet.Observations.report;
import static org.keepwatch.fleet.VrrpState.BACKUP;
import static org.keepwatch.fleet.VrrpState.MASTER;

/**
 * Shows the config editor in a real window for docs/screenshots/capture, editing real nodes: a real
 * keepalived in a kwt-ed-<n> namespace with the agent beside it (needs root). The scenario, by
 * argument, is what an operator sees mid-edit: {@code form} (a priority and a VIP changed, a typo in
 * the text), {@code text}, {@code push} (the review), {@code pushed} (the steps after a push), {@code conflict} (the file changed on the node meanwhile), or
 * {@code router} (two members edited once). Prints "ready" once drawn; ends when the window closes
 * or after two minutes, removing the namespaces.
 */
public final class EditorScreenshot {

    private EditorScreenshot() {
    }

    /** Not an Application itself, so the JavaFX classes may come from the class path. */
    public static void main(String[] args) {
        Application.launch(Shot.class, args);
    }

    public static final class Shot extends Application {

        private final ExecutorService io = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "screenshot-io");
            t.setDaemon(true);
            return t;
        });
        private final List<LocalKeepalived> nodes = new CopyOnWriteArrayList<>();
        private final Map<String, AgentSession> sessions = new HashMap<>();
        private final List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();

        @Override
        public void start(Stage ignored) throws Exception {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            String scenario = getParameters().getRaw().isEmpty() ? "form" : getParameters().getRaw().get(0);
            if (!LocalKeepalived.available()) {
                throw new IllegalStateException("the editor screenshots need root, keepalived and ip (a real node to edit)");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(this::cleanUp));
            String config = LocalKeepalived.sampleConfig().replace("10.98.%N.100/24", "10.98.250.100/24")
                    .replace("10.98.%N.200/24", "10.98.250.200/24");
            for (String name : scenario.equals("router") ? List.of("n1", "n2") : List.of("n1")) {
                LocalKeepalived node = LocalKeepalived.start(Files.createTempDirectory("kwt-ed-shot"), "kwt-ed-", config);
                nodes.add(node);
                sessions.put(name, node.agent(e -> listeners.forEach(l -> l.accept(e))));
            }
            NodeAgents agents = NodeAgents.of(n -> Optional.ofNullable(sessions.get(n)), (n, l) -> {
                listeners.add(l);
                return () -> listeners.remove(l);
            });
            FleetState state = fleetState();
            NodeConfigService configs = new NodeConfigService(agents, io);
            EditorWindows windows = new EditorWindows(configs, new PushService(agents, () -> state, io), Tasks.onFxThread(io), () -> null,
                    new EditorWindows.Questions(q -> true, s -> Optional.of(s)));
            if (scenario.equals("router")) {
                router(windows, state);
            } else {
                node(windows, scenario);
            }
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    return;
                }
                Platform.runLater(Platform::exit);
            });
            watchdog.setDaemon(true);
            watchdog.start();
        }

        private void node(EditorWindows windows, String scenario) {
            EditTarget target = new EditTarget("n1", nodes.get(0).daemon(), Optional.of("VI_1"));
            ConfigEditorViewModel model = windows.openNode(target);
            Stage stage = windows.stage(target).orElseThrow();
            stage.setTitle("Keepwatch editor");
            stage.setOnHidden(e -> Platform.exit());
            model.phaseProperty().addListener((obs, old, phase) -> {
                if (phase == ConfigEditorViewModel.Phase.READY) {
                    Platform.runLater(() -> edit(scenario, model, stage));
                }
            });
        }

        private void edit(String scenario, ConfigEditorViewModel model, Stage stage) {
            var instance = model.blocks().get(0);
            model.edit(FormEdits.set(instance, BlockKind.INSTANCE.field("priority").orElseThrow(), "120"));
            model.edit(FormEdits.setEntries(instance, BlockKind.INSTANCE.field("virtual_ipaddress").orElseThrow(),
                    List.of("10.98.250.100/24", "10.98.250.101/24 dev eth0")));
            if (scenario.equals("form") || scenario.equals("text")) {
                String text = model.draft().text(model.draft().mainPath());
                model.textEdited(model.draft().mainPath(), text.replaceFirst("    advert_int 1\n", "    advert_int 1\n    garp_master_dealy 5\n"));
                model.flushTyping();
            }
            ConfigEditorView view = ConfigEditorView.of(stage.getScene().getRoot()).orElseThrow();
            switch (scenario) {
                case "text" -> {
                    view.showText();
                    view.text().goTo(19, 5);
                }
                case "push", "pushed", "conflict" -> view.review();
                default -> view.showForm();
            }
            if (scenario.equals("conflict")) {
                // Another admin changes the file on the node meanwhile.
                try {
                    java.nio.file.Path file = nodes.get(0).config();
                    Files.writeString(file, Files.readString(file).replaceFirst("advert_int 1", "advert_int 2"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (scenario.equals("pushed") || scenario.equals("conflict")) {
                Platform.runLater(() -> {
                    PushView push = windows(stage);
                    push.model().push();
                    push.model().stageProperty().addListener((obs, old, s) -> {
                        if (s == PushViewModel.Stage.DONE || s == PushViewModel.Stage.CONFLICT) {
                            ready();
                        }
                    });
                });
            } else {
                ready();
            }
        }

        private static PushView windows(Stage editor) {
            return javafx.stage.Window.getWindows().stream().filter(w -> w != editor && w instanceof Stage)
                    .map(w -> ((Stage) w).getScene().getRoot().getProperties().get(PushView.class))
                    .filter(PushView.class::isInstance).map(PushView.class::cast).findFirst().orElseThrow();
        }

        private void router(EditorWindows windows, FleetState state) {
            RouterKey key = new RouterKey(RouterKey.Kind.VRRP, "lab", "51");
            List<EditTarget> members = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                members.add(new EditTarget("n" + (i + 1), nodes.get(i).daemon(), Optional.of("VI_1")));
            }
            RouterEditorViewModel model = windows.openRouter(new RouterEditorViewModel.Spec(key, "VI_1 (VRID 51)", members,
                    () -> state.router(key)));
            Stage stage = windows.stages().get(0);
            stage.setTitle("Keepwatch editor");
            stage.setOnHidden(e -> Platform.exit());
            model.phaseProperty().addListener((obs, old, phase) -> {
                if (phase == RouterEditorViewModel.Phase.READY) {
                    Platform.runLater(() -> {
                        model.setPriority("n1", "150");
                        model.setVips(List.of("10.98.250.100/24", "10.98.250.101/24"));
                        ready();
                    });
                }
            });
        }

        private FleetState fleetState() {
            FleetState state = new FleetState(new MutableClock(), FleetSettings.DEFAULTS);
            for (String n : List.of("n1", "n2")) {
                state.addNode(n, "lab");
                state.nodeStatus(online(n));
            }
            state.applyReport(report("n1", List.of(instance("n1", "VI_1", 51, MASTER, 100, "10.98.250.100")), List.of()));
            state.applyReport(report("n2", List.of(instance("n2", "VI_1", 51, BACKUP, 100, "10.98.250.100")), List.of()));
            return state;
        }

        /** Two pulses later the window is drawn. */
        private static void ready() {
            Platform.runLater(() -> Platform.runLater(() -> System.out.println("ready")));
        }

        private void cleanUp() {
            nodes.forEach(LocalKeepalived::close);
            nodes.clear();
        }

        @Override
        public void stop() {
            cleanUp();
            io.shutdownNow();
        }
    }
}
