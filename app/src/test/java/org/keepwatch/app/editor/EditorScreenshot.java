package org.keepwatch.app.editor;

import atlantafx.base.theme.PrimerLight;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.keepwatch.agent.AgentEvent;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.LocalKeepalived;
import org.keepwatch.app.services.config.BlockKind;
import org.keepwatch.app.services.config.EditTarget;
import org.keepwatch.app.services.config.FormEdits;
import org.keepwatch.app.services.config.NodeAgents;
import org.keepwatch.app.services.config.NodeConfigService;
import org.keepwatch.app.services.config.RouterPushService;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;

import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Shows the config editor in a real window for docs/screenshots/capture: a real keepalived in a
 * kwt-ed-<n> namespace with the agent beside it (needs root), an edit made in the form and a typo in
 * the text, so the window shows what an operator sees mid-edit. Scenario by argument: form, text, push.
 * Prints "ready" when the window is drawn; ends when the window closes or after 120 s.
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
    private LocalKeepalived node;

    @Override
    public void start(Stage ignored) throws Exception {
        Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
        String scenario = getParameters().getRaw().isEmpty() ? "form" : getParameters().getRaw().get(0);
        if (!LocalKeepalived.available()) {
            throw new IllegalStateException("the editor screenshots need root, keepalived and ip (a real node to edit)");
        }
        node = LocalKeepalived.start(Files.createTempDirectory("kwt-ed-shot"), "kwt-ed-", LocalKeepalived.sampleConfig());
        List<Consumer<AgentEvent>> listeners = new CopyOnWriteArrayList<>();
        AgentSession session = node.agent(e -> listeners.forEach(l -> l.accept(e)));
        NodeAgents agents = NodeAgents.of(n -> n.equals("n1") ? Optional.of(session) : Optional.empty(), (n, l) -> {
            listeners.add(l);
            return () -> listeners.remove(l);
        });
        NodeConfigService configs = new NodeConfigService(agents, io);
        EditorWindows windows = new EditorWindows(configs, new RouterPushService(configs,
                () -> new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS), io), io, () -> null,
                new EditorWindows.Questions(q -> true, s -> Optional.of(s)));
        EditTarget target = new EditTarget("n1", node.daemon(), Optional.of("VI_1"));
        ConfigEditorViewModel model = windows.openNode(target);
        Stage stage = windows.stage(target).orElseThrow();
        stage.setTitle("Keepwatch editor");
        stage.setOnHidden(e -> Platform.exit());
        model.phaseProperty().addListener((obs, old, phase) -> {
            if (phase == ConfigEditorViewModel.Phase.READY) {
                Platform.runLater(() -> scene(scenario, model, stage));
            }
        });
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

    private void scene(String scenario, ConfigEditorViewModel model, Stage stage) {
        var instance = model.blocks().get(0);
        model.edit(FormEdits.set(instance, BlockKind.INSTANCE.field("priority").orElseThrow(), "120"));
        model.edit(FormEdits.setEntries(instance, BlockKind.INSTANCE.field("virtual_ipaddress").orElseThrow(),
                List.of("10.98." + node.number() + ".100/24", "10.98." + node.number() + ".101/24 dev eth0")));
        String text = model.draft().text(model.draft().mainPath());
        model.textEdited(model.draft().mainPath(), text.replace("    advert_int 1", "    advert_int 1\n    garp_master_dealy 5"));
        model.flushTyping();
        ConfigEditorView view = ConfigEditorView.of(stage.getScene().getRoot()).orElseThrow();
        switch (scenario) {
            case "text" -> {
                view.showText();
                view.text().goTo(21, 5);
            }
            case "push" -> view.review();
            default -> view.showForm();
        }
        Platform.runLater(() -> Platform.runLater(() -> System.out.println("ready")));
    }

    @Override
    public void stop() {
        if (node != null) {
            node.close();
        }
        io.shutdownNow();
    }
    }
}
