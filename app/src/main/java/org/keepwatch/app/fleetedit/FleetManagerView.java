package org.keepwatch.app.fleetedit;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.dialogs.DialogSupport;
import org.keepwatch.app.fleetedit.FleetTree.Entry;
import org.keepwatch.app.fleetedit.FleetTree.GroupEntry;
import org.keepwatch.app.fleetedit.FleetTree.NodeEntry;
import org.keepwatch.app.fleetedit.FleetTree.Ungrouped;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.edit.FleetEdits;
import org.keepwatch.fleet.edit.FleetValidator;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * "Manage fleet": the groups and their nodes on the left, the selected one's form on the right. Each Save
 * writes the fleet file at once (nothing waits for a second "save all"); Remove asks first.
 */
public final class FleetManagerView {

    /** What the toolbar's import buttons do; the composition root decides. */
    public record Imports(Runnable sshConfig, Runnable ansible) {
    }

    private final FleetEdits edits;
    private final Tasks tasks;
    private final BorderPane root = new BorderPane();
    private final TreeView<Entry> tree = new TreeView<>();
    private final BorderPane editorArea = new BorderPane();
    private final NodeForm nodeForm;
    private final GroupForm groupForm;
    private final NodeEditor nodeEditor;
    private final GroupEditor groupEditor;
    private final Label status = new Label();
    private final Button save = new Button("Save", new FontIcon(Material2MZ.SAVE));
    private final Button revert = new Button("Revert");
    private final BooleanProperty dirty = new SimpleBooleanProperty(this, "dirty");
    private final Label fileLabel = new Label();
    private Mode mode = Mode.NONE;
    private boolean loading;

    private enum Mode { NONE, NODE, GROUP }

