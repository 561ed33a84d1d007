package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Badges;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.EditTarget;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The router editor: what every member must share, edited once; each member's priority; where the
 * members disagree; then the review of every member's change and the rolling push with each member's
 * steps side by side.
 */
public final class RouterEditorView {

    private final RouterEditorViewModel model;
    private final BorderPane root = new BorderPane();
    private final StackPane center = new StackPane();
    private final Consumer<EditTarget> openMember;
    private final Predicate<String> confirm;
    private final VerdictBox verdict = new VerdictBox("router-verdict");

    /**
     * @param openMember opens one member's own editor (for what the router form does not edit)
     * @param confirm    asks before edits would be dropped
     */
    public RouterEditorView(RouterEditorViewModel model, Consumer<EditTarget> openMember, Predicate<String> confirm) {
        this.model = model;
        this.openMember = openMember;
        this.confirm = confirm;
        root.setId("router-editor");
        root.setTop(header());
        root.setCenter(center);
        root.setBottom(EditorLayout.statusBar("router", model.statusProperty(), model.problemProperty(), model.pushingProperty()));
        model.stageProperty().addListener((obs, old, stage) -> render());
        model.phaseProperty().addListener((obs, old, phase) -> render());
        model.verdictProperty().addListener((obs, old, v) -> verdict.show(v));
        render();
    }

    public Parent root() {
        return root;
    }

    private void render() {
        if (model.phaseProperty().get() != RouterEditorViewModel.Phase.READY) {
            Label what = new Label();
            what.textProperty().bind(model.statusProperty());
            Label failed = new Label();
            failed.textProperty().bind(model.problemProperty());
            failed.getStyleClass().add("kw-form-problem");
            failed.setWrapText(true);
            VBox box = new VBox(12, what, failed);
            box.setAlignment(Pos.CENTER);
            center.getChildren().setAll(box);
            return;
        }
        center.getChildren().setAll(switch (model.stageProperty().get()) {
            case EDIT -> edit();
            case REVIEW -> review();
            case PUSHING, DONE -> progress();
        });
    }

