package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

/**
 * The push dialog: review the change side by side and give a reason, push and watch the agent's
 * steps, read the outcome; when the file changed on the node, see both versions and choose.
 */
public final class PushView {

    private final PushViewModel model;
    private final BorderPane root = new BorderPane();
    private final Runnable close;
    private final VerdictBox verdict = new VerdictBox("push-verdict");

    public PushView(PushViewModel model, Runnable close) {
        this.model = model;
        this.close = close;
        root.setId("push-view");
        root.getProperties().put(PushViewModel.class, model);
        root.getProperties().put(PushView.class, this);
        root.setPadding(new Insets(12));
        root.setPrefSize(1100, 640);
        Label title = new Label(model.title());
        title.getStyleClass().add("title-3");
        title.setId("push-title");
        BorderPane.setMargin(title, new Insets(0, 0, 8, 0));
        root.setTop(title);
        model.stageProperty().addListener((obs, old, stage) -> render());
        model.verdictProperty().addListener((obs, old, v) -> verdict.show(v));
        model.diffs().addListener((ListChangeListener<FileDiff>) c -> render());
        render();
    }

    public Parent root() {
        return root;
    }

    public PushViewModel model() {
        return model;
    }

    private void render() {
        switch (model.stageProperty().get()) {
            case REVIEW -> review();
            case PUSHING, DONE -> progress();
            case CONFLICT -> conflict();
        }
    }

    private void review() {
        Label intro = new Label("Nothing is written until you press Push. The agent then locks the file, checks it is still the "
                + "version you read, runs keepalived -t, keeps a backup, writes, reloads and watches health; "
                + "on trouble it puts the backup back.");
        intro.setWrapText(true);
        Node diffs;
        if (model.diffs().size() == 1) {
            diffs = new DiffView(model.diffs().get(0)).root();
        } else {
            TabPane tabs = new TabPane();
            tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
            model.diffs().forEach(d -> tabs.getTabs().add(new Tab(ConfigEditorViewModel.fileName(d.path()), new DiffView(d).root())));
            diffs = tabs;
        }
        VBox.setVgrow(diffs, Priority.ALWAYS);
        TextField reason = new TextField();
        reason.setId("push-reason");
        reason.setPromptText("Why (written to the node's audit log), e.g. raise n2 for maintenance of n1");
        reason.setText(model.reasonProperty().get());
        reason.textProperty().addListener((obs, old, typed) -> model.setReason(typed));
        HBox.setHgrow(reason, Priority.ALWAYS);
        Label reasonLabel = new Label("Reason");
        HBox reasonRow = new HBox(8, reasonLabel, reason);
        reasonRow.setAlignment(Pos.CENTER_LEFT);
        Label lint = new Label();
        lint.setId("push-lint-warning");
        lint.getStyleClass().add("kw-form-warning");
        lint.setWrapText(true);
        lint.textProperty().bind(model.lintWarningProperty());
        lint.managedProperty().bind(model.lintWarningProperty().isNotEmpty());
        Label election = new Label();
        election.setId("push-election");
        election.getStyleClass().add("kw-election");
        election.setWrapText(true);
        election.setGraphic(new FontIcon(Material2AL.HOW_TO_VOTE));
        election.textProperty().bind(model.electionProperty());
        election.managedProperty().bind(model.electionProperty().isNotEmpty());
        election.visibleProperty().bind(model.electionProperty().isNotEmpty());
        VBox center = new VBox(8, intro, lint, election, diffs, reasonRow);
        root.setCenter(center);

        Button cancel = new Button("Cancel");
        cancel.setId("push-cancel");
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> close.run());
        Button push = new Button("Push", new FontIcon(Material2MZ.PUBLISH));
        push.setId("push-confirm");
        push.setDefaultButton(true);
        push.getStyleClass().add(Styles.ACCENT);
        push.setOnAction(e -> model.push());
        root.setBottom(EditorLayout.buttons(cancel, push));
    }

    private void progress() {
        Label file = new Label();
        file.textProperty().bind(model.pushingFileProperty().map(p -> p.isEmpty() ? "" : "The agent's steps for " + p));
        file.getStyleClass().add("title-4");
        StepList steps = new StepList(model.progress().rows(), "push-steps");
        verdict.show(model.verdictProperty().get());
        VBox center = new VBox(12, file, steps.root(), verdict.root());
        center.setPadding(new Insets(4, 0, 0, 0));
        root.setCenter(center);
        Button done = new Button("Close");
        done.setId("push-close");
        done.setDefaultButton(true);
        done.disableProperty().bind(model.stageProperty().isEqualTo(PushViewModel.Stage.PUSHING));
        done.setOnAction(e -> close.run());
        root.setBottom(EditorLayout.buttons(done));
    }

    private void conflict() {
        verdict.show(model.verdictProperty().get());
        Node diff = model.conflictDiff().map(d -> new DiffView(d).root()).orElse(new Region());
        VBox.setVgrow(diff, Priority.ALWAYS);
        Label problem = new Label();
        problem.setId("merge-problem");
        problem.getStyleClass().add("kw-form-problem");
        problem.setWrapText(true);
        problem.textProperty().bind(model.mergeProblemProperty());
        Label how = new Label("Left: the file on the node now. Right: your version. A line differs where you or they changed it. "
                + "Merge carries your edits onto their file where you changed different lines, then shows what would be pushed; "
                + "Keep mine overwrites their changes (you review that first); Take theirs reads their file and drops your edits.");
        how.setWrapText(true);
        how.getStyleClass().add("text-muted");
        root.setCenter(new VBox(8, verdict.root(), how, diff, problem));

        Button merge = new Button("Merge my edits onto theirs", new FontIcon(Material2MZ.MERGE_TYPE));
        merge.setId("conflict-merge");
        merge.getStyleClass().add(Styles.ACCENT);
        merge.setOnAction(e -> model.merge());
        Button mine = new Button("Keep mine", new FontIcon(Material2AL.EDIT));
        mine.setId("conflict-keep-mine");
        mine.setOnAction(e -> model.keepMine());
        Button theirs = new Button("Take theirs (drop my edits)", new FontIcon(Material2MZ.REFRESH));
        theirs.setId("conflict-take-theirs");
        theirs.setOnAction(e -> model.takeTheirs());
        Button cancel = new Button("Cancel");
        cancel.setId("conflict-cancel");
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> close.run());
        root.setBottom(EditorLayout.buttons(merge, mine, theirs, cancel));
    }
}
