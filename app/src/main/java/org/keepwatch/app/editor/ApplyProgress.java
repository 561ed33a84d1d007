package org.keepwatch.app.editor;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.agent.ApplyStep;

import java.util.List;
import java.util.Optional;

/**
 * The steps of one node's apply, in the agent's order, each updated as its apply.step event arrives.
 * Rollback appears only if it happens. FX thread only.
 */
public final class ApplyProgress {

    private static final List<String[]> STEPS = List.of(
            new String[]{"lock", "Lock the file"},
            new String[]{"compare", "Compare with the version read"},
            new String[]{"check", "keepalived -t"},
            new String[]{"backup", "Back up the current file"},
            new String[]{"write", "Write (atomic rename)"},
            new String[]{"reload", "Reload keepalived"},
            new String[]{"health", "Watch health"},
            new String[]{"audit", "Audit log"});

    private final ObservableList<StepRow> rows = FXCollections.observableArrayList();
    private final ObservableList<StepRow> rowsView = FXCollections.unmodifiableObservableList(rows);

    ApplyProgress() {
        reset();
    }

    public ObservableList<StepRow> rows() {
        return rowsView;
    }

    /** Every step pending again (the next file of a push, or a retry). */
    void reset() {
        rows.setAll(STEPS.stream().map(s -> new StepRow(s[0], s[1])).toList());
    }

    void apply(ApplyStep step) {
        StepRow row = row(step.step()).orElseGet(() -> {
            StepRow added = new StepRow(step.step(), step.step().equals("rollback") ? "Roll back to the backup" : step.step());
            int at = step.step().equals("rollback") ? Math.max(0, rows.size() - 1) : rows.size();
            rows.add(at, added);
            return added;
        });
        row.setState(switch (step.status()) {
            case STARTED -> StepRow.State.RUNNING;
            case OK -> StepRow.State.OK;
            case FAILED -> StepRow.State.FAILED;
            case SKIPPED -> StepRow.State.SKIPPED;
        });
        if (!step.detail().isEmpty() || step.status() != ApplyStep.Status.STARTED) {
            row.setDetail(step.detail());
        }
    }

    /** Steps still pending or running when the push ended did not happen. */
    void finish() {
        rows.forEach(r -> {
            if (r.stateProperty().get() == StepRow.State.PENDING || r.stateProperty().get() == StepRow.State.RUNNING) {
                r.setState(StepRow.State.SKIPPED);
            }
        });
    }

    public Optional<StepRow> row(String step) {
        return rows.stream().filter(r -> r.step().equals(step)).findFirst();
    }
}