    private HBox header() {
        FontIcon icon = new FontIcon(Material2MZ.ROUTER);
        icon.getStyleClass().add("kw-block-icon");
        Label title = new Label("Router " + model.spec().label());
        title.setId("router-title");
        title.getStyleClass().add("title-4");
        Label members = new Label(model.spec().members().size() + " members: "
                + String.join(", ", model.spec().members().stream().map(EditTarget::node).toList()));
        members.getStyleClass().add("text-muted");
        Label changed = new Label("edited");
        changed.getStyleClass().add("kw-changed-badge");
        changed.visibleProperty().bind(model.changedProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button reload = new Button("Reload", new FontIcon(Material2MZ.REFRESH));
        reload.setId("router-reload");
        reload.setTooltip(new Tooltip("Read every member's configuration again (drops your edits)"));
        reload.setOnAction(e -> {
            if (!model.changedProperty().get() || confirm.test("Read every member's configuration again? Your edits to "
                    + model.spec().label() + " are not on its members and will be lost.")) {
                model.load();
            }
        });
        reload.disableProperty().bind(model.pushingProperty());
        Button push = new Button("Review and push…", new FontIcon(Material2MZ.PUBLISH));
        push.setId("router-review");
        push.getStyleClass().add(Styles.ACCENT);
        push.disableProperty().bind(model.changedProperty().not().or(model.pushingProperty())
                .or(model.stageProperty().isNotEqualTo(RouterEditorViewModel.Stage.EDIT)));
        push.setOnAction(e -> model.review());
        HBox header = new HBox(12, icon, new VBox(2, new HBox(8, title, changed), members), spacer, reload, push);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 12, 8, 12));
        header.getStyleClass().add("kw-editor-header");
        return header;
    }

    private Node edit() {
        GridPane sharedGrid = EditorLayout.fieldGrid();
        int row = 0;
        ListEditor vips = new ListEditor("router-vips", "ADDRESS/PREFIX [dev IF]");
        vips.setItems(model.vips());
        model.vips().addListener((ListChangeListener<String>) c -> vips.setItems(model.vips()));
        vips.setOnChange(model::setVips);
        EditorLayout.field(sharedGrid, row++, "Virtual IPs", vips, "The addresses the master holds; the same on every member.");
        EditorLayout.field(sharedGrid, row++, "Advert interval (s)", sharedText("advert_int"), hint("advert_int"));
        ComboBox<String> auth = new ComboBox<>();
        auth.setId("router-authentication-auth_type");
        auth.getItems().setAll(BlockKind.INSTANCE.field("authentication auth_type").orElseThrow().choices());
        auth.setValue(model.shared("authentication auth_type").get());
        auth.valueProperty().addListener((obs, old, v) -> {
            if (v != null && !v.equals(model.shared("authentication auth_type").get())) {
                model.setShared("authentication auth_type", v);
            }
        });
        model.shared("authentication auth_type").addListener((obs, old, v) -> auth.setValue(v));
        EditorLayout.field(sharedGrid, row++, "Authentication", auth, hint("authentication auth_type"));
        EditorLayout.field(sharedGrid, row++, "Password", sharedText("authentication auth_pass"), hint("authentication auth_pass"));
        CheckBox nopreempt = new CheckBox();
        nopreempt.setId("router-nopreempt");
        nopreempt.setSelected(!model.shared("nopreempt").get().isEmpty());
        nopreempt.selectedProperty().addListener((obs, old, on) -> {
            if (on != !model.shared("nopreempt").get().isEmpty()) {
                model.setShared("nopreempt", on ? "true" : "");
            }
        });
        EditorLayout.field(sharedGrid, row, "No preempt", nopreempt, hint("nopreempt"));

        GridPane membersGrid = new GridPane();
        membersGrid.setId("router-members");
        membersGrid.setHgap(16);
        membersGrid.setVgap(6);
        String[] headings = {"Node", "State now", "Instance", "Priority", "File", ""};
        for (int c = 0; c < headings.length; c++) {
            Label h = new Label(headings[c]);
            h.getStyleClass().add("text-muted");
            membersGrid.add(h, c, 0);
        }
        int r = 1;
        for (MemberRow member : model.members()) {
            Label node = new Label(member.node());
            node.setStyle("-fx-font-weight: bold;");
            Label badge = Badges.badge(Presentation.of(member.stateProperty().get()));
            member.stateProperty().addListener((obs, old, v) -> Badges.dress(badge,
                    Presentation.of(v)));
            Label live = new Label();
            live.getStyleClass().add("text-muted");
            live.textProperty().bind(member.liveProperty());
            HBox state = new HBox(6, badge, live);
            state.setAlignment(Pos.CENTER_LEFT);
            TextField priority = new TextField();
            priority.setId("priority-" + member.node());
            priority.setPrefColumnCount(5);
            priority.setText(member.priorityProperty().get());
            member.priorityProperty().addListener((obs, old, v) -> {
                if (!priority.isFocused()) {
                    priority.setText(v);
                }
            });
            Runnable commit = () -> {
                if (!priority.getText().trim().equals(member.priorityProperty().get())) {
                    model.setPriority(member.node(), priority.getText());
                }
            };
            priority.setOnAction(e -> commit.run());
            // an edit counts as it is typed (Review and push follows); a field emptied while typing counts on leaving it
            priority.textProperty().addListener((obs, old, typed) -> {
                if (priority.isFocused() && !typed.isBlank()) {
                    commit.run();
                }
            });
            priority.focusedProperty().addListener((obs, was, focused) -> {
                if (!focused) {
                    commit.run();
                }
            });
            Label file = new Label();
            file.textProperty().bind(member.fileProperty());
            file.getStyleClass().add("text-muted");
            Button open = new Button("Open " + member.node() + "'s editor", new FontIcon(Material2AL.EDIT));
            open.getStyleClass().add(Styles.FLAT);
            open.setOnAction(e -> model.spec().members().stream().filter(m -> m.node().equals(member.node())).findFirst()
                    .ifPresent(openMember));
            membersGrid.addRow(r++, node, state, new Label(member.instance()), priority, file, open);
        }

        Label verdictText = new Label();
        verdictText.setId("router-peer-verdict");
        verdictText.textProperty().bind(model.peerVerdictProperty());
        verdictText.setStyle("-fx-font-weight: bold;");
        ListView<RouterEditorViewModel.PeerCheckLine> findings = new ListView<>(model.findings());
        findings.setId("router-findings");
        findings.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(RouterEditorViewModel.PeerCheckLine f, boolean empty) {
                super.updateItem(f, empty);
                if (empty || f == null) {
                    setText(null);
                    setGraphic(null);
                    return;
                }
                FontIcon icon = new FontIcon(f.error() ? Material2AL.ERROR : Material2MZ.WARNING);
                icon.getStyleClass().add(f.error() ? "kw-gutter-error" : "kw-gutter-warning");
                setGraphic(icon);
                setText(f.text());
            }
        });
        findings.setPrefHeight(140);
        Label none = new Label("No disagreement between members.");
        none.getStyleClass().add("text-muted");
        findings.setPlaceholder(none);

        VBox content = new VBox(14, section("Shared by every member", sharedGrid), section("Members", membersGrid),
                section("Consistency between members", new VBox(6, verdictText, findings)));
        content.setPadding(new Insets(12));
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        return scroll;
    }

    private Node review() {
        TabPane tabs = new TabPane();
        tabs.setId("router-diffs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        model.diffs().forEach(d -> tabs.getTabs().add(new Tab(d.leftTitle().replace(" now", ""), new DiffView(d).root())));
        VBox.setVgrow(tabs, Priority.ALWAYS);
        Label intro = new Label("Every member is checked with keepalived -t first; nothing is written if one fails. Then the "
                + "backups are written one at a time, each back in the election before the next, and the master last.");
        intro.setWrapText(true);
        Label warning = new Label();
        warning.setId("router-split-warning");
        warning.setWrapText(true);
        warning.getStyleClass().add("kw-form-problem");
        warning.textProperty().bind(model.splitWarningProperty());
        warning.visibleProperty().bind(model.splitWarningProperty().isNotEmpty());
        warning.managedProperty().bind(warning.visibleProperty());
        Label election = new Label();
        election.setId("router-election");
        election.getStyleClass().add("kw-election");
        election.setWrapText(true);
        election.setGraphic(new FontIcon(Material2AL.HOW_TO_VOTE));
        election.textProperty().bind(model.electionProperty());
        election.visibleProperty().bind(model.electionProperty().isNotEmpty());
        election.managedProperty().bind(election.visibleProperty());
        Button back = new Button("Back to editing");
        back.setId("router-back");
        back.setOnAction(e -> model.backToEdit());
        Button push = new Button("Push to all members", new FontIcon(Material2MZ.PUBLISH));
        push.setId("router-push");
        push.getStyleClass().add(Styles.ACCENT);
        push.setDefaultButton(true);
        push.setOnAction(e -> model.push());
        VBox box = new VBox(8, intro, election, warning, tabs, EditorLayout.buttons(back, push));
        box.setPadding(new Insets(12));
        return box;
    }

    private Node progress() {
        HBox cards = new HBox(12);
        cards.setId("router-progress");
        for (MemberRow member : model.members()) {
            Label node = new Label(member.node());
            node.getStyleClass().add("title-4");
            Label rolling = new Label();
            rolling.setId("rolling-" + member.node());
            rolling.textProperty().bind(member.rollingProperty());
            rolling.setWrapText(true);
            StepList steps = new StepList(member.progress().rows(), "steps-" + member.node(), true);
            VBox card = new VBox(6, node, rolling, steps.root());
            card.getStyleClass().add("kw-member-progress");
            card.setPrefWidth(420);
            cards.getChildren().add(card);
        }
        ScrollPane scroll = new ScrollPane(cards);
        scroll.setFitToHeight(true);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        verdict.show(model.verdictProperty().get());
        Button back = new Button("Back to editing");
        back.setId("router-done");
        back.disableProperty().bind(model.pushingProperty());
        back.setOnAction(e -> model.backToEdit());
        VBox box = new VBox(10, scroll, verdict.root(), EditorLayout.buttons(back));
        box.setPadding(new Insets(12));
        return box;
    }

    private TextField sharedText(String key) {
        TextField field = new TextField(model.shared(key).get());
        field.setId("router-" + key.replace(' ', '-'));
        field.setMaxWidth(240);
        model.shared(key).addListener((obs, old, v) -> {
            if (!field.isFocused()) {
                field.setText(v);
            }
        });
        Runnable commit = () -> {
            if (!field.getText().trim().equals(model.shared(key).get())) {
                model.setShared(key, field.getText());
            }
        };
        field.setOnAction(e -> commit.run());
        field.textProperty().addListener((obs, old, typed) -> {
            if (field.isFocused() && !typed.isBlank()) {
                commit.run();
            }
        });
        field.focusedProperty().addListener((obs, was, focused) -> {
            if (!focused) {
                commit.run();
            }
        });
        return field;
    }

    private static String hint(String key) {
        return BlockKind.INSTANCE.field(key).map(BlockKind.Field::hint).orElse("");
    }

    private static VBox section(String title, Node content) {
        Label heading = new Label(title);
        heading.getStyleClass().add("title-4");
        return new VBox(6, heading, content);
    }
}
