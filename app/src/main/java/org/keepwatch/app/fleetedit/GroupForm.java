package org.keepwatch.app.fleetedit;

import javafx.beans.Observable;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;
import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.fleet.Fleet;
import org.keepwatch.fleet.FleetGroup;
import org.keepwatch.fleet.FleetNode;
import org.keepwatch.fleet.edit.FieldProblem;
import org.keepwatch.fleet.edit.FleetValidator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** The view model of a group's form: name, description and the defaults its nodes inherit. */
public final class GroupForm {

    private final Supplier<Fleet> fleet;
    private final FleetValidator validator;
    private final StringProperty name = new SimpleStringProperty(this, "name", "");
    private final StringProperty description = new SimpleStringProperty(this, "description", "");
    private final SettingsFormModel defaults = new SettingsFormModel();
    private final FormStatus status = new FormStatus(this::check);
    private Optional<FleetGroup> editing = Optional.empty();

    public GroupForm(Supplier<Fleet> fleet, FleetValidator validator) {
        this.fleet = fleet;
        this.validator = validator;
        List<Observable> inputs = new ArrayList<>(List.of(name, description));
        inputs.addAll(List.of(defaults.observables()));
        status.watch(inputs);
    }

    public void load(FleetGroup group) {
        editing = Optional.of(group);
        name.set(group.name());
        description.set(group.description());
        defaults.load(group.defaults());
        validate();
    }

    public void clear() {
        editing = Optional.empty();
        name.set("");
        description.set("");
        defaults.load(ConnectionSettings.NONE);
        validate();
    }

    public void validate() {
        status.validate();
    }

    private List<FieldProblem> check() {
        return validator.group(fleet.get(), editing.map(FleetGroup::name), name.get() == null ? "" : name.get(),
                defaults.input());
    }

    public Optional<String> editingName() {
        return editing.map(FleetGroup::name);
    }

    public FleetGroup group() {
        return new FleetGroup(name.get() == null ? "" : name.get().strip(), description.get() == null ? "" : description.get().strip(),
                defaults.input().toSettings(), editing.map(FleetGroup::json).orElse(null));
    }

    /** Adds or replaces the group; a rename moves its nodes along. */
    public UnaryOperator<Fleet> edit() {
        FleetGroup group = group();
        Optional<String> old = editingName();
        return current -> {
            if (old.isEmpty() || old.get().equals(group.name())) {
                return current.withGroup(group);
            }
            List<FleetGroup> groups = current.groups().stream().map(g -> g.name().equals(old.get()) ? group : g).toList();
            List<FleetNode> nodes = current.nodes().stream().map(n -> n.group().equals(old.get())
                    ? new FleetNode(n.name(), group.name(), n.settings(), n.json()) : n).toList();
            return new Fleet(current.name(), groups, nodes, current.json());
        };
    }

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty descriptionProperty() {
        return description;
    }

    public SettingsFormModel defaults() {
        return defaults;
    }

    public ReadOnlyLongProperty editsProperty() {
        return status.edits();
    }

    public ObservableList<FieldProblem> problems() {
        return status.problems();
    }

    public BooleanBinding validProperty() {
        return status.valid();
    }
}
