package org.keepwatch.app.editor;

import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.history.ConfigHistory;
import org.keepwatch.push.BackupService;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Opens editor windows: one per keepalived (or router), brought to the front when asked again; a
 * window with edits not pushed asks before it closes, so nothing is lost by accident.
 */
public final class EditorWindows {

    /** How the windows ask the operator things; the app uses dialogs, tests answer directly. */
    public record Questions(Predicate<String> confirm, Function<String, Optional<String>> name) {
        public static Questions dialogs() {
            return new Questions(EditorWindows::confirmWithDialog, FormView::askWithDialog);
        }
    }

    /** The agent's name for the keepalived of the default configuration: what a window not told of any is about. */
    private static final String DEFAULT_DAEMON = "keepalived";

    private final NodeConfigService nodes;
    private final PushService pushes;
    private final BackupService backups;
    private final Tasks tasks;
    private final Supplier<Window> owner;
    private final Questions questions;
    private final Map<String, Stage> open = new HashMap<>();
    private ConfigHistory history;
    private Navigator navigator;

    private Supplier<FleetState> fleet;

    public EditorWindows(NodeConfigService nodes, PushService pushes, Tasks tasks, Supplier<Window> owner, Questions questions) {
        this(nodes, pushes, null, tasks, owner, questions);
    }

    /** @param backups a node's configuration backups; null: the windows offer none */
    public EditorWindows(NodeConfigService nodes, PushService pushes, BackupService backups, Tasks tasks, Supplier<Window> owner,
                         Questions questions) {
        this.nodes = nodes;
        this.pushes = pushes;
        this.backups = backups;
        this.tasks = tasks;
        this.owner = owner;
        this.questions = questions;
    }

    /**
     * Answers the main window's "Edit config…" (the Routers and Instances menus, the router detail): a router's editor
     * follows the router's live state in {@code fleet}.
     */
    public void answer(Navigator navigator, Supplier<FleetState> fleet) {
        this.fleet = fleet;
        navigator.register(Destination.EditRouter.class, go -> openRouter(RouterEditorViewModel.Spec.of(go.router(),
                () -> fleet.get().router(go.router().key()))));
        navigator.register(Destination.EditNode.class, go -> openNode(go.target()));
        navigator.register(Destination.ChooseDaemon.class, go -> openDaemonChoice(go.node(), go.preferred()));
        if (backups != null) {
            navigator.register(Destination.Backups.class, go -> withDaemons(go.node(), go.daemons(),
                    daemons -> openBackups(go.node(), daemons)));
        }
        this.navigator = navigator;
        if (history != null) {
            navigator.register(Destination.ConfigHistory.class, go -> withDaemons(go.node(), go.daemons(),
                    daemons -> openConfigHistory(go.node(), daemons, go.version())));
        }
    }

    /**
     * The daemons given, else those the node's agent knows (asked off the FX thread: a read-only node's watched state
     * names none); a node whose agent cannot say gets its window with the default daemon's name, which then says why.
     */
    private void withDaemons(String node, List<String> daemons, Consumer<List<String>> open) {
        if (!daemons.isEmpty()) {
            open.accept(daemons);
            return;
        }
        tasks.await(nodes.daemons(node)).onSuccess(found -> open.accept(found.names().isEmpty() ? List.of(DEFAULT_DAEMON)
                : found.names())).onError(error -> open.accept(List.of(DEFAULT_DAEMON))).start();
    }

    /**
     * Offers a node's configuration history (the Nodes view, the editor, a hand edit's event): its window answers
     * {@link Destination.ConfigHistory}; without a history the window says why there is none.
     */
    public void useConfigHistory(ConfigHistory configHistory) {
        boolean first = history == null;
        history = configHistory;
        if (first && navigator != null) {
            navigator.register(Destination.ConfigHistory.class, go -> withDaemons(go.node(), go.daemons(),
                    daemons -> openConfigHistory(go.node(), daemons, go.version())));
        }
    }

