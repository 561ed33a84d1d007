package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Tasks;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The editor of one node's keepalived: a header with what is edited and the node actions (reload,
 * check on node, review and push), the form and the text as tabs over the same configuration, the
 * problems below them, and a status line.
 */
public final class ConfigEditorView {

    private final ConfigEditorViewModel model;
    private HBox header;
    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private final Tab formTab;
    private final Tab textTab;
    private final FormView form;
    private final ConfigTextView text;
    private final Consumer<PushViewModel> review;
    private final EditorWindows.Questions questions;

    /**
     * @param review    opens the push dialog for a review
     * @param questions asks the operator for a block name, and before edits would be dropped
     */
    public ConfigEditorView(ConfigEditorViewModel model, Tasks tasks, Consumer<PushViewModel> review,
                            EditorWindows.Questions questions) {
        this.model = model;
        this.review = review;
        this.questions = questions;
        root.setId("config-editor");
        root.getProperties().put(ConfigEditorView.class, this);
        form = new FormView(model, questions.name());
        text = new ConfigTextView(model, tasks);
        formTab = new Tab("Form", form.root());
        formTab.setGraphic(new FontIcon(Material2OutlinedAL.ASSIGNMENT));
        formTab.setId("tab-form");
        textTab = new Tab("Text", text.root());
        textTab.setGraphic(new FontIcon(Material2AL.CODE));
        textTab.setId("tab-text");
        tabs.getTabs().setAll(formTab, textTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((obs, old, tab) -> model.flushTyping());

        ProblemsView problems = new ProblemsView(model, this::jump);
        Label problemsTitle = new Label();
        problemsTitle.setId("problems-title");
        problemsTitle.textProperty().bind(Bindings.createStringBinding(() -> {
            long errors = model.problems().stream().filter(ProblemRow::error).count();
            long warnings = model.problems().size() - errors;
            return "Problems: " + errors + " error(s), " + warnings + " warning(s) · " + model.lintedFor();
        }, model.problems(), model.draftProperty()));
        problemsTitle.getStyleClass().add("text-muted");
        VBox problemsBox = new VBox(4, problemsTitle, problems.root());
        problemsBox.setPadding(new Insets(6, 8, 0, 8));
        VBox.setVgrow(problems.root(), Priority.ALWAYS);
        SplitPane split = new SplitPane(tabs, problemsBox);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.78);

        StackPane center = new StackPane(split, loading());
        root.setCenter(center);
        root.setTop(new VBox(header(), readOnlyBanner()));
        // read-only: shown to be read, not edited (nothing typed could be pushed)
        text.editableProperty().bind(model.readOnlyProperty().isEmpty());
        form.root().disableProperty().bind(model.readOnlyProperty().isNotEmpty());
        root.setBottom(EditorLayout.statusBar("editor", model.statusProperty(), model.problemProperty(), model.busyProperty()));
    }

    /** A "Backups…" button in the header that opens this keepalived's configuration backups. */
    public void offerBackups(Runnable open) {
        Button backups = new Button("Backups…", new FontIcon(Material2AL.HISTORY));
        backups.setId("editor-backups");
        backups.setTooltip(new Tooltip("The configuration backups the agent keeps on " + model.target().node()
                + ": compare them with this file, restore one"));
        backups.setOnAction(e -> open.run());
        backups.setMinWidth(Region.USE_PREF_SIZE);
        header.getChildren().add(header.getChildren().size() - 3, backups);
    }

    /** A "History…" button in the header that opens this keepalived's configuration history. */
    public void offerConfigHistory(Runnable open) {
        Button history = new Button("History…", new FontIcon(Material2AL.HISTORY_EDU));
        history.setId("editor-config-history");
        history.setTooltip(new Tooltip("Every version of this configuration the history kept, who made it and why: "
                + "compare any two, restore one"));
        history.setOnAction(e -> open.run());
        history.setMinWidth(Region.USE_PREF_SIZE);
        header.getChildren().add(header.getChildren().size() - 3, history);
    }

    public Parent root() {
        return root;
    }

    public FormView form() {
        return form;
    }

    public ConfigTextView text() {
        return text;
    }

    /** "Review and push…": the push dialog with the change side by side. */
    public void review() {
        model.review().ifPresent(review);
    }

    /** The view shown in a window (the editor puts itself in its root's properties). */
    public static Optional<ConfigEditorView> of(Parent root) {
        return Optional.ofNullable((ConfigEditorView) root.getProperties().get(ConfigEditorView.class));
    }

    public void showText() {
        tabs.getSelectionModel().select(textTab);
    }

    public void showForm() {
        tabs.getSelectionModel().select(formTab);
    }

    /** A problem's line in the text tab. */
    public void jump(ProblemRow problem) {
        model.showFile(problem.file());
        showText();
        if (problem.line() > 0) {
            text.goTo(problem.line(), problem.column());
        }
    }

