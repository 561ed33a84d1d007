package org.keepwatch.app.events;

import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToolBar;
import javafx.scene.layout.BorderPane;
import javafx.util.Duration;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.ActionControls;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.Resorter;
import org.keepwatch.app.common.TableSupport;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.TimeCell;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The Events timeline with its filters. */
public final class EventsView {

    static final List<String> HEADERS = List.of("Time", "Kind", "Router", "Node", "What happened");
    private final BorderPane root = new BorderPane();
    private final TableView<EventRow> table = new TableView<>();

    public EventsView(EventsViewModel model, Tasks tasks, Consumer<String> problems, Navigator navigator) {
        table.setId("events-table");
        table.setPlaceholder(new Label("Nothing has happened yet."));
        table.setItems(model.rows());

        TableColumn<EventRow, Instant> at = new TableColumn<>("Time");
        at.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().at()));
        at.setCellFactory(c -> new TimeCell<>());
        at.setPrefWidth(110);
        at.setSortable(false);
        TableColumn<EventRow, EventKind> kind = new TableColumn<>("Kind");
        kind.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().kind()));
        kind.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(EventKind value, boolean empty) {
                super.updateItem(value, empty);
                getStyleClass().removeIf(s -> s.startsWith("kw-event-"));
                setText(empty || value == null ? null : value.toString());
                if (!empty && value != null) {
                    getStyleClass().add("kw-event-" + value.name().toLowerCase());
                }
            }
        });
        kind.setSortable(false);
        kind.setPrefWidth(130);
        TableColumn<EventRow, String> router = new TableColumn<>("Router");
        router.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().router()));
        router.setPrefWidth(180);
        router.setSortable(false);
        TableColumn<EventRow, String> node = new TableColumn<>("Node");
        node.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().node()));
        node.setSortable(false);
        node.setPrefWidth(90);
        TableColumn<EventRow, String> text = new TableColumn<>("What happened");
        text.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().text()));
        text.setPrefWidth(640);
        text.setSortable(false);
        table.getColumns().setAll(List.of(at, kind, router, node, text));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableSupport.install(table, HEADERS, r -> List.of(Formats.clock(r.at()), r.kind().toString(), r.router(), r.node(),
                r.text()), tasks, problems);

        ComboBox<String> routers = new ComboBox<>(model.routers());
        routers.setId("events-router-filter");
        routers.setPrefWidth(220); // a Neutron router's id would widen it and push the history's button out of sight
        routers.valueProperty().bindBidirectional(model.routerProperty());
        ComboBox<String> nodes = new ComboBox<>(model.nodes());
        nodes.setId("events-node-filter");
        nodes.valueProperty().bindBidirectional(model.nodeProperty());
        List<EventKind> kinds = new ArrayList<>();
        kinds.add(null);
        kinds.addAll(List.of(EventKind.values()));
        ComboBox<EventKind> kindFilter = new ComboBox<>(FXCollections.observableArrayList(kinds));
        kindFilter.setId("events-kind-filter");
        kindFilter.setPromptText("(any kind)");
        kindFilter.valueProperty().bindBidirectional(model.kindProperty());
        TextField search = new TextField();
        search.setId("events-text-filter");
        search.setPromptText("Search events");
        search.textProperty().bindBidirectional(model.textProperty());
        // Older events from the history, a page at a time below the live ones (shown only when there is a history).
        Button older = new Button("Older events");
        older.setId("events-load-older");
        older.setOnAction(e -> model.loadOlder());
        older.disableProperty().bind(model.loadingProperty().or(model.exhaustedProperty()));
        Label olderStatus = new Label();
        olderStatus.setId("events-history-status");
        olderStatus.textProperty().bind(model.historyStatusProperty());
        for (Node n : List.of(older, olderStatus)) {
            n.visibleProperty().bind(model.historyAvailableProperty());
            n.managedProperty().bind(model.historyAvailableProperty());
        }
        root.setTop(new ToolBar(new Label("Router"), routers, new Label("Node"), nodes, new Label("Kind"), kindFilter, search,
                older, olderStatus));
        root.setCenter(table);
        // A transition's log: the lines around it on the node where it happened.
        Action logAround = Action.of("events-log-around", "Log around this…", Material2MZ.SUBJECT,
                        () -> Optional.ofNullable(table.getSelectionModel().getSelectedItem()).flatMap(row -> row.instance()
                                .map(i -> new Destination.ShowLog(i.node(), Optional.of(i.daemon()), Optional.of(i.name()),
                                        Optional.of(row.at())))).ifPresent(navigator::go))
                .disabledWhen(Bindings.createBooleanBinding(() -> Optional.ofNullable(
                        table.getSelectionModel().getSelectedItem()).flatMap(EventRow::instance).isEmpty(),
                        table.getSelectionModel().selectedItemProperty()))
                .visibleWhen(navigator.canGo(Destination.ShowLog.class));
        // The fleet as it was when this happened: the Routers and Instances tables as of the event (with a history).
        Action asOf = Action.of("events-as-of", "Show the fleet as of this event", Material2AL.HISTORY,
                        () -> Optional.ofNullable(table.getSelectionModel().getSelectedItem())
                                .ifPresent(row -> navigator.go(new Destination.AsOf(row.at()))))
                .disabledWhen(table.getSelectionModel().selectedItemProperty().isNull())
                .visibleWhen(navigator.canGo(Destination.AsOf.class));
        // A hand edit's (or a push's) configuration history, the version it names selected.
        Action configHistory = Action.of("events-config-history", "Show configuration history", Material2AL.HISTORY_EDU,
                        () -> Optional.ofNullable(table.getSelectionModel().getSelectedItem()).flatMap(EventRow::config)
                                .map(c -> new Destination.ConfigHistory(c.node(), List.of(c.daemon()), c.version()))
                                .ifPresent(navigator::go))
                .disabledWhen(Bindings.createBooleanBinding(() -> Optional.ofNullable(
                        table.getSelectionModel().getSelectedItem()).flatMap(EventRow::config).isEmpty(),
                        table.getSelectionModel().selectedItemProperty()))
                .visibleWhen(navigator.canGo(Destination.ConfigHistory.class));
        table.getContextMenu().getItems().addAll(new SeparatorMenuItem(), ActionControls.menuItem(logAround),
                ActionControls.menuItem(asOf), ActionControls.menuItem(configHistory));
        ((ToolBar) root.getTop()).getItems().add(0, ActionControls.button(logAround));     // first: never in the overflow
        // New events reach the table four times a second, or at once when the timeline comes into view.
        Timeline flusher = new Timeline(new KeyFrame(FLUSH_PERIOD, e -> {
            if (Resorter.onScreen(table)) {
                model.flush();
            }
        }));
        // pushes, actions and hand edits reach only the history: looked for every few seconds while on screen
        Timeline recent = new Timeline(new KeyFrame(RECENT_PERIOD, e -> {
            if (Resorter.onScreen(table)) {
                model.pollRecent();
            }
        }));
        recent.setCycleCount(Animation.INDEFINITE);
        recent.play();
        flusher.setCycleCount(Animation.INDEFINITE);
        flusher.play();
        root.visibleProperty().addListener((obs, was, visible) -> {
            if (visible) {
                model.flush();
            }
        });
    }

    private static final Duration FLUSH_PERIOD = Duration.millis(250);
    private static final Duration RECENT_PERIOD = Duration.seconds(3);

    public Node root() {
        return root;
    }
}