    /** A node's configuration history: its kept versions, any two compared, one restored; {@code version} selected. */
    public ConfigHistoryViewModel openConfigHistory(String node, List<String> daemons, Optional<String> version) {
        String key = "history:" + node;
        Optional<ConfigHistoryViewModel> shown = raise(key, ConfigHistoryViewModel.class);
        if (shown.isPresent()) {
            return shown.get();
        }
        ConfigHistoryViewModel model = new ConfigHistoryViewModel(node, daemons, version, history, tasks, this::restored);
        Stage stage = new Stage();
        ConfigHistoryView view = new ConfigHistoryView(model, questions.confirm());
        stage.setUserData(model);
        show(stage, key, model.title(), view.root(), () -> model.stageProperty().get() != ConfigHistoryViewModel.Stage.RESTORING);
        model.load();
        return model;
    }

    /** A node's configuration backups: browse, compare, restore. */
    public BackupsViewModel openBackups(String node, List<String> daemons) {
        String key = "backups:" + node;
        Optional<BackupsViewModel> shown = raise(key, BackupsViewModel.class);
        if (shown.isPresent()) {
            return shown.get();
        }
        BackupsViewModel model = new BackupsViewModel(node, daemons, backups, nodes, pushes, tasks, this::restored);
        model.setReadOnly(readOnly(node));
        Stage stage = new Stage();
        BackupsView view = new BackupsView(model, questions.confirm());
        stage.setUserData(model);
        show(stage, key, model.title(), view.root(), () -> model.stageProperty().get() != BackupsViewModel.Stage.RESTORING);
        model.load();
        return model;
    }

    /** The window already open under {@code key}, brought to the front with its model; empty when there is none. */
    private <T> Optional<T> raise(String key, Class<T> model) {
        Stage existing = open.get(key);
        if (existing == null || !model.isInstance(existing.getUserData())) {
            return Optional.empty();
        }
        existing.toFront();
        existing.requestFocus();
        return Optional.of(model.cast(existing.getUserData()));
    }

    /** Why a node can only be read (its agent is not root), as the fleet's state says; empty when it can be changed. */
    private Optional<String> readOnly(String node) {
        return fleet == null ? Optional.empty() : fleet.get().readOnly(node);
    }

    /** A restore changed a daemon's configuration: its open editor reads it again when it holds no edits. */
    private void restored(EditTarget target) {
        Stage editor = open.get("node:" + target.node() + "/" + target.daemon());
        if (editor != null && editor.getUserData() instanceof ConfigEditorViewModel vm && !vm.changedProperty().get()) {
            vm.load();
        }
    }

    /**
     * Which of a node's keepalived daemons to edit, as its agent knows them: the chosen one's editor opens, and this
     * window closes.
     */
    public DaemonChoiceViewModel openDaemonChoice(String node, Optional<String> preferred) {
        String key = "choose:" + node;
        Optional<DaemonChoiceViewModel> shown = raise(key, DaemonChoiceViewModel.class);
        if (shown.isPresent()) {
            return shown.get();
        }
        DaemonChoiceViewModel model = new DaemonChoiceViewModel(node, preferred, nodes, tasks, this::openNode);
        Stage stage = new Stage();
        DaemonChoiceView view = new DaemonChoiceView(model, stage::close);
        stage.setUserData(model);
        show(stage, key, model.title(), view.root(), () -> true);
        stage.setWidth(900);
        stage.setHeight(520);
        model.load();
        return model;
    }

