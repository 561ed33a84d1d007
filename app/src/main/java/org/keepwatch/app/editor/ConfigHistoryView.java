package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A node's configuration history: its kept versions, newest first, with when, who, how and why; below, one version
 * compared with the live file or two with each other; "Restore this version…" shows the push's review (the live file
 * against the version, what the election will do, the reason) and then the agent's steps and the outcome.
 */
public final class ConfigHistoryView {

    private final ConfigHistoryViewModel model;
    private final Predicate<String> confirm;
    private final BorderPane root = new BorderPane();
    private final VerdictBox verdict = new VerdictBox("confighistory-verdict");
    private final StackPane diffHolder = new StackPane();
    private final TableView<ConfigHistoryViewModel.VersionRow> table = new TableView<>(null);
    private Node browse;

    public ConfigHistoryView(ConfigHistoryViewModel model, Predicate<String> confirm) {
        this.model = model;
        this.confirm = confirm;
        root.setId("confighistory-view");
        root.getProperties().put(ConfigHistoryViewModel.class, model);
        root.setPrefSize(1200, 780);
        root.setTop(header());
        root.setBottom(EditorLayout.statusBar("confighistory", model.statusProperty(), model.problemProperty(), model.busyProperty()));
        model.stageProperty().addListener((obs, old, stage) -> render());
        model.unavailableProperty().addListener((obs, old, why) -> render());
        model.verdictProperty().addListener((obs, old, v) -> verdict.show(v));
        model.diffProperty().addListener((obs, old, d) -> showDiff(d));
        showDiff(null);
        render();
    }

    public Parent root() {
        return root;
    }

    private Node header() {
        return EditorLayout.daemonHeader("confighistory", Material2AL.HISTORY_EDU, model.daemonProperty().map(d -> model.title()), model.daemons(),
                model.daemonProperty(), model::selectDaemon, model::load, model.busyProperty().or(model.stageProperty().isNotEqualTo(ConfigHistoryViewModel.Stage.BROWSE)));
    }

    private void render() {
        if (!model.unavailableProperty().get().isEmpty()) {
            Label why = new Label(model.unavailableProperty().get());
            why.setId("confighistory-unavailable");
            why.setWrapText(true);
            why.setGraphic(new FontIcon(Material2MZ.WARNING));
            why.getStyleClass().add("kw-form-problem");
            VBox box = new VBox(why);
            box.setPadding(new Insets(24));
            root.setCenter(box);
            return;
        }
        switch (model.stageProperty().get()) {
            case BROWSE -> root.setCenter(browse());
            case REVIEW -> review();
            case RESTORING, DONE -> progress();
        }
    }