    public FleetManagerView(FleetEdits edits, Tasks tasks, FleetValidator validator, Path home, Imports imports) {
        this.edits = edits;
        this.tasks = tasks;
        nodeForm = new NodeForm(edits::current, validator);
        groupForm = new GroupForm(edits::current, validator);
        nodeEditor = new NodeEditor(nodeForm, home);
        groupEditor = new GroupEditor(groupForm, home);
        nodeForm.editsProperty().addListener(x -> markDirty());
        groupForm.editsProperty().addListener(x -> markDirty());

        root.setId("fleet-manager");
        tree.setId("fleet-tree");
        tree.setShowRoot(false);
        tree.setCellFactory(t -> new EntryCell());
        tree.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (!loading && dirty.get() && !confirmDiscard()) {
                // Keep the unsaved form: go back to the row it belongs to.
                loading = true;
                Platform.runLater(() -> {
                    tree.getSelectionModel().select(old);
                    loading = false;
                });
                return;
            }
            selected(item);
        });

        Button addNode = new Button("Node", new FontIcon(Material2AL.ADD));
        addNode.setId("manager-add-node");
        addNode.setOnAction(e -> newNode());
        Button addGroup = new Button("Group", new FontIcon(Material2OutlinedAL.CREATE_NEW_FOLDER));
        addGroup.setId("manager-add-group");
        addGroup.setOnAction(e -> newGroup());
        Button remove = new Button(null, new FontIcon(Material2AL.DELETE_OUTLINE));
        remove.setId("manager-remove");
        remove.setTooltip(new Tooltip("Remove the selected node or group"));
        remove.disableProperty().bind(tree.getSelectionModel().selectedItemProperty().isNull());
        remove.setOnAction(e -> removeSelected());
        Button importSsh = new Button("~/.ssh/config…", new FontIcon(Material2AL.INPUT));
        importSsh.setId("manager-import-ssh");
        importSsh.setOnAction(e -> imports.sshConfig().run());
        Button importAnsible = new Button("Ansible inventory…", new FontIcon(Material2AL.INPUT));
        importAnsible.setId("manager-import-ansible");
        importAnsible.setOnAction(e -> imports.ansible().run());
        ToolBar tools = new ToolBar(addNode, addGroup, remove);
        Label importLabel = new Label("Import nodes from");
        importLabel.getStyleClass().add("text-muted");
        FlowPane importButtons = new FlowPane(6, 6, importSsh, importAnsible);
        VBox importTools = new VBox(6, importLabel, importButtons);
        importTools.setPadding(new Insets(8));
        VBox left = new VBox(tools, tree, importTools);
        VBox.setVgrow(tree, Priority.ALWAYS);
        left.setMinWidth(260);

        save.setId("manager-save");
        save.setDefaultButton(true);
        save.setOnAction(e -> saveCurrent());
        revert.setId("manager-revert");
        revert.setOnAction(e -> selected(tree.getSelectionModel().getSelectedItem()));
        revert.disableProperty().bind(dirty.not());
        status.setId("manager-status");
        status.setWrapText(true);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox buttons = new HBox(8, status, spacer, revert, save);
        buttons.setAlignment(Pos.CENTER_RIGHT);
        buttons.setPadding(new Insets(8, 12, 8, 12));
        editorArea.setBottom(buttons);
        editorArea.setPadding(new Insets(8, 4, 0, 12));

        SplitPane split = new SplitPane(left, editorArea);
        split.setDividerPositions(0.3);
        fileLabel.setId("manager-file");
        fileLabel.getStyleClass().addAll("text-muted", "text-small");
        fileLabel.setPadding(new Insets(4, 12, 4, 12));
        root.setCenter(split);
        root.setBottom(fileLabel);
        refresh(Optional.empty());
        showPlaceholder();
    }

    public Parent root() {
        return root;
    }

    public TreeView<Entry> tree() {
        return tree;
    }

    /** Re-reads the fleet (after a save or an import) and selects {@code select} when given. */
    public void refresh(Optional<String> select) {
        Fleet fleet = edits.current();
        TreeItem<Entry> newRoot = FleetTree.build(fleet);
        loading = true;
        try {
            tree.setRoot(newRoot);
            fileLabel.setText("Fleet file: " + edits.target());
            nodeEditor.refreshGroups();
        } finally {
            loading = false;
        }
        dirty.set(false);
        select.flatMap(name -> find(newRoot, name)).ifPresentOrElse(item -> tree.getSelectionModel().select(item),
                this::showPlaceholder);
    }

    /** Starts a new node, in the selected group if there is one. */
    public void newNode() {
        if (!confirmDiscard()) {
            return;
        }
        String group = selectedEntry().map(e -> e instanceof GroupEntry g ? g.name() : "").orElse("");
        clearSelection();
        loading = true;
        nodeForm.clear(group);
        loading = false;
        show(Mode.NODE);
        dirty.set(false);
    }

    private void newGroup() {
        if (!confirmDiscard()) {
            return;
        }
        clearSelection();
        loading = true;
        groupForm.clear();
        loading = false;
        show(Mode.GROUP);
        dirty.set(false);
    }

    private void selected(TreeItem<Entry> item) {
        if (loading) {
            return;
        }
        Fleet fleet = edits.current();
        loading = true;
        try {
            if (item != null && item.getValue() instanceof NodeEntry n && fleet.node(n.name()).isPresent()) {
                nodeForm.load(fleet.node(n.name()).get());
                show(Mode.NODE);
            } else if (item != null && item.getValue() instanceof GroupEntry g && fleet.group(g.name()).isPresent()) {
                groupForm.load(fleet.group(g.name()).get());
                show(Mode.GROUP);
            } else {
                showPlaceholder();
            }
        } finally {
            loading = false;
        }
        dirty.set(false);
        status.setText("");
    }

    private void show(Mode newMode) {
        mode = newMode;
        Node form = newMode == Mode.NODE ? nodeEditor.root() : groupEditor.root();
        ScrollPane scroll = new ScrollPane(form);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("edge-to-edge");
        Label title = new Label(newMode == Mode.NODE
                ? nodeForm.editingName().map(n -> "Node " + n).orElse("New node")
                : groupForm.editingName().map(g -> "Group " + g).orElse("New group"));
        title.setId("manager-form-title");
        title.getStyleClass().add("title-4");
        VBox box = new VBox(8, title, scroll);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        editorArea.setCenter(box);
        save.disableProperty().unbind();
        save.disableProperty().bind((newMode == Mode.NODE ? nodeForm.validProperty() : groupForm.validProperty()).not());
        save.setText(newMode == Mode.NODE ? (nodeForm.editingName().isPresent() ? "Save node" : "Add node")
                : (groupForm.editingName().isPresent() ? "Save group" : "Add group"));
        save.setVisible(true);
    }

    private void showPlaceholder() {
        mode = Mode.NONE;
        Label hint = DialogSupport.paragraph(edits.current().nodes().isEmpty()
                ? "This fleet has no nodes yet. Add a node, or import them from ~/.ssh/config or an Ansible inventory."
                : "Select a node or a group to edit it.");
        hint.setId("manager-placeholder");
        hint.getStyleClass().add("text-muted");
        editorArea.setCenter(hint);
        save.disableProperty().unbind();
        save.setVisible(false);
    }

    private void saveCurrent() {
        UnaryOperator<Fleet> edit;
        String name;
        if (mode == Mode.NODE) {
            edit = nodeForm.edit();
            name = nodeForm.node().name();
        } else if (mode == Mode.GROUP) {
            edit = groupForm.edit();
            name = groupForm.group().name();
        } else {
            return;
        }
        save.disableProperty().unbind();
        save.setDisable(true);
        SaveFeedback.track(tasks, edits.apply(edit), status, saved -> {
            dirty.set(false);
            refresh(Optional.of(name));
            status.setText("Saved " + name + ".");
        }, () -> save.setDisable(false));
    }

    private void removeSelected() {
        Optional<Entry> entry = selectedEntry();
        if (entry.isEmpty() || entry.get() instanceof Ungrouped) {
            return;
        }
        String question;
        UnaryOperator<Fleet> edit;
        if (entry.get() instanceof NodeEntry n) {
            question = "Remove node " + n.name() + " from the fleet? Keepwatch stops watching it; nothing on the node "
                    + "changes.";
            edit = f -> f.withoutNode(n.name());
        } else {
            GroupEntry g = (GroupEntry) entry.get();
            question = "Remove group " + g.name() + "? " + (g.nodes() == 0 ? "It has no nodes."
                    : "Its " + g.nodes() + (g.nodes() == 1 ? " node stays" : " nodes stay") + " in the fleet, "
                    + "without a group (and without the group's defaults).");
            edit = f -> f.withoutGroup(g.name());
        }
        Alert confirm = new Alert(Alert.AlertType.CONFIRMATION, question, new ButtonType("Remove",
                ButtonBar.ButtonData.OK_DONE), ButtonType.CANCEL);
        DialogSupport.prepare(confirm, root.getScene() == null ? null : root.getScene().getWindow(), "confirm-remove");
        confirm.setHeaderText(null);
        confirm.showAndWait().filter(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).ifPresent(b ->
                SaveFeedback.track(tasks, edits.apply(edit), status, saved -> {
                    dirty.set(false);
                    refresh(Optional.empty());
                    status.setText("Removed.");
                }, () -> { }));
    }

    private void markDirty() {
        if (!loading && mode != Mode.NONE) {
            dirty.set(true);
        }
    }

    /** True when there is nothing unsaved, or the operator chose to drop it. */
    private boolean confirmDiscard() {
        if (!dirty.get()) {
            return true;
        }
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION, "The form has changes that are not saved. Drop them?",
                new ButtonType("Drop changes", ButtonBar.ButtonData.OK_DONE), ButtonType.CANCEL);
        DialogSupport.prepare(ask, root.getScene() == null ? null : root.getScene().getWindow(), "confirm-discard");
        ask.setHeaderText(null);
        return ask.showAndWait().map(b -> b.getButtonData() == ButtonBar.ButtonData.OK_DONE).orElse(false);
    }

    public boolean dirty() {
        return dirty.get();
    }

    private void clearSelection() {
        loading = true;
        tree.getSelectionModel().clearSelection();
        loading = false;
    }

    private Optional<Entry> selectedEntry() {
        return Optional.ofNullable(tree.getSelectionModel().getSelectedItem()).map(TreeItem::getValue);
    }

    private static Optional<TreeItem<Entry>> find(TreeItem<Entry> item, String name) {
        Entry value = item.getValue();
        if ((value instanceof NodeEntry n && n.name().equals(name)) || (value instanceof GroupEntry g && g.name().equals(name))) {
            return Optional.of(item);
        }
        for (TreeItem<Entry> child : item.getChildren()) {
            Optional<TreeItem<Entry>> found = find(child, name);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static final class EntryCell extends TreeCell<Entry> {
        @Override
        protected void updateItem(Entry entry, boolean empty) {
            super.updateItem(entry, empty);
            if (empty || entry == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            setText(entry.label());
            setGraphic(new FontIcon(entry instanceof NodeEntry ? Material2AL.DNS : Material2AL.FOLDER));
        }
    }
}
