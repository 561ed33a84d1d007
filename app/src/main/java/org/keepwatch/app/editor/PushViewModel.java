package org.keepwatch.app.editor;

import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.TextMerge;
import org.keepwatch.push.ElectionForecast;
import org.keepwatch.push.PushOutcome;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One push of a node's edits: the side-by-side review, the reason for the audit log, the agent's
 * steps as they happen, and the outcome; when the file changed on the node meanwhile, both versions
 * and the ways out (merge, keep mine, take the node's). FX thread only.
 */
public final class PushViewModel {

    public enum Stage { REVIEW, PUSHING, DONE, CONFLICT }

    /** How the outcome reads: its headline, what happened in words, and whether all is well. */
    public record PushVerdict(boolean success, String headline, String detail) {
    }

    private final ConfigEditorViewModel editor;
    private final ObservableList<FileDiff> diffs = FXCollections.observableArrayList();
    private final ObservableList<FileDiff> diffsView = FXCollections.unmodifiableObservableList(diffs);
    private final ReadOnlyStringWrapper reason = new ReadOnlyStringWrapper(this, "reason", "");
    private final ReadOnlyObjectWrapper<Stage> stage = new ReadOnlyObjectWrapper<>(this, "stage", Stage.REVIEW);
    private final ReadOnlyObjectWrapper<PushVerdict> verdict = new ReadOnlyObjectWrapper<>(this, "verdict");
    private final ReadOnlyObjectWrapper<PushOutcome.Conflict> conflict = new ReadOnlyObjectWrapper<>(this, "conflict");
    private final ReadOnlyStringWrapper mergeProblem = new ReadOnlyStringWrapper(this, "mergeProblem", "");
    private final ReadOnlyStringWrapper pushingFile = new ReadOnlyStringWrapper(this, "pushingFile", "");
    private final ReadOnlyStringWrapper lintWarning = new ReadOnlyStringWrapper(this, "lintWarning", "");
    private final ReadOnlyStringWrapper election = new ReadOnlyStringWrapper(this, "election", "");
    private final ApplyProgress progress = new ApplyProgress();
    private ConfigDraft draft;

    PushViewModel(ConfigEditorViewModel editor, ConfigDraft draft) {
        this.editor = editor;
        review(draft);
    }

    public String title() {
        return "Push to " + editor.target().label();
    }

    /** Pushes the reviewed draft; the steps fill {@link #progress()}, the end sets {@link #verdictProperty()}. */
    public void push() {
        if (stage.get() != Stage.REVIEW) {
            return;
        }
        stage.set(Stage.PUSHING);
        progress.reset();
        String why = reason.get().isBlank() ? "Keepwatch: " + editor.changeSummary() : reason.get().trim();
        List<FileChange> changes = draft.changes();
        pushingFile.set(changes.isEmpty() ? "" : changes.get(0).path());
        editor.setBusy(true);
        Tasks tasks = editor.tasks();
        tasks.await(editor.pushes().pushNode(editor.target(), draft, why, step -> tasks.onUi(() -> {
            if (!step.path().equals(pushingFile.get())) {
                pushingFile.set(step.path());
                progress.reset();
            }
            progress.apply(step);
        }))).onSuccess(outcome -> {
            editor.setBusy(false);
            progress.finish();
            ended(outcome);
        }).onError(error -> {
            editor.setBusy(false);
            progress.finish();
            finished(new PushVerdict(false, "Push failed", ConfigEditorViewModel.message(error)));
        }).start();
    }

    /** Carries the operator's edits onto the node's current file; back to review when they combine cleanly. */
    public boolean merge() {
        PushOutcome.Conflict c = conflict.get();
        if (c == null) {
            return false;
        }
        TextMerge.Result merged = TextMerge.merge(c.base(), c.mine(), c.theirs());
        if (!merged.clean()) {
            mergeProblem.set("Both sides changed the same lines (" + String.join("; ", merged.conflicts())
                    + "). Keep yours (overwriting theirs) or take the node's and edit again.");
            return false;
        }
        ConfigDraft rebased = draft.rebase(c.path(), c.theirs(), c.theirsSha256()).withText(c.path(), merged.merged().get());
        editor.replaceDraft(rebased);
        review(rebased);
        return true;
    }

    /** Keeps the operator's text over the node's: reviewed again against what the node has now. */
    public void keepMine() {
        PushOutcome.Conflict c = conflict.get();
        if (c == null) {
            return;
        }
        ConfigDraft rebased = draft.rebase(c.path(), c.theirs(), c.theirsSha256());
        editor.replaceDraft(rebased);
        review(rebased);
    }

    /** Drops the operator's edits and reads the node's configuration again. */
    public void takeTheirs() {
        editor.load();
        finished(new PushVerdict(true, "Reloaded from " + editor.target().label(), "Your edits were dropped; the editor shows the node's file."));
    }

    public ObservableList<FileDiff> diffs() {
        return diffsView;
    }

    /** The reason for the audit log, as typed; empty means Keepwatch writes a summary of the changes. */
    public ReadOnlyStringProperty reasonProperty() {
        return reason.getReadOnlyProperty();
    }

    public void setReason(String typed) {
        reason.set(typed == null ? "" : typed);
    }

    public ReadOnlyObjectProperty<Stage> stageProperty() {
        return stage.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PushVerdict> verdictProperty() {
        return verdict.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PushOutcome.Conflict> conflictProperty() {
        return conflict.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty mergeProblemProperty() {
        return mergeProblem.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty pushingFileProperty() {
        return pushingFile.getReadOnlyProperty();
    }

    /** Said in the review when Keepwatch's own lint finds errors in what is about to be pushed. */
    public ReadOnlyStringProperty lintWarningProperty() {
        return lintWarning.getReadOnlyProperty();
    }

    /**
     * What the election will do after the push, one line per router the push changes ("n3 (200) will take VI_2 over
     * from n2 (150)", or that no master changes); empty when it changes no router's instance.
     */
    public ReadOnlyStringProperty electionProperty() {
        return election.getReadOnlyProperty();
    }

    public ApplyProgress progress() {
        return progress;
    }

    /** The two versions of a conflicting file, side by side: the node's now, and the operator's. */
    public Optional<FileDiff> conflictDiff() {
        PushOutcome.Conflict c = conflict.get();
        return c == null ? Optional.empty()
                : Optional.of(FileDiff.of(c.path(), "On " + editor.target().node() + " now", c.theirs(), "Yours", c.mine()));
    }

    private void review(ConfigDraft reviewed) {
        draft = reviewed;
        conflict.set(null);
        mergeProblem.set("");
        verdict.set(null);
        long errors = editor.problems().stream().filter(p -> p.error() && p.source() == ProblemRow.Source.LINT).count();
        lintWarning.set(errors == 0 ? "" : "Keepwatch's lint finds " + errors + " error(s) in this version, "
                + editor.lintedFor() + " (see the problems list). "
                + "keepalived -t on the node decides: if it refuses, nothing is written.");
        election.set(editor.pushes().election(editor.target(), reviewed).stream().map(ElectionForecast.Forecast::sentence)
                .collect(Collectors.joining("\n")));
        diffs.setAll(reviewed.changes().stream().map(c -> FileDiff.of(c.path(), "On " + editor.target().node(), c.before(),
                "After the push", c.after())).toList());
        stage.set(Stage.REVIEW);
    }

    private void ended(PushOutcome outcome) {
        String node = editor.target().label();
        String written = outcome.written().isEmpty() ? "" : " Already applied: " + String.join(", ", outcome.written()) + ".";
        if (outcome instanceof PushOutcome.Applied applied) {
            editor.pushed(applied.draft(), "Pushed to " + node + ": " + String.join(", ", applied.written().stream()
                    .map(ConfigEditorViewModel::fileName).toList()));
            finished(new PushVerdict(true, "Applied on " + node,
                    "Written, reloaded and healthy." + (applied.backups().isEmpty() ? "" : " The previous version is kept as backup "
                            + String.join(", ", applied.backups()) + ".")));
        } else if (outcome instanceof PushOutcome.Refused refused) {
            editor.showNodeCheck(Map.of(refused.path(), refused.check()));
            String first = refused.check().diagnostics().stream().filter(d -> d.error()).findFirst()
                    .map(Object::toString).orElse("see the problems list");
            finished(new PushVerdict(false, "Refused by keepalived -t on " + node,
                    "Nothing was written or reloaded. " + first + "." + written));
        } else if (outcome instanceof PushOutcome.Conflict c) {
            conflict.set(c);
            verdict.set(new PushVerdict(false, c.path() + " changed on " + node,
                    "Someone changed it since you read it. Nothing was written." + written
                            + " Compare both versions, then merge your edits onto theirs, keep yours, or take theirs."));
            stage.set(Stage.CONFLICT);
        } else if (outcome instanceof PushOutcome.RolledBack r) {
            finished(new PushVerdict(false, "Rolled back on " + node,
                    "It was written and reloaded, but " + r.reason() + ". The previous " + r.path() + " was restored and reloaded"
                            + (r.daemonAlive() ? "." : "; keepalived is NOT running there now.") + written));
        } else if (outcome instanceof PushOutcome.Failed f) {
            finished(new PushVerdict(false, "Push failed on " + node, f.message() + "." + written));
        }
    }

    private void finished(PushVerdict result) {
        verdict.set(result);
        stage.set(Stage.DONE);
    }
}
