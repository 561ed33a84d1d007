package org.keepwatch.app.editor;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.NodeDaemons;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Which of a node's keepalived daemons to open the configuration of, as its agent says it knows them (asked off the FX
 * thread): each with its configuration file, namespace and status in words, and what the agent cannot know said once
 * (an agent that is not root). The daemon the operator had in mind, when known, is chosen first. FX thread only.
 */
public final class DaemonChoiceViewModel {

    private final String node;
    private final Optional<String> preferred;
    private final NodeConfigService configs;
    private final Tasks tasks;
    private final Consumer<EditTarget> open;
    private final ObservableList<NodeDaemons.Choice> choices = FXCollections.observableArrayList();
    private final ObservableList<NodeDaemons.Choice> choicesView = FXCollections.unmodifiableObservableList(choices);
    private final ReadOnlyObjectWrapper<NodeDaemons.Choice> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ReadOnlyStringWrapper unseen = new ReadOnlyStringWrapper(this, "unseen", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");

    /**
     * @param preferred the daemon chosen first when the agent knows it (the one the fleet reported first)
     * @param open      opens the editor of the chosen daemon
     */
    public DaemonChoiceViewModel(String node, Optional<String> preferred, NodeConfigService configs, Tasks tasks,
                                 Consumer<EditTarget> open) {
        this.node = node;
        this.preferred = preferred;
        this.configs = configs;
        this.tasks = tasks;
        this.open = open;
    }

    public String title() {
        return "Which keepalived on " + node + "?";
    }

    public String node() {
        return node;
    }

    /** Asks the node's agent (again) which daemons it knows. */
    public void load() {
        busy.set(true);
        problem.set("");
        status.set("Asking " + node + "'s agent which keepalived daemons it knows…");
        tasks.await(configs.daemons(node)).onSuccess(found -> {
            busy.set(false);
            String before = selected.get() == null ? preferred.orElse("") : selected.get().name();
            choices.setAll(found.daemons());
            unseen.set(found.unseen().orElse(""));
            selected.set(found.choice(before).orElse(choices.isEmpty() ? null : choices.get(0)));
            status.set(choices.isEmpty() ? node + "'s agent knows no keepalived daemon"
                    : choices.size() + " keepalived daemon(s) on " + node + ", as its agent knows them");
        }).onError(error -> {
            busy.set(false);
            status.set("");
            problem.set(Tasks.message(error));
        }).start();
    }

    public void select(NodeDaemons.Choice choice) {
        if (choice != null && choices.contains(choice)) {
            selected.set(choice);
        }
    }

    /** Opens the chosen daemon's configuration; false when none is chosen. */
    public boolean openSelected() {
        NodeDaemons.Choice choice = selected.get();
        if (choice == null) {
            return false;
        }
        open.accept(new EditTarget(node, choice.name(), Optional.empty()));
        return true;
    }

    public ObservableList<NodeDaemons.Choice> choices() {
        return choicesView;
    }

    public ReadOnlyObjectProperty<NodeDaemons.Choice> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    /** What the agent cannot know of the node's daemons, in words; empty for a root agent. */
    public ReadOnlyStringProperty unseenProperty() {
        return unseen.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }
}