    private Node browse() {
        if (browse != null) {
            return browse;
        }
        table.setId("confighistory-table");
        table.setItems(model.rows());
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.getColumns().setAll(List.of(
                column("First seen", 160, ConfigHistoryViewModel.VersionRow::when),
                column("Who", 210, ConfigHistoryViewModel.VersionRow::who),
                column("How", 110, ConfigHistoryViewModel.VersionRow::how),
                column("Version", 170, r -> r.hash() + (r.live() ? "  (live)" : "")),
                column("File", 250, ConfigHistoryViewModel.VersionRow::path),
                column("Reason", 400, ConfigHistoryViewModel.VersionRow::reason)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(ConfigHistoryViewModel.VersionRow row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().removeAll("kw-history-outside", "kw-history-live");
                setTooltip(null);
                if (!empty && row != null) {
                    if (row.change().origin() == org.keepwatch.history.ConfigChange.Origin.OUTSIDE) {
                        getStyleClass().add("kw-history-outside");
                    }
                    setTooltip(new Tooltip(row.path() + "\nsha256 " + row.change().version().sha256()
                            + (row.reason().isEmpty() ? "" : "\n" + row.reason()) + (row.live() ? "\nthe live file has this version" : "")));
                }
            }
        });
        Label none = new Label("No versions kept yet: the history keeps one each time Keepwatch reads or pushes a changed file.");
        none.setWrapText(true);
        none.getStyleClass().add("text-muted");
        table.setPlaceholder(none);
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<ConfigHistoryViewModel.VersionRow>) c ->
                model.select(List.copyOf(table.getSelectionModel().getSelectedItems())));
        model.selectedProperty().addListener((obs, old, row) -> {
            if (row != null && table.getSelectionModel().getSelectedItems().isEmpty()) {
                table.getSelectionModel().select(row);
                table.scrollTo(row);
            }
        });
        if (model.selectedProperty().get() != null) {
            table.getSelectionModel().select(model.selectedProperty().get());
        }

        Label comparison = new Label();
        comparison.setId("confighistory-comparison");
        comparison.getStyleClass().add("text-muted");
        comparison.setWrapText(true);
        comparison.textProperty().bind(model.comparisonProperty());
        VBox.setVgrow(diffHolder, Priority.ALWAYS);
        Button restore = new Button("Restore this version…", new FontIcon(Material2MZ.SETTINGS_BACKUP_RESTORE));
        restore.setId("confighistory-restore");
        restore.getStyleClass().add(Styles.ACCENT);
        restore.disableProperty().bind(model.busyProperty().or(model.selectedProperty().isNull()));
        restore.setTooltip(new Tooltip("Shows what restoring the newest selected version would change and do; nothing is written "
                + "until you confirm. It is then pushed like any edit: checked with keepalived -t, the live file backed up, "
                + "written, reloaded, health watched, rolled back on trouble."));
        restore.setOnAction(e -> model.reviewRestore());
        Label hint = new Label("Select one version to compare it with the live file, two (Ctrl+click) to compare them.");
        hint.getStyleClass().add("text-muted");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox actions = new HBox(8, hint, spacer, restore);
        actions.setAlignment(Pos.CENTER_LEFT);
        VBox lower = new VBox(8, comparison, diffHolder, actions);
        lower.setPadding(new Insets(8, 12, 8, 12));
        VBox upper = new VBox(table);
        VBox.setVgrow(table, Priority.ALWAYS);
        upper.setPadding(new Insets(8, 12, 0, 12));
        SplitPane split = new SplitPane(upper, lower);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.38);
        browse = split;
        return browse;
    }

    private void review() {
        ConfigHistoryViewModel.VersionRow row = model.selectedProperty().get();
        Label what = new Label("Restore version " + (row == null ? "" : row.hash() + " of " + row.when()) + " on "
                + model.target().label());
        what.getStyleClass().add("title-4");
        what.setId("confighistory-review-title");
        Label intro = new Label("Nothing is written until you press Restore. It is pushed like any edit: the agent locks the "
                + "file, checks it is still the live version shown here, runs keepalived -t, keeps a backup, writes, reloads and "
                + "watches health; on trouble it puts the backup back. The history records it as a push.");
        intro.setWrapText(true);
        Label refusal = new Label();
        refusal.setId("confighistory-refusal");
        refusal.getStyleClass().add("kw-form-problem");
        refusal.setWrapText(true);
        refusal.setGraphic(new FontIcon(Material2MZ.WARNING));
        refusal.textProperty().bind(model.refusalProperty());
        refusal.visibleProperty().bind(model.refusalProperty().isNotEmpty());
        refusal.managedProperty().bind(refusal.visibleProperty());
        Label election = new Label();
        election.setId("confighistory-election");
        election.getStyleClass().add("kw-election");
        election.setWrapText(true);
        election.setGraphic(new FontIcon(Material2AL.HOW_TO_VOTE));
        election.textProperty().bind(model.electionProperty());
        election.visibleProperty().bind(model.electionProperty().isNotEmpty());
        election.managedProperty().bind(election.visibleProperty());
        Node diff = model.reviewDiffProperty().get() == null ? new Region() : new DiffView(model.reviewDiffProperty().get()).root();
        VBox.setVgrow(diff, Priority.ALWAYS);
        TextField reason = new TextField(model.reasonProperty().get());
        reason.setId("confighistory-reason");
        reason.setPromptText("Why, added to the recorded reason (written to the node's audit log)");
        reason.textProperty().addListener((obs, old, typed) -> model.setReason(typed));
        HBox.setHgrow(reason, Priority.ALWAYS);
        Label recorded = new Label();
        recorded.setId("confighistory-recorded-reason");
        recorded.getStyleClass().add("text-muted");
        recorded.textProperty().bind(model.reasonProperty().map(r -> "Recorded as: " + model.pushReason()));
        HBox reasonRow = new HBox(8, new Label("Reason"), reason);
        reasonRow.setAlignment(Pos.CENTER_LEFT);
        VBox center = new VBox(8, what, intro, refusal, election, diff, reasonRow, recorded);
        center.setPadding(new Insets(8, 12, 8, 12));
        Button cancel = new Button("Back to the history", new FontIcon(Material2AL.ARROW_BACK));
        cancel.setId("confighistory-cancel");
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> model.backToList());
        Button push = new Button("Restore", new FontIcon(Material2MZ.SETTINGS_BACKUP_RESTORE));
        push.setId("confighistory-confirm");
        push.getStyleClass().add(Styles.ACCENT);
        push.disableProperty().bind(model.refusalProperty().isNotEmpty().or(model.busyProperty()));
        push.setOnAction(e -> {
            if (confirm.test("Restore version " + (row == null ? "" : row.hash()) + " as " + model.reviewProperty().get().path()
                    + " on " + model.target().label() + "? keepalived is reloaded with it; the live file is kept as a backup first.")) {
                model.restore();
            }
        });
        Node buttons = EditorLayout.buttons(cancel, push);
        VBox.setMargin(buttons, new Insets(0, 12, 8, 12));
        VBox box = new VBox(center, buttons);
        VBox.setVgrow(center, Priority.ALWAYS);
        root.setCenter(box);
    }

    private void progress() {
        Label what = new Label("The agent's steps for restoring version " + (model.selectedProperty().get() == null ? ""
                : model.selectedProperty().get().hash()) + " on " + model.target().label());
        what.getStyleClass().add("title-4");
        StepList steps = new StepList(model.progress().rows(), "confighistory-steps");
        verdict.show(model.verdictProperty().get());
        Button back = new Button("Back to the history", new FontIcon(Material2AL.ARROW_BACK));
        back.setId("confighistory-back");
        back.disableProperty().bind(model.stageProperty().isEqualTo(ConfigHistoryViewModel.Stage.RESTORING));
        back.setOnAction(e -> model.backToList());
        VBox box = new VBox(12, what, steps.root(), verdict.root(), EditorLayout.buttons(back));
        box.setPadding(new Insets(12));
        root.setCenter(box);
    }

    private void showDiff(FileDiff d) {
        if (d != null) {
            diffHolder.getChildren().setAll(new DiffView(d).root());
            return;
        }
        Label none = new Label();
        none.textProperty().bind(model.comparisonProperty());
        none.getStyleClass().add("text-muted");
        diffHolder.getChildren().setAll(none);
    }

    private static TableColumn<ConfigHistoryViewModel.VersionRow, String> column(String title, double width,
                                                                                Function<ConfigHistoryViewModel.VersionRow, String> value) {
        TableColumn<ConfigHistoryViewModel.VersionRow, String> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.apply(c.getValue())));
        column.setPrefWidth(width);
        return column;
    }
}
