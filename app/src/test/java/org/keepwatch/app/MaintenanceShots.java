package org.keepwatch.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.agent.AgentScript;
import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.MaintenanceOps;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.ConnectionState;
import org.keepwatch.fleet.FleetFile;
import org.keepwatch.fleet.FleetMonitor;
import org.keepwatch.fleet.FleetSettings;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.NodeSupervisor;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;
import org.keepwatch.push.NodeAgents;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshConnector;
import org.keepwatch.ssh.SshEnvironment;
import org.keepwatch.ssh.SshPrompts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.keepwatch.app.ShotWaits.await;
import static org.keepwatch.app.ShotWaits.awaitFx;
import static org.keepwatch.app.ShotWaits.fx;

/**
 * Screenshots of planned failover for README, from the app driven against the running lab (docs/screenshots/capture
 * maintenance): the maintenance weight set up on n1..n3 from the Nodes view (maintenance-setup.png), the plan of
 * "Drain node…" on n1 (drain-plan.png), its steps once carried out (drain-done.png), the Routers view with n1 drained
 * (drained-routers.png); then n1 undrained. Every configuration is pushed back as it was afterwards. Needs root.
 */
public final class MaintenanceShots {

    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static final List<String> BASIC = List.of("n1", "n2", "n3");
    private static Path out;

    private MaintenanceShots() {
    }

