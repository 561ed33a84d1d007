package org.keepwatch.app.instances;

import javafx.beans.binding.BooleanBinding;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.scene.Node;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.ActionControls;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.PastNote;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.common.Resorter;
import org.keepwatch.app.common.StateCell;
import org.keepwatch.app.common.TableSupport;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.TimeCell;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.VrrpState;
import org.kordamp.ikonli.material2.Material2AL;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** The Instances table; its menu offers the editor of the selected instance's node. */
public final class InstancesView {

    static final List<String> HEADERS = List.of("State", "Node", "Instance", "Router", "Priority", "Effective",
            "Maintenance", "VIPs held", "Last transition", "Adverts sent", "Adverts received", "Shape");
    private final TableView<InstanceRow> table = new TableView<>();

    public InstancesView(InstancesViewModel model, Tasks tasks, Consumer<String> problems, Navigator navigator) {
        table.setId("instances-table");
        SortedList<InstanceRow> sorted = new SortedList<>(model.rows());
        table.setItems(sorted);

        TableColumn<InstanceRow, VrrpState> state = new TableColumn<>("State");
        state.setCellValueFactory(c -> c.getValue().stateProperty());
        state.setCellFactory(c -> new StateCell<>());
        state.setComparator(Comparator.comparingInt(InstancesView::stateOrder));
        state.setPrefWidth(120);
        TableColumn<InstanceRow, String> node = text("Node", r -> r.nodeProperty(), 90);
        TableColumn<InstanceRow, String> instance = text("Instance", r -> r.instanceProperty(), 180);
        TableColumn<InstanceRow, String> router = text("Router", r -> r.routerProperty(), 200);
        TableColumn<InstanceRow, Number> priority = new TableColumn<>("Priority");
        priority.setCellValueFactory(c -> c.getValue().priorityProperty());
        priority.setPrefWidth(80);
        TableColumn<InstanceRow, Number> effective = new TableColumn<>("Effective");
        effective.setCellValueFactory(c -> c.getValue().effectivePriorityProperty());
        effective.setPrefWidth(90);
        TableColumn<InstanceRow, String> maintenance = text("Maintenance", r -> r.maintenanceProperty(), 100);
        maintenance.setId("maintenance-column");
        TableColumn<InstanceRow, String> held = text("VIPs held", r -> r.vipsHeldProperty(), 140);
        TableColumn<InstanceRow, Instant> transition = new TableColumn<>("Last transition");
        transition.setCellValueFactory(c -> c.getValue().lastTransitionProperty());
        transition.setCellFactory(c -> new TimeCell<>());
        transition.setPrefWidth(130);
        TableColumn<InstanceRow, Number> sent = new TableColumn<>("Adverts sent");
        sent.setCellValueFactory(c -> c.getValue().advertsSentProperty());
        sent.setPrefWidth(110);
        TableColumn<InstanceRow, Number> received = new TableColumn<>("Adverts received");
        received.setCellValueFactory(c -> c.getValue().advertsReceivedProperty());
        received.setPrefWidth(140);

        TableColumn<InstanceRow, String> shape = text("Shape", r -> r.shapeProperty(), 260);
        shape.setId("shape-column");

        table.getColumns().setAll(List.of(state, node, instance, router, priority, effective, maintenance, held, transition, sent,
                received, shape));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Resorter<InstanceRow> resorter = new Resorter<>(table, sorted,
                Set.of(state, priority, effective, maintenance, held, transition, sent, received));
        model.setAfterBatch(resorter::markDirty);
        // As of a moment: the instances as they were, sorted as the live rows are, the table marked as the past
        PastNote.follow(table, model.asOfProperty(), sorted, model.pastRows(), "No instances yet.",
                "The history kept no instance at that moment: Keepwatch was not watching this fleet then.", resorter::sortNow);
        BooleanBinding past = model.asOfProperty().isNotNull();
        table.getSortOrder().setAll(List.of(node, instance));
        resorter.sortNow();
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, row) -> model.select(row));
        TableSupport.install(table, HEADERS, InstancesView::cells, tasks, problems);
        Action editConfig = Action.of("menu-edit-node", "Edit config on this node…", Material2AL.EDIT,
                        () -> Optional.ofNullable(model.selectedProperty().get()).ifPresent(row -> navigator.go(
                                new Destination.EditNode(new EditTarget(row.id().node(), row.id().daemon(), Optional.of(row.id().name()))))))
                .disabledWhen(model.selectedProperty().isNull().or(past))
                .visibleWhen(navigator.canGo(Destination.EditNode.class));
        table.getContextMenu().getItems().addAll(new SeparatorMenuItem(), PastNote.menuItem("menu-instances-past", past),
                ActionControls.menuItem(editConfig));
    }

    private static TableColumn<InstanceRow, String> text(String title,
                                                         Function<InstanceRow, ObservableValue<String>> value,
                                                         double width) {
        TableColumn<InstanceRow, String> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> value.apply(c.getValue()));
        column.setPrefWidth(width);
        return column;
    }

    /** MASTER first, then the states that need attention, then the quiet ones. */
    static int stateOrder(VrrpState state) {
        return switch (state) {
            case MASTER -> 0;
            case FAULT, HUNG, DEAD -> 1;
            case UNKNOWN -> 2;
            case STOP, DELETED -> 3;
            case INIT -> 4;
            case BACKUP -> 5;
        };
    }

    public Node root() {
        return table;
    }

    static List<String> cells(InstanceRow row) {
        return List.of(Presentation.of(row.stateProperty().get()).text(), row.nodeProperty().get(), row.instanceProperty().get(),
                row.routerProperty().get(), String.valueOf(row.priorityProperty().get()),
                String.valueOf(row.effectivePriorityProperty().get()), row.maintenanceProperty().get(), row.vipsHeldProperty().get(),
                Formats.clock(row.lastTransitionProperty().get()), String.valueOf(row.advertsSentProperty().get()),
                String.valueOf(row.advertsReceivedProperty().get()), row.shapeProperty().get());
    }
}
