package org.keepwatch.app.editor;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.BlockRef;
import org.keepwatch.drafts.FormEdits;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.util.Optional;
import java.util.function.Function;

/**
 * The visual form: the instances, scripts and sync groups of the configuration on the left (with
 * duplicate, rename and delete), the selected one's fields on the right.
 */
public final class FormView {

    private final ConfigEditorViewModel model;
    private final SplitPane root = new SplitPane();
    private final ListView<BlockRef> list = new ListView<>();
    private final BorderPane formHolder = new BorderPane();
    private final Function<String, Optional<String>> askName;
    private BlockForm form;
    private boolean selecting;

    /** @param askName asks the operator for a block name, given a suggestion (a dialog; tests answer directly) */
    public FormView(ConfigEditorViewModel model, Function<String, Optional<String>> askName) {
        this.model = model;
        this.askName = askName;
        root.setId("config-form");
        list.setId("block-list");
        list.setItems(model.blocks());
        list.setCellFactory(v -> new BlockCell());
        list.getSelectionModel().selectedItemProperty().addListener((obs, old, block) -> {
            if (!selecting && block != null) {
                model.select(block);
            }
        });
        Label empty = new Label("No vrrp_instance, vrrp_script or vrrp_sync_group here. Add one in the text tab.");
        empty.setWrapText(true);
        empty.getStyleClass().add("text-muted");
        list.setPlaceholder(empty);

        Button duplicate = button("block-duplicate", Material2AL.CONTENT_COPY, "Duplicate", this::duplicate);
        Button rename = button("block-rename", Material2AL.EDIT, "Rename", this::rename);
        Button delete = button("block-delete", Material2AL.DELETE_OUTLINE, "Delete", () -> selected().ifPresent(b ->
                model.edit(FormEdits.delete(b))));
        HBox actions = new HBox(4, duplicate, rename, delete);
        actions.setPadding(new Insets(6));
        actions.setAlignment(Pos.CENTER_LEFT);
        BorderPane left = new BorderPane(list);
        left.setBottom(actions);
        left.setMinWidth(180);

        ScrollPane scroll = new ScrollPane(formHolder);
        scroll.setFitToWidth(true);
        root.getItems().setAll(left, scroll);
        root.setDividerPositions(0.24);
        SplitPane.setResizableWithParent(left, false);

        model.selectedProperty().addListener((obs, old, block) -> showSelected());
        model.problems().addListener((ListChangeListener<ProblemRow>) c -> {
            list.refresh();   // the error marks on the blocks
            showSelected();
        });
        showSelected();
    }

    public Node root() {
        return root;
    }

    public Optional<BlockForm> form() {
        return Optional.ofNullable(form);
    }

    private void showSelected() {
        BlockRef block = model.selectedProperty().get();
        selecting = true;
        try {
            list.getSelectionModel().select(block);
        } finally {
            selecting = false;
        }
        if (block == null) {
            form = null;
            Label hint = new Label("Select an instance, a script or a sync group.");
            hint.getStyleClass().add("text-muted");
            VBox box = new VBox(hint);
            box.setPadding(new Insets(16));
            formHolder.setCenter(box);
            return;
        }
        if (form != null && form.shows(block)) {
            form.refresh(block);
        } else {
            form = new BlockForm(model, block);
            formHolder.setCenter(form.root());
        }
    }

    private Optional<BlockRef> selected() {
        return Optional.ofNullable(model.selectedProperty().get());
    }

    private void duplicate() {
        selected().ifPresent(block -> askName.apply(FormEdits.freeName(model.blocks(), block)).ifPresent(name -> {
            if (model.edit(FormEdits.duplicate(block, name))) {
                model.blocks().stream().filter(b -> b.kind() == block.kind() && b.name().equals(name)).findFirst().ifPresent(model::select);
            }
        }));
    }

    private void rename() {
        selected().ifPresent(block -> askName.apply(block.name()).filter(n -> !n.equals(block.name())).ifPresent(name -> {
            if (model.edit(FormEdits.rename(block, name))) {
                model.blocks().stream().filter(b -> b.kind() == block.kind() && b.name().equals(name)).findFirst().ifPresent(model::select);
            }
        }));
    }

    /** The dialog the app uses to ask for a name. */
    public static Optional<String> askWithDialog(String suggestion) {
        TextInputDialog dialog = new TextInputDialog(suggestion);
        dialog.setTitle("Name");
        dialog.setHeaderText("Name of the block");
        return dialog.showAndWait().map(String::trim).filter(s -> !s.isEmpty());
    }

    private static Button button(String id, Ikon icon, String text, Runnable action) {
        Button button = new Button(null, new FontIcon(icon));
        button.setId(id);
        button.setTooltip(new Tooltip(text + " the selected block"));
        button.setOnAction(e -> action.run());
        return button;
    }

    static Ikon icon(BlockKind kind) {
        return switch (kind) {
            case INSTANCE -> Material2MZ.ROUTER;
            case SCRIPT -> Material2OutlinedAL.ASSIGNMENT;
            case SYNC_GROUP -> Material2AL.LINK;
        };
    }

    /** An icon for the kind, the name, the kind in words. */
    private final class BlockCell extends ListCell<BlockRef> {
        @Override
        protected void updateItem(BlockRef block, boolean empty) {
            super.updateItem(block, empty);
            if (empty || block == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            FontIcon icon = new FontIcon(icon(block.kind()));
            icon.getStyleClass().add("kw-block-icon");
            Label name = new Label(block.name());
            name.setStyle("-fx-font-weight: bold;");
            Label kind = new Label(block.kind().title());
            kind.getStyleClass().add("text-muted");
            long errors = model.problemsIn(block).stream().filter(ProblemRow::error).count();
            HBox row = new HBox(6, icon, name, kind);
            if (errors > 0) {
                FontIcon bad = new FontIcon(Material2AL.ERROR);
                bad.getStyleClass().add("kw-gutter-error");
                row.getChildren().add(bad);
            }
            row.setAlignment(Pos.CENTER_LEFT);
            setText(null);
            setGraphic(row);
        }
    }
}