    public static void main(String[] args) throws Exception {
        out = Path.of(args[0]);
        Files.createDirectories(out);
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, Files.createTempDirectory("kw-shots-config").toString());
        Thread shots = new Thread(MaintenanceShots::drive, "maintenance-shots");
        shots.setDaemon(true);
        shots.start();
        Application.launch(KeepwatchApp.class);
    }

    private static void drive() {
        int exit = 0;
        Lab lab = Lab.fromWorkingDirectory();
        Map<String, String> originals = new LinkedHashMap<>();
        Restorer restorer = null;
        try {
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(60));
            restorer = new Restorer(lab);
            for (String node : BASIC) {
                originals.put(node, restorer.read(node));
            }
            Stage stage = await(Duration.ofSeconds(30), "the Keepwatch window", MaintenanceShots::mainStage);
            fx(() -> {
                stage.setX(0);
                stage.setY(0);
                stage.setWidth(1280);
                stage.setHeight(800);
                return null;
            });
            Scene scene = stage.getScene();
            fx(() -> {
                ((Button) scene.lookup("#open-lab-fleet")).fire();
                return null;
            });
            awaitFx(Duration.ofSeconds(60), "8 routers, every one healthy", () -> healthyRouters(scene) == 8
                    && !scene.lookup("#alarm-banner").isVisible());
            tab(scene, 2);
            for (String node : BASIC) {
                selectNode(scene, node);
                fireMaintenance(scene, "node-maintenance-setup-button");
                Scene dialog = dialog("Set up the maintenance weight on " + node);
                if (node.equals("n1")) {
                    shoot("maintenance-setup");
                }
                fire(dialog, "#maintenance-carry-out");
                awaitFx(Duration.ofSeconds(60), "the set-up on " + node + " done",
                        () -> ((Label) dialog.lookup("#maintenance-outcome")).getText().startsWith("Set up"));
                fire(dialog, "#maintenance-close");
            }
            selectNode(scene, "n1");
            awaitFx(Duration.ofSeconds(30), "the basic routers healthy after the set-up", () -> healthyRouters(scene) == 8);
            Thread.sleep(3000);
            selectNode(scene, "n1");
            awaitFx(Duration.ofSeconds(10), "Drain node… enabled", () -> !scene.lookup("#node-maintenance-menu").isDisabled());
            fireMaintenance(scene, "node-drain-button");
            Scene drain = dialog("Drain n1");
            shoot("drain-plan");
            fire(drain, "#maintenance-carry-out");
            awaitFx(Duration.ofSeconds(60), "the drain done", () -> ((Label) drain.lookup("#maintenance-outcome")).getText().startsWith("Done"));
            shoot("drain-done");
            fire(drain, "#maintenance-close");
            tab(scene, 0);
            selectRouter(scene, "VI_1");
            shoot("drained-routers");
            tab(scene, 2);
            selectNode(scene, "n1");
            awaitFx(Duration.ofSeconds(10), "Undrain node… enabled", () -> !scene.lookup("#node-maintenance-menu").isDisabled());
            fireMaintenance(scene, "node-undrain-button");
            Scene undrain = dialog("Undrain n1");
            fire(undrain, "#maintenance-carry-out");
            awaitFx(Duration.ofSeconds(60), "the undrain done", () -> ((Label) undrain.lookup("#maintenance-outcome")).getText().startsWith("Done"));
            fire(undrain, "#maintenance-close");
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        } finally {
            try {
                if (restorer != null) {
                    restorer.undrainAndPutBack(originals);
                }
            } catch (Exception e) {
                e.printStackTrace();
                exit = 1;
            }
            lab.run("heal");
            int code = exit;
            Platform.runLater(() -> {
                Platform.exit();
                System.exit(code);
            });
        }
    }

    /** A session of its own to the basic nodes: their configurations read first and pushed back at the end. */
    private static final class Restorer {
        private final FleetState state = new FleetState(Clock.systemUTC(), FleetSettings.DEFAULTS);
        private final FleetMonitor monitor;
        private final ExecutorService io = Executors.newCachedThreadPool();
        private final NodeConfigService configs;
        private final PushService pushes;

        Restorer(Lab lab) throws Exception {
            SshEnvironment environment = SshEnvironment.ofCurrentUser().withAgentSocket(Optional.empty());
            monitor = new FleetMonitor(state, new FleetMonitor.Parts(SshConfig.none(environment), new SshConnector(),
                    SshPrompts.BATCH, AgentScript.bundled(), AgentSession.Options.defaults(), NodeSupervisor.Settings.defaults(),
                    Clock.systemUTC()));
            monitor.watch(FleetFile.read(lab.fleetFile()));
            NodeAgents agents = NodeAgents.of(node -> monitor.supervisor(node).flatMap(NodeSupervisor::session), (node, l) -> () -> { });
            configs = new NodeConfigService(agents, io);
            pushes = new PushService(agents, () -> state, io);
            await(Duration.ofSeconds(60), "the basic nodes online", () -> BASIC.stream().allMatch(n -> state.nodes().stream()
                    .anyMatch(s -> s.node().equals(n) && s.connection() == ConnectionState.ONLINE)) ? Optional.of(true) : Optional.empty());
        }

        String read(String node) throws Exception {
            ConfigDraft draft = configs.open(new EditTarget(node, "keepalived", Optional.empty())).get(30, TimeUnit.SECONDS);
            return draft.text(draft.mainPath());
        }

        void undrainAndPutBack(Map<String, String> originals) throws Exception {
            try {
                for (String node : originals.keySet()) {
                    AgentSession session = monitor.supervisor(node).flatMap(NodeSupervisor::session).orElseThrow();
                    new MaintenanceOps(session).set("keepalived", false, "screenshots: put back").get(20, TimeUnit.SECONDS);
                }
                for (Map.Entry<String, String> original : originals.entrySet()) {
                    EditTarget target = new EditTarget(original.getKey(), "keepalived", Optional.empty());
                    ConfigDraft draft = configs.open(target).get(30, TimeUnit.SECONDS);
                    ConfigDraft back = draft.withText(draft.mainPath(), original.getValue());
                    if (back.changed()) {
                        PushOutcome outcome = pushes.pushNode(target, back, "screenshots: configuration put back", s -> { })
                                .get(90, TimeUnit.SECONDS);
                        if (!(outcome instanceof PushOutcome.Applied)) {
                            throw new IllegalStateException(original.getKey() + ": not put back: " + outcome);
                        }
                    }
                }
            } finally {
                monitor.close();
                io.shutdownNow();
            }
        }
    }

    private static Scene dialog(String titleStart) throws Exception {
        try {
            return awaitDialog(titleStart);
        } catch (IllegalStateException e) {
            shoot("failed-" + titleStart.replace(' ', '-'));
            throw new IllegalStateException(e.getMessage() + "; windows: " + fx(() -> Window.getWindows().stream()
                    .map(w -> w instanceof Stage s ? s.getTitle() + (s.isShowing() ? "" : " (hidden)") : w.toString()).toList()), e);
        }
    }

    private static Scene awaitDialog(String titleStart) throws Exception {
        return await(Duration.ofSeconds(20), "the dialog " + titleStart, () -> fx(() -> Window.getWindows().stream()
                .filter(w -> w instanceof Stage s && s.getTitle() != null && s.getTitle().startsWith(titleStart) && s.isShowing())
                .map(Window::getScene).findFirst()));
    }

    /** An item of the Nodes view's Maintenance menu, as a click on it would. */
    private static void fireMaintenance(Scene scene, String itemId) {
        fx(() -> {
            ((Button) scene.lookup("#node-maintenance-menu")).getContextMenu().getItems().stream()
                    .filter(item -> itemId.equals(item.getId())).findFirst().orElseThrow().fire();
            return null;
        });
    }

    private static void fire(Scene scene, String id) {
        fx(() -> {
            ((Button) scene.lookup(id)).fire();
            return null;
        });
    }

    private static Optional<Stage> mainStage() {
        return fx(() -> Window.getWindows().stream()
                .filter(w -> w instanceof Stage s && s.getTitle() != null && s.getTitle().startsWith(KeepwatchApp.TITLE)
                        && s.getOwner() == null && s.isShowing())
                .map(w -> (Stage) w).findFirst());
    }

    private static long healthyRouters(Scene scene) {
        Node node = scene.lookup("#routers-table");
        return node instanceof TableView<?> t ? t.getItems().stream()
                .filter(row -> row instanceof RouterRow r && r.verdictProperty().get() == Verdict.HEALTHY).count() : -1;
    }

    private static void tab(Scene scene, int index) {
        fx(() -> {
            ((TabPane) scene.lookup(".tab-pane")).getSelectionModel().select(index);
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static void selectNode(Scene scene, String name) {
        fx(() -> {
            TableView<NodeRow> table = (TableView<NodeRow>) scene.lookup("#nodes-table");
            table.getSelectionModel().clearSelection();
            table.getItems().stream().filter(r -> r.name().equals(name)).findFirst().ifPresent(r -> table.getSelectionModel().select(r));
            table.requestFocus();
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static void selectRouter(Scene scene, String name) {
        fx(() -> {
            TableView<RouterRow> table = (TableView<RouterRow>) scene.lookup("#routers-table");
            table.getItems().stream().filter(r -> r.view().name().equals(name)).findFirst()
                    .ifPresent(r -> table.getSelectionModel().select(r));
            table.requestFocus();
            return null;
        });
    }

    private static void shoot(String name) throws Exception {
        Thread.sleep(SETTLE.toMillis());
        Path file = out.resolve(name + ".png");
        Process p = new ProcessBuilder("import", "-window", "root", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("maintenance-shots: wrote " + file);
    }
}
