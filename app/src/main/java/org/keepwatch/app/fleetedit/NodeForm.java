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

/** The view model of a node's form: its fields, what is wrong with them now, and the edit it makes. */
public final class NodeForm {

    private final Supplier<Fleet> fleet;
    private final FleetValidator validator;
    private final StringProperty name = new SimpleStringProperty(this, "name", "");
    private final StringProperty group = new SimpleStringProperty(this, "group", "");
    private final SettingsFormModel settings = new SettingsFormModel();
    private final FormStatus status = new FormStatus(this::check);
    private Optional<FleetNode> editing = Optional.empty();

    public NodeForm(Supplier<Fleet> fleet, FleetValidator validator) {
        this.fleet = fleet;
        this.validator = validator;
        List<Observable> inputs = new ArrayList<>(List.of(name, group));
        inputs.addAll(List.of(settings.observables()));
        status.watch(inputs);
    }

    /** Fills the form with an existing node, which the edit then replaces. */
    public void load(FleetNode node) {
        editing = Optional.of(node);
        name.set(node.name());
        group.set(node.group());
        settings.load(node.settings());
        validate();
    }

    /** An empty form for a new node, in {@code initialGroup}. */
    public void clear(String initialGroup) {
        editing = Optional.empty();
        name.set("");
        group.set(initialGroup);
        settings.load(ConnectionSettings.NONE);
        validate();
    }

    public void validate() {
        status.validate();
    }

    private List<FieldProblem> check() {
        return validator.node(fleet.get(), editing.map(FleetNode::name), text(name.get()), text(group.get()),
                settings.input());
    }

    public Optional<String> editingName() {
        return editing.map(FleetNode::name);
    }

    /** The node as the form says it, keeping the fields of the file this version does not know. */
    public FleetNode node() {
        ConnectionSettings connection = settings.input().toSettings();
        return new FleetNode(text(name.get()).strip(), text(group.get()).strip(), connection,
                editing.map(FleetNode::json).orElse(null));
    }

    /** The change to the fleet: the node added, or replaced in place (also when renamed); a new group created. */
    public UnaryOperator<Fleet> edit() {
        FleetNode node = node();
        Optional<String> old = editingName();
        return current -> withNode(current, old, node);
    }

    static Fleet withNode(Fleet current, Optional<String> old, FleetNode node) {
        Fleet result = current;
        if (!node.group().isEmpty() && result.group(node.group()).isEmpty()) {
            result = result.withGroup(FleetGroup.named(node.group(), ""));
        }
        if (old.isPresent() && !old.get().equals(node.name()) && result.node(old.get()).isPresent()) {
            List<FleetNode> nodes = result.nodes().stream().map(n -> n.name().equals(old.get()) ? node : n).toList();
            return new Fleet(result.name(), result.groups(), nodes, result.json());
        }
        return result.withNode(node);
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    /** What the fields fall back to when left empty, for the fields' hints. */
    public ConnectionSettings groupDefaults() {
        return fleet.get().group(group.get() == null ? "" : group.get().strip())
                .map(FleetGroup::defaults).orElse(ConnectionSettings.NONE);
    }

    public List<String> groupNames() {
        return fleet.get().groups().stream().map(FleetGroup::name).toList();
    }

    public StringProperty nameProperty() {
        return name;
    }

    public StringProperty groupProperty() {
        return group;
    }

    public SettingsFormModel settings() {
        return settings;
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
