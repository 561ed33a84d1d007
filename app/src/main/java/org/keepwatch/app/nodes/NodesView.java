package org.keepwatch.app.nodes;

import org.keepwatch.app.common.Tooltips;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.collections.ListChangeListener;
import javafx.collections.transformation.SortedList;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.ToolBar;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.geometry.Insets;
import org.kordamp.ikonli.javafx.FontIcon;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.ActionControls;
import org.keepwatch.app.common.Badges;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.common.TableSupport;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.TimeCell;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.maintenance.MaintenancePlan;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/** The Nodes view: a table, Reconnect, and the node's Details and Edit node when the fleet editor is there. */
public final class NodesView {

    static final List<String> HEADERS = List.of("Connection", "Node", "Since", "keepalived", "Daemon", "Kind", "Agent",
            "Last error");
    private final BorderPane root = new BorderPane();
    private final TableView<NodeRow> table = new TableView<>();
    private final ToolBar tools = new ToolBar();

    public NodesView(NodesViewModel model, Tasks tasks, Consumer<String> problems, Navigator navigator) {
        table.setId("nodes-table");
        table.setPlaceholder(new Label("No nodes in this fleet."));
        SortedList<NodeRow> sorted = new SortedList<>(model.rows());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);

        TableColumn<NodeRow, NodeRow.Access> connection = new TableColumn<>("Connection");
        connection.setCellValueFactory(c -> c.getValue().accessProperty());
        connection.setCellFactory(c -> new TableCell<>() {
            private final Label badge = new Label();
            private final Label readOnly = readOnlyBadge();
            private final HBox both = new HBox(4);

            @Override
            protected void updateItem(NodeRow.Access access, boolean empty) {
                super.updateItem(access, empty);
                if (empty || access == null) {
                    setGraphic(null);
                    setTooltip(null);
                    return;
                }
                Badges.dress(badge, Presentation.of(access.connection()));
                // a login without sudo: watched, nothing can be changed through it; said next to its connection
                if (access.isReadOnly()) {
                    both.getChildren().setAll(badge, readOnly);
                    setGraphic(both);
                    setTooltip(Tooltips.wrapping(access.readOnly()));
                } else {
                    setGraphic(badge);
                    setTooltip(null);
                }
            }
        });
        connection.setPrefWidth(220);
        connection.setMinWidth(220);   // the connection's badge and the read-only one, unclipped
        TableColumn<NodeRow, String> node = new TableColumn<>("Node");
        node.setCellValueFactory(c -> c.getValue().nodeProperty());
        node.setPrefWidth(110);
        node.setMinWidth(110);
        TableColumn<NodeRow, Instant> since = new TableColumn<>("Since");
        since.setCellValueFactory(c -> c.getValue().sinceProperty());
        since.setCellFactory(c -> new TimeCell<>());
        since.setPrefWidth(120);
        TableColumn<NodeRow, String> keepalived = new TableColumn<>("keepalived");
        keepalived.setCellValueFactory(c -> c.getValue().keepalivedProperty());
        keepalived.setPrefWidth(100);
        TableColumn<NodeRow, String> daemon = new TableColumn<>("Daemon");
        daemon.setId("daemon-column");
        daemon.setCellValueFactory(c -> c.getValue().daemonsProperty());
        daemon.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                NodeRow row = empty ? null : getTableRow().getItem();
                String detail = row == null ? "" : row.daemonsDetailProperty().get();
                setTooltip(detail.isEmpty() ? null : Tooltips.wrapping(detail));
                // A hung, stopped or dead keepalived needs attention even while the node is online.
                getStyleClass().remove("kw-daemon-down");
                if (row != null && !row.daemonsRunningProperty().get()) {
                    getStyleClass().add("kw-daemon-down");
                }
            }
        });
        daemon.setPrefWidth(150);
        // what kind of keepalived: in a container, Neutron's, a version other than the hello's (lint checks that one)
        TableColumn<NodeRow, String> kind = new TableColumn<>("Kind");
        kind.setId("kind-column");
        kind.setCellValueFactory(c -> c.getValue().kindProperty());
        kind.setPrefWidth(200);
        TableColumn<NodeRow, String> agent = new TableColumn<>("Agent");
        agent.setCellValueFactory(c -> c.getValue().agentProperty());
        agent.setPrefWidth(110);
        TableColumn<NodeRow, String> error = new TableColumn<>("Last error");
        error.setCellValueFactory(c -> c.getValue().lastErrorProperty());
        error.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                setTooltip(empty || text == null || text.isEmpty() ? null : Tooltips.wrapping(text));
            }
        });
        error.setPrefWidth(520);
        table.getColumns().setAll(List.of(connection, node, since, keepalived, daemon, kind, agent, error));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getSortOrder().add(node);
        TableSupport.install(table, HEADERS, r -> List.of(Presentation.of(r.connectionProperty().get()).text()
                        + (r.isReadOnly() ? ", read-only" : ""),
                r.nodeProperty().get(), Formats.clock(r.sinceProperty().get()), r.keepalivedProperty().get(),
                r.daemonsProperty().get(), r.kindProperty().get(), r.agentProperty().get(), r.lastErrorProperty().get()),
                tasks, problems);

        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<NodeRow>) c -> selectionChanged(model));
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, row) -> selectionChanged(model));

        // A node whose agent is not root (its login has no sudo) can be watched and read, not changed: every action that
        // would change it is disabled up front, and says why, rather than failing when tried.
        StringBinding refused = Bindings.createStringBinding(() -> refusal(model.selectedReadOnlyProperty().get()),
                model.selectedReadOnlyProperty());
        Action reconnect = Action.of("reconnect-button", "Reconnect", Material2MZ.REFRESH, model::reconnectSelected)
                .disabledWhen(model.selectedProperty().isNull());
        Action details = Action.of("node-details-button", "Details…", Material2OutlinedAL.INFO,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.NodeDetails(row.name()))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.NodeDetails.class));
        Action edit = Action.of("node-edit-button", "Edit node…", Material2AL.EDIT,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.EditFleetNode(row.name()))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.EditFleetNode.class));
        Action backups = Action.of("node-backups-button", "Backups…", Material2AL.HISTORY,
                        // a node whose watched state names no daemon (read-only, not reported yet): its agent says
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.Backups(row.name(),
                                row.daemonNames()))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.Backups.class));
        Action configHistory = Action.of("node-config-history-button", "Configuration history…", Material2AL.HISTORY_EDU,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.ConfigHistory(row.name(),
                                row.daemonNames(), Optional.empty()))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.ConfigHistory.class));
        // A node's configuration: edited where it can be, opened to be read (with its banner) where it is read-only;
        // the only way to a read-only node's configuration, since its instances are not watched. Which daemon is the
        // operator's choice, from what the agent knows, unless the watched state names exactly one.
        Action config = Action.of("node-config-button", "Configuration…", Material2OutlinedAL.DESCRIPTION,
                        () -> selected(model).ifPresent(row -> navigator.go(configOf(row))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.EditNode.class));
        Action drain = Action.of("node-drain-button", "Drain node…", Material2AL.LOW_PRIORITY,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.PlanFailover(
                                MaintenancePlan.Kind.DRAIN, Optional.of(row.name()), Optional.empty()))))
                .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused)
                .visibleWhen(navigator.canGo(Destination.PlanFailover.class));
        Action undrain = Action.of("node-undrain-button", "Undrain node…", Material2MZ.SETTINGS_BACKUP_RESTORE,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.PlanFailover(
                                MaintenancePlan.Kind.UNDRAIN, Optional.of(row.name()), Optional.empty()))))
                .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused)
                .visibleWhen(navigator.canGo(Destination.PlanFailover.class));
        Action setUp = Action.of("node-maintenance-setup-button", "Set up maintenance weight…", Material2MZ.TUNE,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.SetUpMaintenance(row.name()))))
                .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused)
                .visibleWhen(navigator.canGo(Destination.SetUpMaintenance.class));
        // One menu for planned failover, as for keepalived's actions: a toolbar of every action would overflow.
        Action maintenanceMenu = Action.menu("node-maintenance-menu", "Maintenance", Material2AL.LOW_PRIORITY,
                        "Drain the selected node's masters away, give them back, or set up its maintenance weight",
                        List.of(drain, undrain, setUp))
                .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused)
                .visibleWhen(navigator.canGo(Destination.PlanFailover.class));
        List<Action> daemonActions = new ArrayList<>();
        for (DaemonAction action : DaemonAction.values()) {
            String word = action.word();
            daemonActions.add(Action.of("node-daemon-" + word, word.substring(0, 1).toUpperCase(Locale.ROOT)
                            + word.substring(1) + "…", null,
                    () -> selected(model).ifPresent(row -> navigator.go(new Destination.ControlDaemon(row.name(), action))))
                    .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused));
        }
        Action daemonMenu = Action.menu("node-daemon-menu", "keepalived", Material2MZ.SETTINGS_POWER,
                        "Start, stop, restart or reload the selected node's keepalived", daemonActions)
                .disabledWhen(model.selectedProperty().isNull()).refusedWhile(refused)
                .visibleWhen(navigator.canGo(Destination.ControlDaemon.class));
        Action log = Action.of("node-log-button", "Log…", Material2MZ.SUBJECT,
                        () -> selected(model).ifPresent(row -> navigator.go(new Destination.ShowLog(row.name(),
                                Optional.empty(), Optional.empty(), Optional.empty()))))
                .disabledWhen(model.selectedProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.ShowLog.class));
        tools.getItems().addAll(List.of(reconnect, details, edit, config, backups, configHistory, maintenanceMenu, daemonMenu, log).stream()
                .map(ActionControls::button).toList());
        table.getContextMenu().getItems().addAll(new SeparatorMenuItem(), ActionControls.menuItem(backups),
                ActionControls.menuItem(configHistory));
        // A disabled button shows no tooltip: the reason is said beside the buttons too, while such a node is selected.
        Label readOnly = readOnlyBadge();
        readOnly.setId("node-read-only");
        readOnly.textProperty().bind(Bindings.when(refused.isEmpty()).then("").otherwise(refused));
        readOnly.visibleProperty().bind(refused.isNotEmpty());
        readOnly.managedProperty().bind(readOnly.visibleProperty());
        readOnly.setWrapText(true);
        readOnly.setMaxWidth(Double.MAX_VALUE);
        VBox.setMargin(readOnly, new Insets(4, 8, 4, 8));
        table.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2) {
                details.fire();
            }
        });
        root.setTop(new VBox(tools, readOnly));
        root.setCenter(table);
    }

    /** What a disabled action says on a read-only node: the library's reason, and what it would take. */
    static String refusal(String readOnly) {
        return readOnly.isEmpty() ? "" : readOnly + " — changes need root (a login with sudo)";
    }

    private static Label readOnlyBadge() {
        Label label = new Label("read-only", new FontIcon(Material2AL.LOCK));
        label.getStyleClass().addAll("kw-badge", "kw-read-only");
        return label;
    }

    private void selectionChanged(NodesViewModel model) {
        model.select(table.getSelectionModel().getSelectedItems(), table.getSelectionModel().getSelectedItem());
    }

    /** The editor of the node's only daemon, or the choice of one from what its agent knows. */
    private static Destination configOf(NodeRow row) {
        return row.onlyDaemon().<Destination>map(d -> new Destination.EditNode(new EditTarget(row.name(), d, Optional.empty())))
                .orElseGet(() -> new Destination.ChooseDaemon(row.name(), row.daemonNames().stream().findFirst()));
    }

    private static Optional<NodeRow> selected(NodesViewModel model) {
        return Optional.ofNullable(model.selectedProperty().get());
    }

    public Node root() {
        return root;
    }
}
