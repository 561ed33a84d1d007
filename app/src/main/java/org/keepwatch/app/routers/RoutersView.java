package org.keepwatch.app.routers;

import javafx.beans.binding.BooleanBinding;
import javafx.collections.transformation.SortedList;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.ActionControls;
import org.keepwatch.app.common.Badges;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.PastNote;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.common.Resorter;
import org.keepwatch.app.common.TableSupport;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.maintenance.MaintenancePlan;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.Verdict;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The Routers table; its menu offers the editor of the selected router. */
public final class RoutersView {

    static final List<String> HEADERS = List.of("Verdict", "Router", "Group", "VIPs", "Master", "Members", "Last change");
    private final TableView<RouterRow> table = new TableView<>();

    public RoutersView(RoutersViewModel model, Tasks tasks, Consumer<String> problems, Navigator navigator) {
        table.setId("routers-table");
        SortedList<RouterRow> sorted = new SortedList<>(model.rows());
        table.setItems(sorted);

        TableColumn<RouterRow, Verdict> verdict = new TableColumn<>("Verdict");
        verdict.setCellValueFactory(c -> c.getValue().verdictProperty());
        verdict.setCellFactory(c -> new VerdictCell());
        verdict.setComparator(Comparator.naturalOrder());
        verdict.setPrefWidth(130);

        TableColumn<RouterRow, String> name = new TableColumn<>("Router");
        name.setCellValueFactory(c -> c.getValue().nameProperty());
        name.setPrefWidth(170);

        TableColumn<RouterRow, String> group = new TableColumn<>("Group");
        group.setCellValueFactory(c -> c.getValue().groupProperty());
        group.setPrefWidth(100);

        TableColumn<RouterRow, String> vips = new TableColumn<>("VIPs");
        vips.setCellValueFactory(c -> c.getValue().vipsProperty());
        vips.setPrefWidth(110);

        TableColumn<RouterRow, String> master = new TableColumn<>("Master");
        master.setCellValueFactory(c -> c.getValue().masterProperty());
        master.setPrefWidth(70);

        TableColumn<RouterRow, List<RouterMember>> members = new TableColumn<>("Members");
        members.setCellValueFactory(c -> c.getValue().membersProperty());
        members.setCellFactory(c -> new MembersCell());
        members.setSortable(false);
        members.setPrefWidth(540);  // three members' badges side by side, unclipped

        TableColumn<RouterRow, Instant> changed = new TableColumn<>("Last change");
        changed.setId("routers-last-change");
        changed.setCellValueFactory(c -> c.getValue().lastChangeProperty());
        changed.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Instant at, boolean empty) {
                super.updateItem(at, empty);
                // a transition from an earlier day carries its date
                setText(empty ? null : at == null ? "—" : at.isBefore(Instant.now().minus(Duration.ofHours(20)))
                        ? Formats.dateTime(at) : Formats.clock(at));
            }
        });
        changed.setPrefWidth(110);

        table.getColumns().setAll(List.of(verdict, name, group, vips, master, members, changed));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Resorter<RouterRow> resorter = new Resorter<>(table, sorted, Set.of(verdict, master, changed, vips));
        // As of a moment: the routers as they were, sorted as the live rows are, the table marked as the past
        PastNote.follow(table, model.asOfProperty(), sorted, model.pastRows(),
                "No routers yet: nodes are connecting, none runs keepalived, or their logins are read-only (no sudo: see Nodes).",
                "The history kept no router at that moment: Keepwatch was not watching this fleet then.", resorter::sortNow);
        BooleanBinding past = model.asOfProperty().isNotNull();
        model.setAfterBatch(resorter::markDirty);
        table.getSortOrder().setAll(List.of(verdict, name));
        resorter.sortNow();
        table.getSelectionModel().selectedItemProperty().addListener((obs, old, row) -> model.select(row));
        TableSupport.install(table, HEADERS, RoutersView::cells, tasks, problems);
        Action editConfig = Action.of("menu-edit-router", "Edit config of all members…", Material2AL.EDIT,
                        () -> Optional.ofNullable(model.selectedProperty().get())
                                .ifPresent(row -> navigator.go(new Destination.EditRouter(row.view()))))
                .disabledWhen(model.selectedProperty().isNull().or(past))
                .visibleWhen(navigator.canGo(Destination.EditRouter.class));
        Action moveAway = Action.of("menu-move-master-away", "Move master away…", Material2MZ.SWAP_HORIZ,
                        () -> Optional.ofNullable(model.selectedProperty().get()).ifPresent(row -> navigator.go(
                                new Destination.PlanFailover(MaintenancePlan.Kind.MOVE_AWAY, Optional.empty(),
                                        Optional.of(row.view().key())))))
                .disabledWhen(model.selectedProperty().isNull().or(past))
                .visibleWhen(navigator.canGo(Destination.PlanFailover.class));
        Action why = Action.of("menu-why-router", "Why? Diagnose this router…", Material2AL.HELP_OUTLINE,
                        () -> Optional.ofNullable(model.selectedProperty().get())
                                .ifPresent(row -> navigator.go(new Destination.Diagnose(row.view()))))
                .disabledWhen(model.selectedProperty().isNull().or(past))
                .visibleWhen(navigator.canGo(Destination.Diagnose.class));
        table.getContextMenu().getItems().addAll(new SeparatorMenuItem(), PastNote.menuItem("menu-routers-past", past),
                ActionControls.menuItem(editConfig), ActionControls.menuItem(moveAway), ActionControls.menuItem(why));
    }

    /** Selects a router's row and scrolls to it (the operator was sent here from elsewhere). */
    public void reveal(RouterRow row) {
        table.getSelectionModel().clearSelection();
        table.getSelectionModel().select(row);
        table.scrollTo(row);
    }

    public Node root() {
        return table;
    }

    static List<String> cells(RouterRow row) {
        return List.of(Presentation.of(row.verdictProperty().get()).text(), row.nameProperty().get(), row.groupProperty().get(),
                row.vipsProperty().get(), row.masterProperty().get(),
                row.membersProperty().get().stream().map(m -> m.node() + " " + m.state() + " " + m.lastKnown().effectivePriority())
                        .collect(Collectors.joining("; ")),
                Formats.clock(row.lastChangeProperty().get()));
    }

    /** The verdict as a badge, with the reasons as its tooltip. */
    private static final class VerdictCell extends TableCell<RouterRow, Verdict> {
        private final Label badge = new Label();

        @Override
        protected void updateItem(Verdict verdict, boolean empty) {
            super.updateItem(verdict, empty);
            if (empty || verdict == null) {
                setGraphic(null);
                setTooltip(null);
                return;
            }
            Badges.dress(badge, Presentation.of(verdict));
            setGraphic(badge);
            RouterRow row = getTableRow() == null ? null : getTableRow().getItem();
            String reasons = row == null ? "" : row.reasonsProperty().get();
            setTooltip(reasons.isEmpty() ? null : Tooltips.wrapping(reasons));
        }
    }
}