    private HBox header() {
        FontIcon icon = new FontIcon(Material2AL.DESCRIPTION);
        icon.getStyleClass().add("kw-block-icon");
        Label title = new Label("keepalived on " + model.target().label());
        title.getStyleClass().add("title-4");
        title.setId("editor-title");
        Label path = new Label();
        path.getStyleClass().add("text-muted");
        path.textProperty().bind(model.draftProperty().map(d -> d.mainPath()
                + (d.paths().size() > 1 ? "  (+" + (d.paths().size() - 1) + " included)" : "")));
        Label changed = new Label();
        changed.setId("editor-changed");
        changed.getStyleClass().add("kw-changed-badge");
        changed.textProperty().bind(model.draftProperty().map(d -> model.changeSummary()));
        changed.visibleProperty().bind(model.changedProperty());
        VBox what = new VBox(2, new HBox(8, title, changed), path);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);

        Button reload = new Button("Reload", new FontIcon(Material2MZ.REFRESH));
        reload.setId("editor-reload");
        reload.setTooltip(new Tooltip("Read the configuration from the node again (drops your edits)"));
        reload.setOnAction(e -> {
            if (!model.changedProperty().get() || questions.confirm().test("Read " + model.target().label()
                    + "'s configuration again? Your edits (" + model.changeSummary() + ") are not on the node and will be lost.")) {
                model.load();
            }
        });
        Button check = new Button("Check on node", new FontIcon(Material2AL.FACT_CHECK));
        check.setId("editor-check");
        check.setTooltip(new Tooltip("keepalived -t on " + model.target().node() + " with your edits; writes nothing"));
        check.setOnAction(e -> model.checkOnNode());
        Button push = new Button("Review and push…", new FontIcon(Material2MZ.PUBLISH));
        push.setId("editor-push");
        push.getStyleClass().add(Styles.ACCENT);
        push.setTooltip(new Tooltip("See the change side by side, then push it through the agent's safe apply"));
        push.setOnAction(e -> review());
        push.disableProperty().bind(model.changedProperty().not().or(model.busyProperty())
                .or(model.readOnlyProperty().isNotEmpty()));
        check.disableProperty().bind(model.busyProperty().or(model.phaseProperty().isNotEqualTo(ConfigEditorViewModel.Phase.READY))
                .or(model.readOnlyProperty().isNotEmpty()));
        reload.disableProperty().bind(model.busyProperty());

        // A long title (a Neutron router's id, a long node name) is elided; the buttons never are.
        what.setMinWidth(0);
        List.of(reload, check, push).forEach(b -> b.setMinWidth(Region.USE_PREF_SIZE));
        HBox header = new HBox(12, icon, what, spacer, reload, check, push);
        this.header = header;
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 12, 8, 12));
        header.getStyleClass().add("kw-editor-header");
        return header;
    }

    /** Above everything while the node is read-only: why its configuration can be read and not changed here. */
    private Label readOnlyBanner() {
        Label banner = new Label();
        banner.setId("editor-read-only");
        banner.setGraphic(new FontIcon(Material2AL.LOCK));
        banner.getStyleClass().add("kw-read-only-banner");
        banner.setWrapText(true);
        banner.setMaxWidth(Double.MAX_VALUE);
        banner.textProperty().bind(model.readOnlyProperty().map(why -> why.isEmpty() ? ""
                : (why.startsWith("read-only") ? "" : "Read-only: ") + why
                        + ". Shown to be read; checking on the node and pushing need root (a login with sudo)."));
        banner.visibleProperty().bind(model.readOnlyProperty().isNotEmpty());
        banner.managedProperty().bind(banner.visibleProperty());
        return banner;
    }

    private Region loading() {
        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setMaxSize(40, 40);
        Label what = new Label();
        what.textProperty().bind(model.statusProperty());
        Label failed = new Label();
        failed.getStyleClass().add("kw-form-problem");
        failed.setWrapText(true);
        failed.setMaxWidth(600);
        failed.textProperty().bind(model.problemProperty());
        Button retry = new Button("Try again", new FontIcon(Material2MZ.REFRESH));
        retry.setId("editor-retry");
        retry.setOnAction(e -> model.load());
        spinner.visibleProperty().bind(model.phaseProperty().isEqualTo(ConfigEditorViewModel.Phase.LOADING));
        retry.visibleProperty().bind(model.phaseProperty().isEqualTo(ConfigEditorViewModel.Phase.FAILED));
        VBox box = new VBox(12, spinner, what, failed, retry);
        box.setAlignment(Pos.CENTER);
        box.setId("editor-loading");
        box.getStyleClass().add("kw-loading");
        box.setStyle("-fx-background-color: -color-bg-default;");
        box.visibleProperty().bind(model.phaseProperty().isNotEqualTo(ConfigEditorViewModel.Phase.READY));
        return box;
    }
}
