package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.List;
import java.util.function.Predicate;

/**
 * A keepalived's configuration backups: its files and each one's backups on the left; on the right two versions
 * side by side (a backup and the live file, or two backups), what the election would do, and Restore, which shows
 * the agent's steps and the outcome as a push does.
 */
public final class BackupsView {

    private final BackupsViewModel model;
    private final Predicate<String> confirm;
    private final BorderPane root = new BorderPane();
    private final VerdictBox verdict = new VerdictBox("restore-verdict");
    private final StackPane diffHolder = new StackPane();
    private final ComboBox<String> from = new ComboBox<>();
    private final ComboBox<String> to = new ComboBox<>();
    private boolean syncing;

    public BackupsView(BackupsViewModel model, Predicate<String> confirm) {
        this.model = model;
        this.confirm = confirm;
        root.setId("backups-view");
        root.getProperties().put(BackupsViewModel.class, model);
        root.setPrefSize(1200, 760);
        root.setTop(header());
        root.setBottom(EditorLayout.statusBar("backups", model.statusProperty(), model.problemProperty(), model.busyProperty()));
        model.stageProperty().addListener((obs, old, stage) -> render());
        model.verdictProperty().addListener((obs, old, v) -> verdict.show(v));
        model.diffProperty().addListener((obs, old, d) -> diffHolder.getChildren().setAll(d == null ? placeholder() : new DiffView(d).root()));
        diffHolder.getChildren().setAll(placeholder());
        render();
    }

    public Parent root() {
        return root;
    }

    private Node header() {
        return EditorLayout.daemonHeader("backups", Material2AL.HISTORY, model.daemonProperty().map(d -> model.title()), model.daemons(),
                model.daemonProperty(), model::selectDaemon, model::load, model.busyProperty());
    }

    private void render() {
        switch (model.stageProperty().get()) {
            case BROWSE -> browse();
            case RESTORING, DONE -> progress();
        }
    }

