package org.keepwatch.app.control;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.agent.AgentException;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.daemons.DaemonAction;
import org.keepwatch.daemons.DaemonControl;
import org.keepwatch.daemons.DaemonPlan;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;

/**
 * One daemon action from the window: its plan (the routers it would leave with no master), then, once the operator
 * said yes to what the plan says, the agent's steps as they come and the outcome it verified. FX thread only; the
 * steps come back through {@link Tasks#onUi}.
 */
public final class DaemonControlViewModel {

    private final DaemonControl control;
    private final Tasks tasks;
    private final String node;
    private final DaemonAction action;
    private final ObservableList<String> steps = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper outcome = new ReadOnlyStringWrapper(this, "outcome", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final ReadOnlyBooleanWrapper failed = new ReadOnlyBooleanWrapper(this, "failed");
    private DaemonPlan plan;

    public DaemonControlViewModel(DaemonControl control, Tasks tasks, String node, DaemonAction action) {
        this.control = control;
        this.tasks = tasks;
        this.node = node;
        this.action = action;
    }

    /** The plan against the fleet as watched now; IllegalArgumentException naming the node's daemons when unclear. */
    public DaemonPlan plan(Optional<String> daemon) {
        plan = control.plan(node, control.daemonOf(node, daemon), action);
        return plan;
    }

    /** Runs the planned action, confirming the routers the plan names (the operator said yes to them). */
    public void run(String reason) {
        if (plan == null) {
            throw new IllegalStateException("plan first");
        }
        running.set(true);
        steps.add(plan.describe());
        tasks.await(control.run(node, plan.daemon(), action, new HashSet<>(plan.routerNames()), reason,
                step -> tasks.onUi(() -> steps.add(step.describe()))))
                .onSuccess(done -> outcome.set(!done.changed()
                        ? "keepalived was already " + (done.running() ? "running" : "stopped") + ": nothing done"
                        : "done: keepalived " + (done.running() ? "running as pid " + done.pid().map(String::valueOf).orElse("?")
                        + done.vrrpPid().map(v -> ", VRRP process " + v).orElse("") : "stopped")
                        + " (" + done.method() + ", " + done.durationMs() + " ms)"))
                .onError(e -> {
                    failed.set(true);
                    Throwable cause = Tasks.cause(e);
                    outcome.set((cause instanceof AgentException agent ? agent.code() + ": " : "") + Tasks.message(e));
                })
                .andFinally(() -> running.set(false))
                .start();
    }

    public String title() {
        return capitalized(action.word()) + " keepalived on " + node;
    }

    public ObservableList<String> steps() {
        return FXCollections.unmodifiableObservableList(steps);
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty failedProperty() {
        return failed.getReadOnlyProperty();
    }

    static String capitalized(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
