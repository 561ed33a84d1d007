package org.keepwatch.app.maintenance;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.agent.ApplyStep;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.maintenance.MaintenancePlan;
import org.keepwatch.maintenance.MaintenanceService;
import org.keepwatch.push.PushOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A planned failover (or the maintenance weight's set-up) in the window: the plan in words before anything happens,
 * the refusal when there is one, the explicit yes a router left without a healthy backup needs, then each step as it
 * happens and how it ended. Outputs are read-only; the operator's inputs go through setters.
 */
public final class MaintenanceViewModel {

    /** Where the dialog stands. */
    public enum Phase { PLANNED, REFUSED, RUNNING, DONE, NOT_DONE, FAILED }

    private final MaintenanceService service;
    private final Tasks tasks;
    private final Destination request;
    private final StringProperty title = new SimpleStringProperty(this, "title", "");
    private final ObservableList<String> plan = FXCollections.observableArrayList();
    private final ObservableList<String> planView = FXCollections.unmodifiableObservableList(plan);
    private final ObservableList<String> refusals = FXCollections.observableArrayList();
    private final ObservableList<String> refusalsView = FXCollections.unmodifiableObservableList(refusals);
    private final ObservableList<String> confirmations = FXCollections.observableArrayList();
    private final ObservableList<String> confirmationsView = FXCollections.unmodifiableObservableList(confirmations);
    private final StringProperty fallback = new SimpleStringProperty(this, "fallback", "");
    private final ObservableList<String> progress = FXCollections.observableArrayList();
    private final ObservableList<String> progressView = FXCollections.unmodifiableObservableList(progress);
    private final ObjectProperty<Phase> phase = new SimpleObjectProperty<>(this, "phase", Phase.PLANNED);
    private final StringProperty outcome = new SimpleStringProperty(this, "outcome", "");
    private final BooleanProperty acknowledged = new SimpleBooleanProperty(this, "acknowledged", false);
    private final BooleanProperty fallbackOffered = new SimpleBooleanProperty(this, "fallbackOffered", false);
    private boolean byStopping;
    private final BooleanBinding canCarryOut;
    private String reason = "";
    private Optional<MaintenancePlan> current = Optional.empty();

    public MaintenanceViewModel(MaintenanceService service, Tasks tasks, Destination request) {
        this.service = service;
        this.tasks = tasks;
        this.request = request;
        canCarryOut = Bindings.createBooleanBinding(() -> phase.get() == Phase.PLANNED
                && (confirmations.isEmpty() || acknowledged.get()), phase, acknowledged, confirmations);
        replan();
    }

    /** The plan again, from the fleet as watched now. */
    public void replan() {
        progress.clear();
        outcome.set("");
        acknowledged.set(false);
        if (request instanceof Destination.SetUpMaintenance setUp) {
            planSetUp(setUp.node());
            return;
        }
        Destination.PlanFailover failover = (Destination.PlanFailover) request;
        MaintenanceWeight.Method method = byStopping ? MaintenanceWeight.Method.STOP : MaintenanceWeight.Method.WEIGHT;
        MaintenancePlan made = switch (failover.kind()) {
            case DRAIN -> service.planDrain(failover.node().orElseThrow(), method);
            case UNDRAIN -> service.planUndrain(failover.node().orElseThrow());
            case FAILOVER -> service.planFailover(failover.router().orElseThrow(), failover.node().orElseThrow(), method);
            case MOVE_AWAY -> service.planMoveAway(failover.router().orElseThrow(), method);
        };
        current = Optional.of(made);
        // the fallback is offered where the weight cannot be used, and stays offered once chosen (to go back)
        fallbackOffered.set(failover.kind() != MaintenancePlan.Kind.UNDRAIN && (byStopping || made.fallback().isPresent()));
        title.set(capitalized(made.kind().words()) + " " + made.subject());
        List<String> lines = new ArrayList<>();
        made.changes().forEach(c -> lines.add(c.describe() + (c.method() == MaintenanceWeight.Method.STOP ? ""
                : " (maintenance weight " + (c.drained() ? "253" : "0") + ")")));
        made.routers().forEach(r -> lines.add(r.words()));
        plan.setAll(lines);
        refusals.setAll(made.refusals());
        confirmations.setAll(made.confirmations());
        fallback.set(byStopping ? "" : made.fallback().orElse(""));
        phase.set(made.refused() ? Phase.REFUSED : Phase.PLANNED);
    }

    private void planSetUp(String node) {
        current = Optional.empty();
        title.set("Set up the maintenance weight on " + node);
        Optional<String> readOnly = service.readOnly(node);
        if (readOnly.isPresent()) {
            plan.clear();
            refusals.setAll(readOnly.get());
            confirmations.clear();
            fallback.set("");
            phase.set(Phase.REFUSED);
            return;
        }
        List<String> lines = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        boolean work = false;
        for (Map.Entry<String, Optional<MaintenanceWeight>> daemon : service.weights(node).entrySet()) {
            String who = daemon.getKey().equals("keepalived") ? "keepalived" : "keepalived " + daemon.getKey();
            if (daemon.getValue().isEmpty()) {
                refused.add(who + ": its agent says nothing of a maintenance weight");
                continue;
            }
            MaintenanceWeight weight = daemon.getValue().get();
            if (weight.refusal().isPresent()) {
                refused.add(who + ": " + weight.refusal().get());
            } else if (weight.wiredFully()) {
                lines.add(who + ": set up already (" + String.join(", ", weight.wired()) + " track " + weight.trackFile().orElse("?") + ")");
            } else {
                work = true;
                lines.add(who + ": adds a track_file block on " + weight.trackFile().orElse("its track file")
                        + " with weight -1 (checked with keepalived -t, backed up, reloaded, health-watched)");
                new TreeMap<>(weight.unwired()).forEach((instance, why) -> lines.add("    " + instance
                        + (why.startsWith("does not track") ? ": will track it" : ": left alone, " + why)));
            }
        }
        plan.setAll(lines);
        refusals.setAll(work ? List.of() : refused.isEmpty() ? List.of(node + ": nothing to set up") : refused);
        confirmations.clear();
        fallback.set("");
        phase.set(work ? Phase.PLANNED : Phase.REFUSED);
    }

    /** Carries the plan out; each step arrives in {@link #progress()}, the end in {@link #phaseProperty()}. */
    public void carryOut() {
        if (!canCarryOut.get()) {
            return;
        }
        phase.set(Phase.RUNNING);
        progress.clear();
        if (request instanceof Destination.SetUpMaintenance setUp) {
            String daemon = service.weights(setUp.node()).entrySet().stream()
                    .filter(e -> e.getValue().map(w -> w.refusal().isEmpty() && !w.wiredFully()).orElse(false))
                    .map(Map.Entry::getKey).findFirst().orElse("keepalived");
            tasks.await(service.setUp(setUp.node(), daemon, reasonOr("maintenance weight set up"),
                            step -> tasks.onUi(() -> progress.add(describe(step)))))
                    .onSuccess(result -> {
                        boolean applied = result.map(r -> r instanceof PushOutcome.Applied).orElse(true);
                        outcome.set(result.map(MaintenanceViewModel::describe).orElse("set up already"));
                        phase.set(applied ? Phase.DONE : Phase.FAILED);
                    })
                    .onError(this::fail)
                    .start();
            return;
        }
        MaintenancePlan plan = current.orElseThrow();
        tasks.await(service.execute(plan, reasonOr("keepwatch " + plan.kind().words() + " " + plan.subject()),
                        MaintenanceService.SETTLE_TIMEOUT, line -> tasks.onUi(() -> progress.add(line))))
                .onSuccess(result -> {
                    outcome.set(result.done() ? "Done: every router where the plan said."
                            : "Not seen done: " + String.join("; ", result.notMoved()));
                    phase.set(result.done() ? Phase.DONE : Phase.NOT_DONE);
                })
                .onError(this::fail)
                .start();
    }

    private void fail(Throwable error) {
        outcome.set("Failed: " + Tasks.message(error));
        phase.set(Phase.FAILED);
    }

    private String reasonOr(String fallbackReason) {
        return reason.isBlank() ? fallbackReason : reason.strip();
    }

    private static String describe(ApplyStep step) {
        String detail = step.detail() == null || step.detail().isBlank() ? "" : " (" + step.detail() + ")";
        return step.step() + ": " + step.status().name().toLowerCase(Locale.ROOT) + detail;
    }

    private static String describe(PushOutcome outcome) {
        if (outcome instanceof PushOutcome.Applied a) {
            return "Set up: the configuration was pushed (backup " + String.join(", ", a.backups()) + ").";
        }
        if (outcome instanceof PushOutcome.Refused r) {
            return "Refused by keepalived -t: " + r.check().diagnostics();
        }
        if (outcome instanceof PushOutcome.Conflict) {
            return "The configuration changed on the node meanwhile: nothing was written; plan again.";
        }
        if (outcome instanceof PushOutcome.RolledBack b) {
            return "Rolled back: " + b.reason();
        }
        return "Failed: " + ((PushOutcome.Failed) outcome).message();
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    public void setReason(String text) {
        reason = text == null ? "" : text;
    }

    /**
     * The fallback without the weight's wiring: drain by stopping keepalived on the nodes in the way (undrain starts
     * it again). The plan is made again at once.
     */
    public void setByStopping(boolean yes) {
        if (byStopping != yes && phase.get() != Phase.RUNNING) {
            byStopping = yes;
            replan();
        }
    }

    /** Whether the dialog offers to drain by stopping keepalived (the weight cannot be used, or that was chosen). */
    public ReadOnlyBooleanProperty fallbackOfferedProperty() {
        return fallbackOffered;
    }

    /** The operator's explicit yes to leaving a router without a healthy backup. */
    public void setAcknowledged(boolean yes) {
        acknowledged.set(yes);
    }

    public ReadOnlyStringProperty titleProperty() {
        return title;
    }

    public ObservableList<String> plan() {
        return planView;
    }

    public ObservableList<String> refusals() {
        return refusalsView;
    }

    public ObservableList<String> confirmations() {
        return confirmationsView;
    }

    public ReadOnlyStringProperty fallbackProperty() {
        return fallback;
    }

    public ObservableList<String> progress() {
        return progressView;
    }

    public ReadOnlyObjectProperty<Phase> phaseProperty() {
        return phase;
    }

    public ReadOnlyStringProperty outcomeProperty() {
        return outcome;
    }

    public BooleanBinding canCarryOut() {
        return canCarryOut;
    }
}