    private void browse() {
        ComboBox<String> file = new ComboBox<>(model.files());
        file.setId("backups-file");
        file.setMaxWidth(Double.MAX_VALUE);
        file.setValue(model.fileProperty().get());
        model.fileProperty().addListener((obs, old, f) -> file.setValue(f));
        file.valueProperty().addListener((obs, old, f) -> {
            if (f != null && !f.equals(model.fileProperty().get())) {
                model.showFile(f);
            }
        });
        ListView<BackupsViewModel.BackupRow> list = new ListView<>(model.rows());
        list.setId("backups-list");
        list.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(BackupsViewModel.BackupRow row, boolean empty) {
                super.updateItem(row, empty);
                if (empty || row == null) {
                    setText(null);
                    setGraphic(null);
                    setTooltip(null);
                    return;
                }
                setText(row.taken() + "   " + row.size() + " B" + (row.live() ? "   = live" : ""));
                setTooltip(new Tooltip(row.name() + "\nsha256 " + row.sha256()));
            }
        });
        Label none = new Label();
        // none listed because the listing failed (a read-only login cannot read root's backups) is not "none yet"
        none.textProperty().bind(Bindings.when(model.problemProperty().isEmpty())
                .then("No backups of this file yet: the agent keeps one each time a push or restore changes it.")
                .otherwise("The backups could not be listed: why is said below."));
        none.setWrapText(true);
        none.getStyleClass().add("text-muted");
        list.setPlaceholder(none);
        list.getSelectionModel().selectedItemProperty().addListener((obs, old, row) -> {
            if (row != null && !syncing) {
                model.compare(row.name(), model.rightProperty().get());
            }
        });
        VBox.setVgrow(list, Priority.ALWAYS);
        Label filesLabel = new Label("File");
        filesLabel.getStyleClass().add("text-muted");
        Label backupsLabel = new Label("Backups, newest first");
        backupsLabel.getStyleClass().add("text-muted");
        VBox side = new VBox(6, filesLabel, file, backupsLabel, list);
        side.setPrefWidth(330);
        side.setPadding(new Insets(8, 0, 8, 12));

        from.setId("backups-from");
        to.setId("backups-to");
        for (ComboBox<String> box : java.util.List.of(from, to)) {
            box.setCellFactory(v -> versionCell());
            box.setButtonCell(versionCell());
            box.setPrefWidth(330);
        }
        Runnable versions = () -> {
            syncing = true;
            from.getItems().setAll(model.versions());
            to.getItems().setAll(model.versions());
            from.setValue(model.leftProperty().get());
            to.setValue(model.rightProperty().get());
            list.getItems().stream().filter(r -> r.name().equals(model.leftProperty().get())).findFirst()
                    .ifPresentOrElse(r -> list.getSelectionModel().select(r), () -> list.getSelectionModel().clearSelection());
            syncing = false;
        };
        model.rows().addListener((javafx.collections.ListChangeListener<BackupsViewModel.BackupRow>) c -> versions.run());
        model.leftProperty().addListener((obs, old, v) -> versions.run());
        model.rightProperty().addListener((obs, old, v) -> versions.run());
        versions.run();
        from.valueProperty().addListener((obs, old, v) -> {
            if (!syncing && v != null) {
                model.compare(v, to.getValue());
            }
        });
        to.valueProperty().addListener((obs, old, v) -> {
            if (!syncing && v != null) {
                model.compare(from.getValue(), v);
            }
        });
        Button swap = new Button("", new FontIcon(Material2MZ.SWAP_HORIZ));
        swap.setId("backups-swap");
        swap.setTooltip(new Tooltip("Swap the two sides"));
        swap.setOnAction(e -> model.compare(to.getValue(), from.getValue()));
        HBox compare = new HBox(8, new Label("Compare"), from, swap, new Label("with"), to);
        compare.setAlignment(Pos.CENTER_LEFT);

        Label election = new Label();
        election.setId("backups-election");
        election.getStyleClass().add("kw-election");
        election.setWrapText(true);
        election.setGraphic(new FontIcon(Material2AL.HOW_TO_VOTE));
        election.textProperty().bind(model.electionProperty());
        election.visibleProperty().bind(model.electionProperty().isNotEmpty());
        election.managedProperty().bind(election.visibleProperty());
        VBox.setVgrow(diffHolder, Priority.ALWAYS);

        TextField reason = new TextField(model.reasonProperty().get());
        reason.setId("restore-reason");
        reason.setPromptText("Why (written to the node's audit log), e.g. back to yesterday's priorities");
        reason.textProperty().addListener((obs, old, typed) -> model.setReason(typed));
        HBox.setHgrow(reason, Priority.ALWAYS);
        Button restore = new Button("Restore this backup…", new FontIcon(Material2MZ.SETTINGS_BACKUP_RESTORE));
        restore.setId("backups-restore");
        restore.getStyleClass().add(Styles.ACCENT);
        restore.disableProperty().bind(model.busyProperty().or(model.leftProperty().isEmpty())
                .or(model.leftProperty().isEqualTo(BackupsViewModel.LIVE)).or(model.readOnlyProperty().isNotEmpty()));
        restore.setTooltip(new Tooltip(model.readOnlyProperty().get().isEmpty() ? "Puts the backup on the left back "
                + "through the agent's safe apply: checked with keepalived -t, the live file backed up, written, reloaded, "
                + "health watched, rolled back on trouble" : model.readOnlyProperty().get()));
        restore.setOnAction(e -> {
            String name = model.leftProperty().get();
            if (confirm.test("Restore " + name + " as " + model.fileProperty().get() + " on " + model.target().label()
                    + "? keepalived is reloaded with it; the live file is kept as a backup first.")) {
                model.restore();
            }
        });
        // read-only: the button is disabled (and a disabled button shows no tooltip): why is said beside it
        Label refused = new Label();
        refused.setId("backups-read-only");
        refused.getStyleClass().add("kw-read-only-banner");
        refused.setWrapText(true);
        refused.textProperty().bind(model.readOnlyProperty());
        refused.visibleProperty().bind(model.readOnlyProperty().isNotEmpty());
        refused.managedProperty().bind(refused.visibleProperty());
        // read-only: nothing to restore with, so only why is shown, whole
        Label reasonLabel = new Label("Reason");
        for (Node writing : List.of(reasonLabel, reason, restore)) {
            writing.visibleProperty().bind(model.readOnlyProperty().isEmpty());
            writing.managedProperty().bind(writing.visibleProperty());
        }
        HBox actions = new HBox(8, reasonLabel, reason, restore, refused);
        actions.setAlignment(Pos.CENTER_LEFT);
        VBox center = new VBox(8, compare, election, diffHolder, actions);
        center.setPadding(new Insets(8, 12, 8, 12));
        BorderPane body = new BorderPane(center);
        body.setLeft(side);
        root.setCenter(body);
    }

    private void progress() {
        Label what = new Label("The agent's steps for restoring " + model.leftProperty().get() + " as " + model.fileProperty().get());
        what.getStyleClass().add("title-4");
        StepList steps = new StepList(model.progress().rows(), "restore-steps");
        verdict.show(model.verdictProperty().get());
        Button back = new Button("Back to the backups", new FontIcon(Material2AL.ARROW_BACK));
        back.setId("restore-back");
        back.disableProperty().bind(model.stageProperty().isEqualTo(BackupsViewModel.Stage.RESTORING));
        back.setOnAction(e -> model.backToList());
        VBox box = new VBox(12, what, steps.root(), verdict.root(), EditorLayout.buttons(back));
        box.setPadding(new Insets(12));
        root.setCenter(box);
    }

    private ListCell<String> versionCell() {
        return new ListCell<>() {
            @Override
            protected void updateItem(String version, boolean empty) {
                super.updateItem(version, empty);
                setText(empty || version == null ? null : version.equals(BackupsViewModel.LIVE) ? "the live file"
                        : model.rows().stream().filter(r -> r.name().equals(version)).findFirst()
                        .map(r -> "backup " + r.taken()).orElse(version));
            }
        };
    }

    private static Node placeholder() {
        Label none = new Label("Pick a backup to compare it with the live file or another backup.");
        none.getStyleClass().add("text-muted");
        return none;
    }
}
