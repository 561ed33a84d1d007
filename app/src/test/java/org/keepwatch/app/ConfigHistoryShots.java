package org.keepwatch.app;

import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.editor.ConfigEditorViewModel;
import org.keepwatch.app.editor.ConfigHistoryViewModel;
import org.keepwatch.app.nodes.NodeRow;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.lab.Lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.keepwatch.app.ShotWaits.await;
import static org.keepwatch.app.ShotWaits.awaitFx;
import static org.keepwatch.app.ShotWaits.fx;

/**
 * The app against the running lab, for the pictures of a node's configuration history: opens the lab from the welcome
 * view, pushes a comment to n1 from its editor, edits n1's file by hand, opens n1's configuration history from the Nodes
 * view, compares the first version with the hand edit, reviews and restores the first version (confirming the
 * question), and shoots each step; n1's file is put back as it was in the end. Run under Xvfb as root, the lab up,
 * holding the lab's lock. Argument: the output directory.
 */
public final class ConfigHistoryShots {

    private static final String CONF = "/etc/keepalived/keepalived.conf";
    private static final String SAVED = "/root/kw-config-history-shots.conf";
    private static final Duration SETTLE = Duration.ofMillis(1500);
    private static Path out;

    private ConfigHistoryShots() {
    }

    public static void main(String[] args) throws Exception {
        out = Path.of(args[0]);
        Files.createDirectories(out);
        Path config = Files.createTempDirectory("kw-shots-config");
        // the hand edit noticed within seconds, not the default two minutes
        Files.writeString(config.resolve("settings.json"), "{\"history\": {\"configCheckSeconds\": 4}}\n");
        System.setProperty(KeepwatchApp.CONFIG_DIR_PROPERTY, config.toString());
        Thread shots = new Thread(ConfigHistoryShots::drive, "config-history-shots");
        shots.setDaemon(true);
        shots.start();
        Application.launch(KeepwatchApp.class);
    }

