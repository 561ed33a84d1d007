package org.keepwatch.app.editor;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.history.ConfigChange;
import org.keepwatch.history.ConfigHistory;
import org.keepwatch.push.ElectionForecast;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A node's configuration history: every version the history kept of a daemon's files, newest first, with when it was
 * first seen, who made it and why; one version compared with the live file, or two with each other; and "restore this
 * version", reviewed against the live file (with what the election will do) before it is pushed through the safe
 * apply, its steps and outcome shown as a push's. FX thread only; the reading and the push are the library's
 * ({@link ConfigHistory}).
 */
public final class ConfigHistoryViewModel {

    public enum Stage { BROWSE, REVIEW, RESTORING, DONE }

    /** One version as listed: when, who, how, its short hash, why, its file, and whether the live file has it now. */
    public record VersionRow(ConfigChange change, String when, String who, String how, String hash, String reason, String path,
                             boolean live) {
    }

    private final String node;
    private final List<String> daemons;
    private final ConfigHistory history;
    private final Tasks tasks;
    private final Consumer<EditTarget> restored;
    private final ReadOnlyStringWrapper daemon = new ReadOnlyStringWrapper(this, "daemon");
    private final ObservableList<VersionRow> rows = FXCollections.observableArrayList();
    private final ObservableList<VersionRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final ReadOnlyObjectWrapper<FileDiff> diff = new ReadOnlyObjectWrapper<>(this, "diff");
    private final ReadOnlyStringWrapper comparison = new ReadOnlyStringWrapper(this, "comparison", "");
    private final ReadOnlyStringWrapper unavailable = new ReadOnlyStringWrapper(this, "unavailable", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyObjectWrapper<Stage> stage = new ReadOnlyObjectWrapper<>(this, "stage", Stage.BROWSE);
    private final ReadOnlyObjectWrapper<ConfigHistory.Review> review = new ReadOnlyObjectWrapper<>(this, "review");
    private final ReadOnlyObjectWrapper<FileDiff> reviewDiff = new ReadOnlyObjectWrapper<>(this, "reviewDiff");
    private final ReadOnlyStringWrapper election = new ReadOnlyStringWrapper(this, "election", "");
    private final ReadOnlyStringWrapper refusal = new ReadOnlyStringWrapper(this, "refusal", "");
    private final ReadOnlyStringWrapper reason = new ReadOnlyStringWrapper(this, "reason", "");
    private final ReadOnlyObjectWrapper<PushViewModel.PushVerdict> verdict = new ReadOnlyObjectWrapper<>(this, "verdict");
    private final ReadOnlyObjectWrapper<VersionRow> selected = new ReadOnlyObjectWrapper<>(this, "selected");
    private final ApplyProgress progress = new ApplyProgress();
    private Optional<String> preselect;
    private ConfigDraft live;
    private String liveProblem = "";
    private Tasks.Running comparing;

    /**
     * @param daemons   the node's keepalived daemons (the first shown first)
     * @param preselect a version to select once listed, by its hash or a prefix of it (a hand edit's event names one)
     * @param restored  told of a daemon whose configuration a restore changed (its open editor reads it again)
     */
    public ConfigHistoryViewModel(String node, List<String> daemons, Optional<String> preselect, ConfigHistory history, Tasks tasks,
                                  Consumer<EditTarget> restored) {
        if (daemons.isEmpty()) {
            throw new IllegalArgumentException(node + ": no keepalived daemon to show the configuration history of");
        }
        this.node = node;
        this.daemons = List.copyOf(daemons);
        this.preselect = preselect;
        this.history = history;
        this.tasks = tasks;
        this.restored = restored;
        daemon.set(daemons.get(0));
    }

    public String title() {
        return "Configuration history of " + target().label();
    }

    public EditTarget target() {
        return new EditTarget(node, daemon.get(), Optional.empty());
    }

    public List<String> daemons() {
        return daemons;
    }

    /** Lists the daemon's kept versions (again) and reads the live file beside them. */
    public void load() {
        Optional<String> none = history.unavailable();
        if (none.isPresent()) {
            unavailable.set(none.get());
            rows.clear();
            status.set("");
            return;
        }
        busy.set(true);
        problem.set("");
        status.set("Reading the configuration history of " + target().label() + "…");
        EditTarget target = target();
        CompletableFuture<Optional<ConfigDraft>> liveNow = history.live(target).thenApply(Optional::of)
                .exceptionally(error -> {
                    liveProblem = Tasks.message(error);
                    return Optional.empty();
                });
        tasks.await(history.versions(node, Optional.of(target.daemon())).thenCombine(liveNow, Listed::new)).onSuccess(listed -> {
            busy.set(false);
            if (!target.equals(target())) {
                return;
            }
            unavailable.set("");
            live = listed.live().orElse(null);
            if (live != null) {
                liveProblem = "";
            }
            List<VersionRow> found = listed.versions().stream().sorted(Comparator.comparing((ConfigChange c) -> c.version().at())
                    .thenComparing(c -> c.version().id()).reversed()).map(this::row).toList();
            rows.setAll(found);
            status.set(found.isEmpty() ? "No versions kept yet of " + target.label() + "'s configuration: the history keeps "
                    + "one each time Keepwatch reads or pushes a changed file"
                    : found.size() + " version(s) of " + target.label() + "'s configuration" + (live == null
                    ? "; the live file could not be read: " + liveProblem : ""));
            Optional<VersionRow> first = preselect.flatMap(p -> found.stream().filter(r -> r.change().version().sha256()
                    .startsWith(p)).findFirst()).or(() -> found.stream().findFirst());
            preselect = Optional.empty();
            first.ifPresentOrElse(r -> select(List.of(r)), () -> select(List.of()));
        }).onError(error -> {
            busy.set(false);
            status.set("");
            rows.clear();
            unavailable.set("The configuration history could not be read: " + Tasks.message(error));
        }).start();
    }

    private record Listed(List<ConfigChange> versions, Optional<ConfigDraft> live) {
    }

    public void selectDaemon(String name) {
        if (daemons.contains(name) && !name.equals(daemon.get())) {
            daemon.set(name);
            rows.clear();
            diff.set(null);
            live = null;
            load();
        }
    }

    /**
     * What the operator selected: one version is compared with the live file, two with each other (the older on the
     * left); Restore acts on the newest selected.
     */
    public void select(List<VersionRow> chosen) {
        if (comparing != null) {
            comparing.cancel();
        }
        if (chosen.isEmpty()) {
            selected.set(null);
            diff.set(null);
            comparison.set("Pick a version to compare it with the live file, or two to compare them.");
            return;
        }
        List<VersionRow> two = chosen.stream().sorted(Comparator.comparing((VersionRow r) -> r.change().version().at())
                .thenComparing(r -> r.change().version().id())).toList();
        if (two.size() > 2) {
            comparison.set("Pick one version (compared with the live file) or two (compared with each other), not "
                    + two.size() + ".");
            diff.set(null);
            return;
        }
        VersionRow newer = two.get(two.size() - 1);
        selected.set(newer);
        if (two.size() == 1) {
            ConfigChange v = newer.change();
            if (live == null) {
                diff.set(null);
                comparison.set("The live file could not be read to compare with: " + liveProblem);
                return;
            }
            String path = v.version().path();
            if (!live.paths().contains(path)) {
                diff.set(null);
                comparison.set(path + " is no longer part of " + target().label() + "'s configuration.");
                return;
            }
            comparison.set("Version " + v.shortHash() + " (" + newer.when() + ") compared with the live file");
            comparing = tasks.await(history.text(v)).onSuccess(text -> diff.set(FileDiff.of(path, "Version " + v.shortHash()
                    + " of " + newer.when(), text, "Live on " + node, live.text(path))))
                    .onError(error -> problem.set(Tasks.message(error))).start();
            return;
        }
        VersionRow older = two.get(0);
        comparison.set("Version " + older.hash() + " (" + older.when() + ") compared with version " + newer.hash() + " ("
                + newer.when() + ")" + (older.path().equals(newer.path()) ? "" : ": two different files"));
        comparing = tasks.await(history.text(older.change()).thenCombine(history.text(newer.change()), List::of)).onSuccess(texts ->
                diff.set(FileDiff.of(newer.path(), "Version " + older.hash() + " of " + older.when(), texts.get(0),
                        "Version " + newer.hash() + " of " + newer.when(), texts.get(1))))
                .onError(error -> problem.set(Tasks.message(error))).start();
    }

    /** "Restore this version…": reads the live file and shows what the push would change and do; nothing is written. */
    public void reviewRestore() {
        VersionRow row = selected.get();
        if (row == null || stage.get() != Stage.BROWSE) {
            return;
        }
        busy.set(true);
        problem.set("");
        status.set("Reading " + target().label() + "'s configuration to review the restore…");
        tasks.await(history.review(row.change())).onSuccess(done -> {
            busy.set(false);
            status.set("");
            review.set(done);
            reason.set("");
            refusal.set(done.refusal().orElse(""));
            reviewDiff.set(FileDiff.of(done.path(), "Live on " + node, done.liveText(), "Version " + row.hash() + " of "
                    + row.when(), done.versionText()));
            election.set(done.election().stream().map(ElectionForecast.Forecast::sentence).collect(Collectors.joining("\n")));
            stage.set(Stage.REVIEW);
        }).onError(error -> {
            busy.set(false);
            status.set("");
            problem.set(Tasks.message(error));
        }).start();
    }

    public void setReason(String typed) {
        reason.set(typed == null ? "" : typed);
    }

    /** The reason the push will carry: "restored version HASH of TIME", and what the operator typed. */
    public String pushReason() {
        ConfigHistory.Review r = review.get();
        return r == null ? "" : ConfigHistory.reason(r.version(), reason.get());
    }

    /** Pushes the reviewed version (the caller has asked the operator); a refused review is not pushed. */
    public void restore() {
        ConfigHistory.Review r = review.get();
        if (r == null || stage.get() != Stage.REVIEW || r.refusal().isPresent()) {
            return;
        }
        stage.set(Stage.RESTORING);
        verdict.set(null);
        progress.reset();
        busy.set(true);
        String name = "version " + r.version().shortHash();
        tasks.await(history.restore(r, reason.get(), step -> tasks.onUi(() -> progress.apply(step)))).onSuccess(outcome -> {
            busy.set(false);
            progress.finish();
            verdict.set(BackupsViewModel.words(r.target(), name, r.path(), outcome, "the restore was reviewed"));
            stage.set(Stage.DONE);
            if (!outcome.written().isEmpty()) {
                restored.accept(r.target());
            }
        }).onError(error -> {
            busy.set(false);
            progress.finish();
            verdict.set(new PushViewModel.PushVerdict(false, "Restore failed", Tasks.message(error)));
            stage.set(Stage.DONE);
        }).start();
    }

    /** Back to the list from a review (nothing done) or after a restore (read again: the restore is a version now). */
    public void backToList() {
        if (stage.get() == Stage.RESTORING) {
            return;
        }
        boolean reload = stage.get() == Stage.DONE;
        review.set(null);
        stage.set(Stage.BROWSE);
        if (reload) {
            load();
        }
    }

    private VersionRow row(ConfigChange c) {
        boolean isLive = live != null && live.base().file(c.version().path())
                .map(f -> f.sha256().equals(c.version().sha256())).orElse(false);
        return new VersionRow(c, Formats.dateTime(c.version().at()), c.who(), c.how(), c.shortHash(), c.reason().orElse(""),
                c.version().path(), isLive);
    }

    public ReadOnlyStringProperty daemonProperty() {
        return daemon.getReadOnlyProperty();
    }

    /** The versions, newest first. */
    public ObservableList<VersionRow> rows() {
        return rowsView;
    }

    public ReadOnlyObjectProperty<FileDiff> diffProperty() {
        return diff.getReadOnlyProperty();
    }

    /** What is compared with what, or why nothing is. */
    public ReadOnlyStringProperty comparisonProperty() {
        return comparison.getReadOnlyProperty();
    }

    /** Why there is no history to show (turned off, broken), in words; empty when there is one. */
    public ReadOnlyStringProperty unavailableProperty() {
        return unavailable.getReadOnlyProperty();
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

    public ReadOnlyObjectProperty<Stage> stageProperty() {
        return stage.getReadOnlyProperty();
    }

    /** The version Restore acts on: the newest selected. */
    public ReadOnlyObjectProperty<VersionRow> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ConfigHistory.Review> reviewProperty() {
        return review.getReadOnlyProperty();
    }

    /** The restore's review: the live file on the left, the version on the right. */
    public ReadOnlyObjectProperty<FileDiff> reviewDiffProperty() {
        return reviewDiff.getReadOnlyProperty();
    }

    /** What the election will do if the version is restored; empty when no router's instance changes. */
    public ReadOnlyStringProperty electionProperty() {
        return election.getReadOnlyProperty();
    }

    /** Why the reviewed restore cannot be done (a read-only session, nothing to restore); empty when it can. */
    public ReadOnlyStringProperty refusalProperty() {
        return refusal.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty reasonProperty() {
        return reason.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<PushViewModel.PushVerdict> verdictProperty() {
        return verdict.getReadOnlyProperty();
    }

    public ApplyProgress progress() {
        return progress;
    }
}
