package org.keepwatch.app.fleetedit;

import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.IntegerBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.inventory.ImportCandidate;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The import dialog's view model: the candidates with a tick each (nodes already in the fleet start unticked),
 * where they go (one group, or the groups their source gave them) and the edit that adds them.
 */
public final class ImportModel {

    /** Where imported nodes go. */
    public enum GroupMode { ONE_GROUP, SOURCE_GROUPS }

    /** One candidate as a table row. */
    public static final class Row {
        private final ImportCandidate candidate;
        private final boolean inFleet;
        private final BooleanProperty selected = new SimpleBooleanProperty(this, "selected");

        Row(ImportCandidate candidate, boolean inFleet) {
            this.candidate = candidate;
            this.inFleet = inFleet;
            selected.set(!inFleet && !candidate.refused());
        }

        public ImportCandidate candidate() {
            return candidate;
        }

        /** A node of this name is already in the fleet: importing replaces its connection settings. */
        public boolean inFleet() {
            return inFleet;
        }

        public BooleanProperty selectedProperty() {
            return selected;
        }
    }

    private final ObservableList<Row> rows = FXCollections.observableArrayList(r -> new Observable[]{r.selectedProperty()});
    private final ObjectProperty<GroupMode> groupMode = new SimpleObjectProperty<>(this, "groupMode", GroupMode.ONE_GROUP);
    private final StringProperty group = new SimpleStringProperty(this, "group", "");
    private final StringProperty message = new SimpleStringProperty(this, "message", "");
    private final BooleanProperty sourceHasGroups = new SimpleBooleanProperty(this, "sourceHasGroups");
    private final IntegerBinding selectedCount = Bindings.createIntegerBinding(
            () -> (int) rows.stream().filter(r -> r.selectedProperty().get()).count(), rows);

    public void setCandidates(List<ImportCandidate> candidates, Fleet fleet) {
        rows.setAll(candidates.stream().map(c -> new Row(c, fleet.node(c.name()).isPresent())).toList());
        sourceHasGroups.set(candidates.stream().anyMatch(c -> !c.groups().isEmpty()));
        long already = rows.stream().filter(Row::inFleet).count();
        long refused = candidates.stream().filter(ImportCandidate::refused).count();
        message.set(candidates.isEmpty() ? "Nothing to import: no concrete hosts found."
                : candidates.size() + " found" + (already == 0 ? "." : "; " + already + " already in the fleet "
                + "(unticked: ticking one replaces its connection settings).")
                + (refused == 0 ? "" : " " + refused + " refused as the config stands (unticked; Notes say why)."));
    }

    public void selectAll(boolean value) {
        rows.forEach(r -> r.selectedProperty().set(value));
    }

    /** The change to the fleet: every ticked candidate added (or replaced), with any group it needs. */
    public UnaryOperator<Fleet> edit() {
        List<Row> chosen = rows.stream().filter(r -> r.selectedProperty().get()).toList();
        GroupMode mode = groupMode.get();
        String into = group.get() == null ? "" : group.get().strip();
        return current -> {
            Fleet result = current;
            for (Row row : chosen) {
                ImportCandidate c = row.candidate();
                String target = mode == GroupMode.SOURCE_GROUPS && !c.groups().isEmpty() ? c.groups().get(0) : into;
                if (!target.isEmpty() && result.group(target).isEmpty()) {
                    result = result.withGroup(FleetGroup.named(target, ""));
                }
                result = result.withNode(FleetNode.of(c.name(), target, c.settings()));
            }
            return result;
        };
    }

    public ObservableList<Row> rows() {
        return rows;
    }

    public ObjectProperty<GroupMode> groupModeProperty() {
        return groupMode;
    }

    public StringProperty groupProperty() {
        return group;
    }

    /** The source could not be read: says why instead of the rows. */
    public void cannotRead(String why) {
        message.set(why);
    }

    public ReadOnlyStringProperty messageProperty() {
        return message;
    }

    public ReadOnlyBooleanProperty sourceHasGroupsProperty() {
        return sourceHasGroups;
    }

    public IntegerBinding selectedCountProperty() {
        return selectedCount;
    }
}
