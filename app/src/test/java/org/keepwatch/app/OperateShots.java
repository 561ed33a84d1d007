package org.keepwatch.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.event.ActionEvent;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.lab.Lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.keepwatch.app.ShotWaits.await;
import static org.keepwatch.app.ShotWaits.awaitFx;
import static org.keepwatch.app.ShotWaits.fx;

/**
 * The app against the running lab, for the pictures of issue 15's push review, push progress, Routers table and
 * backups window: opens the lab from the welcome view, shoots the Routers table, raises n3's priority of VRID 52 in
 * the router editor as typed, shoots the review (what the election will do) and the rolling push's progress, puts the
 * priority back the same way, then (unless "before") shoots n3's backups window. Run under Xvfb, as LabShots
 * (docs/screenshots/capture operate); each window fills the screen.
 * Arguments: the output directory, and "before" for a build without the backups window.
 */
public final class OperateShots {

    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static Path out;
    private static boolean before;

    private OperateShots() {
    }

    public static void main(String[] args) throws Exception {
        out = Path.of(args[0]);
        before = args.length > 1 && args[1].equals("before");
        Files.createDirectories(out);
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, Files.createTempDirectory("kw-shots-config").toString());
        Thread shots = new Thread(OperateShots::drive, "operate-shots");
        shots.setDaemon(true);
        shots.start();
        Application.launch(KeepwatchApp.class);
    }

    private static void drive() {
        int exit = 0;
        Lab lab = Lab.fromWorkingDirectory();
        try {
            lab.awaitHealthy(Duration.ofSeconds(60));
            Stage stage = await(Duration.ofSeconds(30), "the Keepwatch window", () -> stage(KeepwatchApp.TITLE, true));
            fx(() -> {
                stage.setX(0);
                stage.setY(0);
                stage.setWidth(javafx.stage.Screen.getPrimary().getVisualBounds().getWidth());
                stage.setHeight(javafx.stage.Screen.getPrimary().getVisualBounds().getHeight());
                return null;
            });
            Scene scene = stage.getScene();
            fx(() -> {
                ((Button) scene.lookup("#open-lab-fleet")).fire();
                return null;
            });
            awaitFx(Duration.ofSeconds(60), "every router healthy", () -> healthy(scene) >= 3);
            Thread.sleep(3000);
            selectRouter(scene, "52");
            shoot("routers");

            fx(() -> {
                ((Button) scene.lookup("#detail-edit-router")).fire();
                return null;
            });
            Stage editor = await(Duration.ofSeconds(30), "the router editor", () -> stage("Edit router", false));
            fx(() -> {
                editor.setX(0);
                editor.setY(0);
                editor.setWidth(javafx.stage.Screen.getPrimary().getVisualBounds().getWidth());
                editor.setHeight(javafx.stage.Screen.getPrimary().getVisualBounds().getHeight());
                return null;
            });
            awaitFx(Duration.ofSeconds(30), "n3's priority", () -> editor.getScene().lookup("#priority-n3") instanceof TextField f
                    && !f.getText().isEmpty() && !f.getText().equals("?"));
            String was = fx(() -> ((TextField) editor.getScene().lookup("#priority-n3")).getText());
            System.out.println("operate-shots: n3's priority was " + was);
            type(editor, "#priority-n3", "200");
            Thread.sleep(1000);
            shoot("typed");
            fire(editor, "#router-review");
            awaitFx(Duration.ofSeconds(10), "the review", () -> editor.getScene().lookup("#router-push") != null);
            shoot("push-review");
            fire(editor, "#router-push");
            awaitFx(Duration.ofSeconds(120), "the push's end", () -> editor.getScene().lookup("#router-done") instanceof Button b
                    && !b.isDisabled());
            shoot("push-progress");
            fire(editor, "#router-done");
            awaitFx(Duration.ofSeconds(30), "the editing view again", () -> editor.getScene().lookup("#priority-n3") != null);
            type(editor, "#priority-n3", was);
            fire(editor, "#router-review");
            awaitFx(Duration.ofSeconds(10), "the review", () -> editor.getScene().lookup("#router-push") != null);
            fire(editor, "#router-push");
            awaitFx(Duration.ofSeconds(120), "the push back's end", () -> editor.getScene().lookup("#router-done") instanceof Button b
                    && !b.isDisabled());
            fx(() -> {
                editor.close();
                return null;
            });
            lab.awaitHealthy(Duration.ofSeconds(60));
            if (!before) {
                fx(() -> {
                    ((TabPane) scene.lookup(".tab-pane")).getSelectionModel().select(2);
                    TableView<?> nodes = (TableView<?>) scene.lookup("#nodes-table");
                    for (int i = 0; i < nodes.getItems().size(); i++) {
                        if (nodes.getItems().get(i) instanceof NodeRow r && r.name().equals("n3")) {
                            nodes.getSelectionModel().clearAndSelect(i);
                        }
                    }
                    return null;
                });
                fire(stage, "#node-backups-button");
                Stage backups = await(Duration.ofSeconds(30), "the backups window", () -> stage("Configuration backups", false));
                fx(() -> {
                    backups.setX(0);
                    backups.setY(0);
                    backups.setWidth(javafx.stage.Screen.getPrimary().getVisualBounds().getWidth());
                    backups.setHeight(javafx.stage.Screen.getPrimary().getVisualBounds().getHeight());
                    return null;
                });
                awaitFx(Duration.ofSeconds(30), "a diff", () -> backups.getScene().lookup("#diff-rows") != null);
                shoot("backups");
            }
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        } finally {
            int code = exit;
            Platform.runLater(() -> {
                Platform.exit();
                System.exit(code);
            });
        }
    }

    /** Types into a field as an operator does: focused, the text replaced, no Enter (before: Enter, it needed one). */
    private static void type(Stage stage, String id, String text) {
        fx(() -> {
            TextField field = (TextField) stage.getScene().lookup(id);
            field.requestFocus();
            field.selectAll();
            field.replaceSelection(text);
            if (before) {
                field.fireEvent(new ActionEvent());
            }
            return null;
        });
    }

    private static void fire(Stage stage, String id) {
        fx(() -> {
            Node node = stage.getScene().lookup(id);
            if (node instanceof Button b) {
                b.fire();
            } else {
                throw new IllegalStateException("no button " + id);
            }
            return null;
        });
    }

    private static Optional<Stage> stage(String title, boolean main) {
        return fx(() -> Window.getWindows().stream()
                .filter(w -> w instanceof Stage s && s.getTitle() != null && s.getTitle().startsWith(title)
                        && (s.getOwner() == null) == main && s.isShowing())
                .map(w -> (Stage) w).findFirst());
    }

    private static long healthy(Scene scene) {
        Node node = scene.lookup("#routers-table");
        return node instanceof TableView<?> t ? t.getItems().stream()
                .filter(row -> row instanceof RouterRow r && r.verdictProperty().get() == Verdict.HEALTHY).count() : -1;
    }

    private static void selectRouter(Scene scene, String vrid) {
        fx(() -> {
            TableView<?> table = (TableView<?>) scene.lookup("#routers-table");
            for (int i = 0; i < table.getItems().size(); i++) {
                if (table.getItems().get(i) instanceof RouterRow r && r.key().id().equals(vrid) && r.key().scope().equals("lab")) {
                    table.getSelectionModel().clearAndSelect(i);
                }
            }
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
        System.out.println("operate-shots: wrote " + file);
    }
}
