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
import org.keepwatch.push.BackupService;
import org.keepwatch.push.ElectionForecast;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushOutcome;
import org.keepwatch.push.PushService;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A keepalived's configuration backups on its node: each file (main and includes) with its backups, any two
 * versions compared side by side (a backup, another backup, the live file), and one put back through the agent's
 * safe apply with the same steps and outcome words as a push. FX thread only.
 */
public final class BackupsViewModel {

    /** What the comparison shows on one side: the live file, or a backup by name. */
    public static final String LIVE = "live";

    public enum Stage { BROWSE, RESTORING, DONE }

    /** One backup as listed: its name, when it was taken, its size, and whether the live file has the same bytes. */
    public record BackupRow(String name, String taken, long size, String sha256, boolean live) {
    }

    private final String node;
    private final List<String> daemons;
    private final BackupService backups;
    private final NodeConfigService configs;
    private final PushService pushes;
    private final Tasks tasks;
    private final Consumer<EditTarget> restored;
    private final ReadOnlyStringWrapper daemon = new ReadOnlyStringWrapper(this, "daemon");
    private final ObservableList<String> files = FXCollections.observableArrayList();
    private final ObservableList<String> filesView = FXCollections.unmodifiableObservableList(files);
    private final ReadOnlyStringWrapper file = new ReadOnlyStringWrapper(this, "file", "");
    private final ReadOnlyStringWrapper readOnly = new ReadOnlyStringWrapper(this, "readOnly", "");
    private final ObservableList<BackupRow> rows = FXCollections.observableArrayList();
    private final ObservableList<BackupRow> rowsView = FXCollections.unmodifiableObservableList(rows);
    private final ReadOnlyStringWrapper left = new ReadOnlyStringWrapper(this, "left", "");
    private final ReadOnlyStringWrapper right = new ReadOnlyStringWrapper(this, "right", LIVE);
    private final ReadOnlyObjectWrapper<FileDiff> diff = new ReadOnlyObjectWrapper<>(this, "diff");
    private final ReadOnlyStringWrapper election = new ReadOnlyStringWrapper(this, "election", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyObjectWrapper<Stage> stage = new ReadOnlyObjectWrapper<>(this, "stage", Stage.BROWSE);
    private final ReadOnlyObjectWrapper<PushViewModel.PushVerdict> verdict = new ReadOnlyObjectWrapper<>(this, "verdict");
    private final ReadOnlyStringWrapper reason = new ReadOnlyStringWrapper(this, "reason", "");
    private final ApplyProgress progress = new ApplyProgress();
    private final Map<String, String> texts = new HashMap<>();
    private BackupService.NodeBackups listed;
    private ConfigDraft draft;
    private Tasks.Running comparing;

    /**
     * @param daemons  the node's keepalived daemons (the first shown first)
     * @param restored told of a daemon whose configuration a restore changed (its open editor reads it again)
     */
    public BackupsViewModel(String node, List<String> daemons, BackupService backups, NodeConfigService configs, PushService pushes,
                            Tasks tasks, Consumer<EditTarget> restored) {
        if (daemons.isEmpty()) {
            throw new IllegalArgumentException(node + ": no keepalived daemon to list backups of");
        }
        this.node = node;
        this.daemons = List.copyOf(daemons);
        this.backups = backups;
        this.configs = configs;
        this.pushes = pushes;
        this.tasks = tasks;
        this.restored = restored;
        daemon.set(daemons.get(0));
    }

    public String title() {
        return "Configuration backups of " + target().label();
    }

    public EditTarget target() {
        return new EditTarget(node, daemon.get(), Optional.empty());
    }

    public List<String> daemons() {
        return daemons;
    }

    /** Lists the daemon's files and backups (again). */
    public void load() {
        busy.set(true);
        status.set("Listing the backups on " + target().label() + "…");
        EditTarget target = target();
        tasks.await(backups.list(target)).onSuccess(found -> {
            busy.set(false);
            if (!found.target().equals(target())) {
                return;
            }
            listed = found;
            texts.clear();
            draft = null;
            problem.set("");
            files.setAll(found.files().stream().map(BackupService.FileBackups::path).toList());
            status.set(found.count() == 0 ? "No backups yet on " + target.label()
                    + ": the agent keeps one of a file each time a push or restore changes it"
                    : found.count() + " backup(s) of " + found.files().size() + " file(s) on " + target.label());
            showFile(files.contains(file.get()) ? file.get() : found.mainPath());
        }).onError(error -> {
            busy.set(false);
            status.set("");
            problem.set(Tasks.message(error));
        }).start();
    }

    public void selectDaemon(String name) {
        if (daemons.contains(name) && !name.equals(daemon.get())) {
            daemon.set(name);
            files.clear();
            rows.clear();
            diff.set(null);
            load();
        }
    }

    /** Shows one file's backups; the newest compared with the live file. */
    public void showFile(String path) {
        Optional<BackupService.FileBackups> found = listed == null ? Optional.empty() : listed.file(path);
        if (found.isEmpty()) {
            return;
        }
        file.set(path);
        BackupService.FileBackups f = found.get();
        rows.setAll(f.backups().stream().map(b -> new BackupRow(b.name(), Formats.dateTime(b.created()), b.size(), b.sha256(),
                b.sha256().equals(f.liveSha256()))).toList());
        left.set(rows.isEmpty() ? "" : rows.get(0).name());
        right.set(LIVE);
        compare();
    }

    /** Compares {@code from} (a backup name or {@link #LIVE}) with {@code to}. */
    public void compare(String from, String to) {
        left.set(from == null ? "" : from);
        right.set(to == null ? LIVE : to);
        compare();
    }

    /** The versions one may pick on either side: the live file, then the backups newest first. */
    public List<String> versions() {
        return Stream.concat(Stream.of(LIVE), rows.stream().map(BackupRow::name)).toList();
    }

    public void setReason(String typed) {
        reason.set(typed == null ? "" : typed);
    }

    /** The node's agent is not root (its login has no sudo): backups are listed and compared, never restored. */
    public void setReadOnly(Optional<String> why) {
        readOnly.set(why.orElse(""));
    }

    /** Why nothing can be restored on this node, in words; empty when it can be. */
    public ReadOnlyStringProperty readOnlyProperty() {
        return readOnly.getReadOnlyProperty();
    }

    /**
     * Puts the backup on the left back on the node: the agent's config.restore (lock, compare, keepalived -t, backup
     * of what it replaces, write, reload, health, rollback on trouble, audit). The caller has asked the operator.
     */
    public void restore() {
        if (!readOnly.get().isEmpty()) {
            return;   // refused up front: its button is disabled, saying why
        }
        String name = left.get();
        Optional<BackupService.FileBackups> f = listed == null ? Optional.empty() : listed.file(file.get());
        if (stage.get() == Stage.RESTORING || name.isEmpty() || name.equals(LIVE) || f.isEmpty()) {
            return;
        }
        EditTarget target = target();
        String path = f.get().path();
        stage.set(Stage.RESTORING);
        verdict.set(null);
        progress.reset();
        busy.set(true);
        String why = reason.get().isBlank() ? "Keepwatch: restore " + name + " of " + path : reason.get().trim();
        tasks.await(pushes.restore(target, path, name, f.get().liveSha256(), why, step -> tasks.onUi(() -> progress.apply(step))))
                .onSuccess(outcome -> {
                    busy.set(false);
                    progress.finish();
                    verdict.set(words(target, name, path, outcome, "the backups were listed"));
                    stage.set(Stage.DONE);
                    if (!outcome.written().isEmpty()) {
                        restored.accept(target);
                    }
                })
                .onError(error -> {
                    busy.set(false);
                    progress.finish();
                    verdict.set(new PushViewModel.PushVerdict(false, "Restore failed", Tasks.message(error)));
                    stage.set(Stage.DONE);
                }).start();
    }

    /** Back to the list after a restore, read again. */
    public void backToList() {
        if (stage.get() != Stage.RESTORING) {
            stage.set(Stage.BROWSE);
            load();
        }
    }

    /**
     * The push window's words for how a restore ended ({@code name}: what was put back, "backup-…" or "version 3f2a…";
     * {@code since}: when the operator last saw the file, "the backups were listed").
     */
    static PushViewModel.PushVerdict words(EditTarget target, String name, String path, PushOutcome outcome, String since) {
        String node = target.label();
        if (outcome instanceof PushOutcome.Applied applied) {
            return new PushViewModel.PushVerdict(true, "Applied on " + node, "Written, reloaded and healthy: " + path + " is "
                    + name + " again." + (applied.backups().isEmpty() ? "" : " The version it replaced is kept as backup "
                    + String.join(", ", applied.backups()) + "."));
        } else if (outcome instanceof PushOutcome.Refused refused) {
            String first = refused.check().diagnostics().stream().filter(d -> d.error()).findFirst().map(Object::toString)
                    .orElse("see keepalived -t's output");
            return new PushViewModel.PushVerdict(false, "Refused by keepalived -t on " + node, "Nothing was written or reloaded. " + first + ".");
        } else if (outcome instanceof PushOutcome.Conflict) {
            return new PushViewModel.PushVerdict(false, path + " changed on " + node, "Someone changed it since " + since
                    + ". Nothing was written. Go back to the list (it is read again) and compare before restoring.");
        } else if (outcome instanceof PushOutcome.RolledBack r) {
            return new PushViewModel.PushVerdict(false, "Rolled back on " + node, "It was written and reloaded, but " + r.reason()
                    + ". The previous " + r.path() + " was restored and reloaded" + (r.daemonAlive() ? "." : "; keepalived is NOT running there now."));
        }
        PushOutcome.Failed failed = (PushOutcome.Failed) outcome;
        return new PushViewModel.PushVerdict(false, "Restore failed on " + node, failed.message() + ".");
    }

    private void compare() {
        String from = left.get();
        String to = right.get();
        String path = file.get();
        if (from.isEmpty() || listed == null) {
            diff.set(null);
            election.set("");
            return;
        }
        if (comparing != null) {
            comparing.cancel();
        }
        EditTarget target = target();
        CompletableFuture<String> a = text(target, path, from);
        CompletableFuture<String> b = text(target, path, to);
        CompletableFuture<ConfigDraft> base = draft != null ? CompletableFuture.completedFuture(draft) : configs.open(target);
        comparing = tasks.await(a.thenCombine(b, Compared::new).thenCombine(base, (pair, d) -> pair.with(d, from.equals(LIVE) ? ""
                : pushes.election(target, d.withText(path, pair.left())).stream().map(ElectionForecast.Forecast::sentence)
                .collect(Collectors.joining("\n"))))).onSuccess(done -> {
            draft = done.draft();
            texts.put(from, done.left());
            texts.put(to, done.right());
            diff.set(FileDiff.of(path, title(from), done.left(), title(to), done.right()));
            election.set(done.forecast().isEmpty() ? "" : "If it is restored: " + done.forecast());
        }).onError(error -> problem.set(Tasks.message(error))).start();
    }

    /** Two versions' texts, the configuration they are part of, and what the election would do with the left one. */
    private record Compared(String left, String right, ConfigDraft draft, String forecast) {
        Compared(String left, String right) {
            this(left, right, null, "");
        }

        Compared with(ConfigDraft of, String said) {
            return new Compared(left, right, of, said);
        }
    }

    private CompletableFuture<String> text(EditTarget target, String path, String version) {
        if (version.equals(LIVE)) {
            return CompletableFuture.completedFuture(listed.file(path).map(BackupService.FileBackups::liveText).orElse(""));
        }
        String known = texts.get(version);
        return known != null ? CompletableFuture.completedFuture(known) : backups.read(target, path, version).thenApply(t -> t.text());
    }

    private String title(String version) {
        return version.equals(LIVE) ? "Live on " + node : "Backup " + rows.stream().filter(r -> r.name().equals(version))
                .findFirst().map(BackupRow::taken).orElse(version);
    }

    public ReadOnlyStringProperty daemonProperty() {
        return daemon.getReadOnlyProperty();
    }

    public ObservableList<String> files() {
        return filesView;
    }

    public ReadOnlyStringProperty fileProperty() {
        return file.getReadOnlyProperty();
    }

    public ObservableList<BackupRow> rows() {
        return rowsView;
    }

    /** The version on the left of the comparison: the one Restore puts back. */
    public ReadOnlyStringProperty leftProperty() {
        return left.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty rightProperty() {
        return right.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<FileDiff> diffProperty() {
        return diff.getReadOnlyProperty();
    }

    /** What the election would do if the backup on the left were restored; empty when no router's instance changes. */
    public ReadOnlyStringProperty electionProperty() {
        return election.getReadOnlyProperty();
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

    public ReadOnlyObjectProperty<PushViewModel.PushVerdict> verdictProperty() {
        return verdict.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty reasonProperty() {
        return reason.getReadOnlyProperty();
    }

    public ApplyProgress progress() {
        return progress;
    }
}
