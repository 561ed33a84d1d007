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
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.keepwatch.app.ShotWaits.await;
import static org.keepwatch.app.ShotWaits.awaitFx;
import static org.keepwatch.app.ShotWaits.fx;

/**
 * The app as an operator starts it (the real composition root, {@link KeepwatchApp}), pointed at the
 * running lab through its welcome view, captured in a real window (run under Xvfb) with ImageMagick's
 * {@code import -window root}: each main view healthy, then a split brain (lab/fail partition) and an
 * orphan VIP (lab/fail crash n1), then the events they left. Needs root and the lab up.
 * Arguments: the output directory. Settings go to a temporary directory, never the user's.
 */
public final class LabShots {

    private static final Duration SETTLE = Duration.ofMillis(1500);
    /** A second argument "diagnosis": only the diagnosis shot. */
    private static final String ONLY_DIAGNOSIS = "diagnosis";
    private static Path out;
    private static boolean onlyDiagnosis;

    private LabShots() {
    }

    public static void main(String[] args) throws Exception {
        out = Path.of(args[0]);
        onlyDiagnosis = args.length > 1 && args[1].equals(ONLY_DIAGNOSIS);
        Files.createDirectories(out);
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, Files.createTempDirectory("kw-shots-config").toString());
        Thread shots = new Thread(LabShots::drive, "lab-shots");
        shots.setDaemon(true);
        shots.start();
        Application.launch(KeepwatchApp.class);
    }

    private static void drive() {
        int exit = 0;
        Lab lab = Lab.fromWorkingDirectory();
        try {
            lab.ok("heal");
            lab.awaitHealthy(Duration.ofSeconds(60));
            Stage stage = await(Duration.ofSeconds(30), "the Keepwatch window", LabShots::mainStage);
            fx(() -> {
                stage.setX(0);
                stage.setY(0);
                stage.setWidth(1280);
                stage.setHeight(800);
                return null;
            });
            Scene scene = stage.getScene();
            if (!onlyDiagnosis) {
                shoot("welcome");
            }
            fx(() -> {
                ((Button) scene.lookup("#open-lab-fleet")).fire();
                return null;
            });
            awaitFx(Duration.ofSeconds(60), "8 routers, every one healthy", () -> healthyRouters(scene) == 8
                    && !scene.lookup("#alarm-banner").isVisible());
            if (onlyDiagnosis) {
                diagnosis(lab, scene);
                return;
            }
            selectRouter(scene, 0);
            shoot("main-routers");
            tab(scene, 1);
            shoot("main-instances");
            tab(scene, 2);
            shoot("main-nodes");
            tab(scene, 0);

            lab.ok("fail", "partition");
            awaitFx(Duration.ofSeconds(30), "the split-brain banner", () -> scene.lookup("#alarm-banner").isVisible()
                    && ((Label) scene.lookup("#alarm-text")).getText().startsWith("Split brain"));
            fx(() -> {
                ((Button) scene.lookup("#alarm-show")).fire();
                return null;
            });
            shoot("split-brain");
            dismissNotifications();
            lab.ok("fail", "partition", "--undo");
            lab.awaitHealthy(Duration.ofSeconds(40));

            diagnosis(lab, scene);

            lab.ok("fail", "crash", "n1");
            awaitFx(Duration.ofSeconds(30), "the orphan VIP banner", () -> scene.lookup("#alarm-banner").isVisible()
                    && ((Label) scene.lookup("#alarm-text")).getText().toLowerCase(java.util.Locale.ROOT).contains("orphan"));
            fx(() -> {
                ((Button) scene.lookup("#alarm-show")).fire();
                return null;
            });
            shoot("orphan-vip");
            dismissNotifications();
            lab.ok("fail", "crash", "n1", "--undo");
            lab.awaitHealthy(Duration.ofSeconds(40));
            awaitFx(Duration.ofSeconds(30), "every router healthy again", () -> healthyRouters(scene) == 8);
            tab(scene, 3);
            shoot("main-events");
            tab(scene, 0);
            fx(() -> {
                ((Button) scene.lookup("#theme-toggle")).fire();
                return null;
            });
            selectRouter(scene, 0);
            shoot("main-routers-dark");
            fx(() -> {
                ((Button) scene.lookup("#theme-toggle")).fire();
                return null;
            });
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        } finally {
            lab.run("heal");
            int code = exit;
            Platform.runLater(() -> {
                Platform.exit();
                System.exit(code);
            });
        }
    }

    /**
     * "Why?" on a split router: VRRP dropped coming into n2 (lab/fail vrrp-in n2) splits VI_1; its detail's Why? opens
     * the diagnosis, shot once it has found the firewall.
     */
    private static void diagnosis(Lab lab, Scene scene) throws Exception {
        lab.ok("fail", "vrrp-in", "n2");
        try {
            awaitFx(Duration.ofSeconds(30), "VI_1 split", () -> routerRow(scene, "VI_1")
                    .map(r -> r.verdictProperty().get() == Verdict.SPLIT_BRAIN).orElse(false));
            fx(() -> {
                TableView<?> table = (TableView<?>) scene.lookup("#routers-table");
                routerRow(scene, "VI_1").ifPresent(row -> {
                    int index = table.getItems().indexOf(row);
                    table.getSelectionModel().clearAndSelect(index);
                });
                return null;
            });
            awaitFx(Duration.ofSeconds(10), "the detail's Why?", () -> scene.lookup("#detail-why") instanceof Button);
            fx(() -> {
                ((Button) scene.lookup("#detail-why")).fire();
                return null;
            });
            Stage why = await(Duration.ofSeconds(10), "the diagnosis window", () -> fx(() -> Window.getWindows().stream()
                    .filter(w -> w instanceof Stage s && s.getTitle() != null && s.getTitle().startsWith("Why?") && s.isShowing())
                    .map(w -> (Stage) w).findFirst()));
            fx(() -> {
                why.setX(300);
                why.setY(90);
                why.setWidth(900);
                why.setHeight(700);
                return null;
            });
            awaitFx(Duration.ofSeconds(40), "the diagnosis' verdict", () -> why.getScene().lookup("#diagnosis-verdict") != null);
            dismissNotifications();
            shoot("diagnosis");
            fx(() -> {
                why.close();
                return null;
            });
        } finally {
            lab.ok("fail", "vrrp-in", "n2", "--undo");
            lab.awaitHealthy(Duration.ofSeconds(40));
        }
    }

    private static Optional<RouterRow> routerRow(Scene scene, String name) {
        Node node = scene.lookup("#routers-table");
        return node instanceof TableView<?> t ? t.getItems().stream().filter(row -> row instanceof RouterRow r
                && r.view().name().equals(name)).map(row -> (RouterRow) row).findFirst() : Optional.empty();
    }

    /** The desktop notification stays 15 s; the next views are shot without it. */
    private static void dismissNotifications() {
        fx(() -> {
            List.copyOf(Window.getWindows()).stream().filter(w -> w instanceof javafx.stage.PopupWindow).forEach(Window::hide);
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

    private static void selectRouter(Scene scene, int index) {
        fx(() -> {
            TableView<?> table = (TableView<?>) scene.lookup("#routers-table");
            table.getSelectionModel().clearAndSelect(index);
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
        System.out.println("lab-shots: wrote " + file);
    }
}