    private static void drive() {
        int exit = 0;
        Lab lab = Lab.fromWorkingDirectory();
        boolean saved = false;
        try {
            lab.awaitHealthy(Duration.ofSeconds(60));
            lab.ok("exec", "n1", "sh", "-c", "cp -p " + CONF + " " + SAVED);
            saved = true;
            Stage stage = await(Duration.ofSeconds(30), "the Keepwatch window", () -> stage(KeepwatchApp.TITLE, true));
            fill(stage);
            Scene scene = stage.getScene();
            fx(() -> {
                ((Button) scene.lookup("#open-lab-fleet")).fire();
                return null;
            });
            awaitFx(Duration.ofSeconds(60), "VRID 51 listed", () -> selectRouter(scene, "51"));
            Thread.sleep(4000);
            fx(() -> {
                selectRouter(scene, "51");
                return null;
            });
            awaitFx(Duration.ofSeconds(10), "n1's Edit config link", () -> scene.lookup("#detail-edit-n1") != null);
            fx(() -> {
                ((Hyperlink) scene.lookup("#detail-edit-n1")).fire();
                return null;
            });
            Stage editor = await(Duration.ofSeconds(30), "n1's editor", () -> stage("Edit keepalived on n1", false));
            fill(editor);
            ConfigEditorViewModel edit = (ConfigEditorViewModel) editor.getUserData();
            awaitFx(Duration.ofSeconds(30), "n1's configuration read", () -> edit.phaseProperty().get() == ConfigEditorViewModel.Phase.READY);
            fx(() -> {
                String path = edit.draft().mainPath();
                edit.textEdited(path, edit.draft().text(path) + "# lower n1 before the switch swap (config history shots)\n");
                edit.flushTyping();
                return null;
            });
            Thread.sleep(500);
            fire(editor, "#editor-push");
            Stage push = await(Duration.ofSeconds(30), "the push dialog", () -> stage("Push to n1", false));
            fx(() -> {
                ((TextField) push.getScene().lookup("#push-reason")).setText("prepare the switch swap");
                return null;
            });
            fire(push, "#push-confirm");
            awaitFx(Duration.ofSeconds(120), "the push's end", () -> push.getScene().lookup("#push-close") instanceof Button b
                    && !b.isDisabled());
            fire(push, "#push-close");
            fx(() -> {
                editor.close();
                return null;
            });
            Thread.sleep(2000);
            // an edit by hand on n1, outside Keepwatch
            lab.ok("exec", "n1", "sh", "-c", "printf '# edited by hand on n1 at 03:12\\n' >> " + CONF);
            Thread.sleep(12_000);

            fx(() -> {
                ((TabPane) scene.lookup(".tab-pane")).getSelectionModel().select(2);
                TableView<?> nodes = (TableView<?>) scene.lookup("#nodes-table");
                for (int i = 0; i < nodes.getItems().size(); i++) {
                    if (nodes.getItems().get(i) instanceof NodeRow r && r.name().equals("n1")) {
                        nodes.getSelectionModel().clearAndSelect(i);
                    }
                }
                return null;
            });
            shoot("config-history-nodes");
            fire(stage, "#node-config-history-button");
            Stage history = await(Duration.ofSeconds(30), "the configuration history", () -> stage("Configuration history", false));
            fill(history);
            ConfigHistoryViewModel model = (ConfigHistoryViewModel) history.getUserData();
            awaitFx(Duration.ofSeconds(30), "three versions", () -> model.rows().size() >= 3);
            // the first version against the hand edit
            fx(() -> {
                @SuppressWarnings("unchecked")
                TableView<ConfigHistoryViewModel.VersionRow> table = (TableView<ConfigHistoryViewModel.VersionRow>)
                        history.getScene().lookup("#confighistory-table");
                table.getSelectionModel().clearSelection();
                table.getSelectionModel().select(table.getItems().size() - 1);
                table.getSelectionModel().select(0);
                return null;
            });
            awaitFx(Duration.ofSeconds(10), "the diff", () -> model.diffProperty().get() != null);
            shoot("config-history-two");
            fx(() -> {
                TableView<?> table = (TableView<?>) history.getScene().lookup("#confighistory-table");
                table.getSelectionModel().clearAndSelect(table.getItems().size() - 1);
                return null;
            });
            awaitFx(Duration.ofSeconds(10), "the diff with the live file", () -> model.diffProperty().get() != null
                    && model.comparisonProperty().get().contains("live"));
            shoot("config-history-live");
            fire(history, "#confighistory-restore");
            awaitFx(Duration.ofSeconds(30), "the review", () -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.REVIEW);
            fx(() -> {
                ((TextField) history.getScene().lookup("#confighistory-reason")).setText("back to before the switch swap");
                return null;
            });
            shoot("config-history-review");
            Platform.runLater(() -> ((Button) history.getScene().lookup("#confighistory-confirm")).fire());
            Stage question = await(Duration.ofSeconds(10), "the question", () -> fx(() -> Window.getWindows().stream()
                    .filter(w -> w instanceof Stage s && s.isShowing() && s.getScene().getRoot() instanceof DialogPane)
                    .map(w -> (Stage) w).findFirst()));
            shoot("config-history-question");
            fx(() -> {
                ((Button) ((DialogPane) question.getScene().getRoot()).lookupButton(ButtonType.OK)).fire();
                return null;
            });
            awaitFx(Duration.ofSeconds(120), "the restore's end", () -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.DONE);
            shoot("config-history-restored");
            fire(history, "#confighistory-back");
            awaitFx(Duration.ofSeconds(30), "the restore listed", () -> model.stageProperty().get() == ConfigHistoryViewModel.Stage.BROWSE
                    && model.rows().size() >= 4);
            fx(() -> {
                @SuppressWarnings("unchecked")
                TableView<ConfigHistoryViewModel.VersionRow> table = (TableView<ConfigHistoryViewModel.VersionRow>)
                        history.getScene().lookup("#confighistory-table");
                table.getSelectionModel().clearSelection();
                table.getSelectionModel().select(1);
                table.getSelectionModel().select(2);
                return null;
            });
            awaitFx(Duration.ofSeconds(10), "the diff", () -> model.diffProperty().get() != null);
            shoot("config-history");
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        } finally {
            if (saved) {
                lab.run("exec", "n1", "sh", "-c", "cp -p " + SAVED + " " + CONF + " && rm -f " + SAVED);
            }
            int code = exit;
            Platform.runLater(() -> {
                Platform.exit();
                System.exit(code);
            });
        }
    }

    private static void fill(Stage stage) {
        fx(() -> {
            stage.setX(0);
            stage.setY(0);
            stage.setWidth(javafx.stage.Screen.getPrimary().getVisualBounds().getWidth());
            stage.setHeight(javafx.stage.Screen.getPrimary().getVisualBounds().getHeight());
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

    private static boolean selectRouter(Scene scene, String vrid) {
        TableView<?> table = (TableView<?>) scene.lookup("#routers-table");
        if (table == null) {
            return false;
        }
        for (int i = 0; i < table.getItems().size(); i++) {
            if (table.getItems().get(i) instanceof RouterRow r && r.key().id().equals(vrid) && r.key().scope().equals("lab")) {
                table.getSelectionModel().clearAndSelect(i);
                return true;
            }
        }
        return false;
    }

    private static void shoot(String name) throws Exception {
        Thread.sleep(SETTLE.toMillis());
        Path file = out.resolve(name + ".png");
        Process p = new ProcessBuilder("import", "-window", "root", file.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("import failed for " + file);
        }
        System.out.println("config-history-shots: wrote " + file);
    }
}