    /** The editor of one node's keepalived, reading its configuration from the node. */
    public ConfigEditorViewModel openNode(EditTarget target) {
        String key = "node:" + target.node() + "/" + target.daemon();
        Optional<ConfigEditorViewModel> shown = raise(key, ConfigEditorViewModel.class);
        if (shown.isPresent()) {
            return shown.get();
        }
        ConfigEditorViewModel model = new ConfigEditorViewModel(target, nodes, pushes, tasks);
        model.setReadOnly(readOnly(target.node()));
        Stage stage = new Stage();
        ConfigEditorView view = new ConfigEditorView(model, tasks, push -> openPush(stage, push), questions);
        if (backups != null) {
            view.offerBackups(() -> openBackups(target.node(), List.of(target.daemon())));
        }
        if (history != null) {
            view.offerConfigHistory(() -> openConfigHistory(target.node(), List.of(target.daemon()), Optional.empty()));
        }
        stage.setUserData(model);
        show(stage, key, "Edit keepalived on " + target.label(), view.root(), () -> !model.changedProperty().get()
                || questions.confirm().test("Close without pushing? Your edits to " + target.label() + "'s configuration ("
                + model.changeSummary() + ") are not on the node and will be lost."));
        model.load();
        return model;
    }

    /** The router editor: one edit for every member, pushed as a rolling apply. */
    public RouterEditorViewModel openRouter(RouterEditorViewModel.Spec spec) {
        String key = "router:" + spec.key();
        Optional<RouterEditorViewModel> shown = raise(key, RouterEditorViewModel.class);
        if (shown.isPresent()) {
            return shown.get();
        }
        RouterEditorViewModel model = new RouterEditorViewModel(spec, nodes, pushes, tasks);
        Stage stage = new Stage();
        RouterEditorView view = new RouterEditorView(model, member -> openNode(member), questions.confirm());
        stage.setUserData(model);
        show(stage, key, "Edit router " + spec.label(), view.root(), () -> {
            if (model.pushingProperty().get()) {
                return false;   // the rolling apply runs on; closing would hide its outcome
            }
            return !model.changedProperty().get() || questions.confirm().test("Close without pushing? Your edits to "
                    + spec.label() + " are not on its members and will be lost.");
        });
        model.load();
        return model;
    }

    /** The stage of an open editor, by what it edits (tests, screenshots). */
    public Optional<Stage> stage(EditTarget target) {
        return Optional.ofNullable(open.get("node:" + target.node() + "/" + target.daemon()));
    }

    public List<Stage> stages() {
        return List.copyOf(open.values());
    }

    private void openPush(Stage editor, PushViewModel push) {
        Stage dialog = new Stage();
        dialog.initOwner(editor);
        dialog.initModality(Modality.WINDOW_MODAL);
        dialog.setTitle(push.title());
        PushView view = new PushView(push, dialog::close);
        dialog.setScene(scene(view.root()));
        dialog.setOnCloseRequest(e -> {
            if (push.stageProperty().get() == PushViewModel.Stage.PUSHING) {
                e.consume();
            }
        });
        dialog.show();
    }

    private void show(Stage stage, String key, String title, Parent root, BooleanSupplier mayClose) {
        Window parent = owner.get();
        if (parent != null) {
            stage.initOwner(parent);
        }
        stage.setTitle(title);
        stage.setScene(scene(root));
        stage.setOnCloseRequest(e -> {
            if (!mayClose.getAsBoolean()) {
                e.consume();
            }
        });
        stage.setOnHidden(e -> open.remove(key));
        open.put(key, stage);
        stage.show();
    }

    static Scene scene(Parent root) {
        Scene scene = new Scene(root, 1200, 800);
        scene.getStylesheets().addAll(
                Objects.requireNonNull(EditorWindows.class.getResource("/org/keepwatch/app/keepwatch.css"), "keepwatch.css").toExternalForm(),
                Objects.requireNonNull(EditorWindows.class.getResource("editor.css"), "editor.css").toExternalForm());
        return scene;
    }

    private static boolean confirmWithDialog(String question) {
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, question, ButtonType.OK, ButtonType.CANCEL);
        alert.setHeaderText(null);
        return alert.showAndWait().filter(b -> b == ButtonType.OK).isPresent();
    }
}
