package org.keepwatch.app.editor;

import javafx.animation.PauseTransition;
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
import javafx.util.Duration;
import org.keepwatch.agent.CheckResult;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditException;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.BlockRef;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.FormValues;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One node's keepalived configuration in the editor: the draft the form and the text both show, lint
 * findings as you type (computed off the FX thread), keepalived -t on the node, and the push. The form
 * edits through the config engine; the text is parsed again after a pause in typing. FX thread only.
 */
public final class ConfigEditorViewModel {

    public enum Phase { LOADING, READY, FAILED }

    static final Duration TYPING_PAUSE = Duration.millis(300);

    private final EditTarget target;
    private final NodeConfigService service;
    private final PushService pushes;
    private final Tasks tasks;
    private final ObjectProperty<ConfigDraft> draft = new SimpleObjectProperty<>(this, "draft");
    private final ObjectProperty<Phase> phase = new SimpleObjectProperty<>(this, "phase", Phase.LOADING);
    private final StringProperty status = new SimpleStringProperty(this, "status", "");
    private final StringProperty readOnly = new SimpleStringProperty(this, "readOnly", "");
    private final StringProperty problem = new SimpleStringProperty(this, "problem", "");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy");
    private final BooleanProperty changed = new SimpleBooleanProperty(this, "changed");
    private final StringProperty shownPath = new SimpleStringProperty(this, "shownPath");
    private final ObservableList<BlockRef> blocks = FXCollections.observableArrayList();
    private final ObjectProperty<BlockRef> selected = new SimpleObjectProperty<>(this, "selected");
    private final ObservableList<ProblemRow> problems = FXCollections.observableArrayList();
    private final ObservableList<String> paths = FXCollections.observableArrayList();
    private final PauseTransition typing = new PauseTransition(TYPING_PAUSE);
    private List<ProblemRow> lintProblems = List.of();
    private List<ProblemRow> nodeProblems = List.of();
    private String pendingPath;
    private String pendingText;
    private final ObservableList<BlockRef> blocksView = FXCollections.unmodifiableObservableList(blocks);
    private final ObservableList<ProblemRow> problemsView = FXCollections.unmodifiableObservableList(problems);
    private final ObservableList<String> pathsView = FXCollections.unmodifiableObservableList(paths);
    private Tasks.Running linting;

    public ConfigEditorViewModel(EditTarget target, NodeConfigService service, PushService pushes, Tasks tasks) {
        this.target = target;
        this.service = service;
        this.pushes = pushes;
        this.tasks = tasks;
        typing.setOnFinished(e -> parseTyped());
        draft.addListener((obs, old, now) -> drafted(old, now));
    }

    public EditTarget target() {
        return target;
    }

    /**
     * The node's agent is not root (its login has no sudo): the configuration is shown, never checked on the node nor
     * pushed (both need root); {@code why} in the library's words (empty: it can be changed).
     */
    public void setReadOnly(Optional<String> why) {
        readOnly.set(why.orElse(""));
    }

    /** Why this node's configuration can only be read, in words; empty when it can be edited and pushed. */
    public ReadOnlyStringProperty readOnlyProperty() {
        return readOnly;
    }

    /**
     * Which keepalived version lint checks this configuration against, in words: "checked for keepalived 2.1.5 on n1"
     * (the version the node's daemon reported), or the table's version when the node said none.
     */
    public String lintedFor() {
        ConfigDraft current = draft.get();
        Optional<String> version = current == null ? Optional.empty() : current.keepalivedVersion();
        return version.map(v -> "checked for keepalived " + v + " on " + target.node())
                .orElse("checked for keepalived " + org.keepwatch.config.KeepalivedVersion.TABLE + " (" + target.node()
                        + " did not say which version it runs)");
    }

    private boolean refusedAsReadOnly() {
        if (readOnly.get().isEmpty()) {
            return false;
        }
        status.set(readOnly.get());
        return true;
    }

    /** How this editor's work runs off the FX thread (its push window's too). */
    Tasks tasks() {
        return tasks;
    }

    /** Where this node's push goes: the library's one way to write a configuration. */
    public PushService pushes() {
        return pushes;
    }

    /** Reads the configuration from the node (again), dropping any edits. */
    public void load() {
        phase.set(draft.get() == null ? Phase.LOADING : phase.get());
        busy.set(true);
        status.set("Reading " + target.label() + "'s configuration…");
        tasks.await(service.open(target)).onSuccess(opened -> {
            open(opened);
            status.set("Read " + opened.mainPath() + (opened.paths().size() > 1 ? " and " + (opened.paths().size() - 1) + " included file(s)" : "")
                    + " from " + target.label());
        }).onError(error -> {
            problem.set(Tasks.message(error));
            status.set("");
            if (draft.get() == null) {
                phase.set(Phase.FAILED);
            }
        }).andFinally(() -> busy.set(false)).start();
    }

    /** Starts from a draft already read (a router's member, or a test). */
    public void open(ConfigDraft opened) {
        typing.stop();
        pendingText = null;
        nodeProblems = List.of();
        problem.set("");
        paths.setAll(opened.paths());
        if (shownPath.get() == null || !opened.paths().contains(shownPath.get())) {
            shownPath.set(initialPath(opened));
        }
        draft.set(opened);
        phase.set(Phase.READY);
    }

    /**
     * A form edit: applied to the draft through the config engine at once (typed text not parsed yet is
     * taken first). Returns false, with the reason in {@link #problemProperty()}, when the engine refuses.
     */
    public boolean edit(UnaryOperator<ConfigDocument> edit) {
        flushTyping();
        ConfigDraft current = draft.get();
        if (current == null) {
            return false;
        }
        try {
            ConfigDraft edited = current.edit(edit);
            problem.set("");
            draft.set(edited);
            return true;
        } catch (ConfigEditException | IllegalStateException | IllegalArgumentException e) {
            problem.set(target.label() + ": " + e.getMessage());
            return false;
        }
    }

    /** Text typed in the text tab; parsed after a pause in typing. */
    public void textEdited(String path, String text) {
        ConfigDraft current = draft.get();
        if (current == null || (pendingText == null && text.equals(current.text(path)))) {
            return;
        }
        pendingPath = path;
        pendingText = text;
        typing.playFromStart();
    }

    /** Parses typed text now (before a form edit, a check or a push). */
    public void flushTyping() {
        if (pendingText != null) {
            typing.stop();
            parseTyped();
        }
    }

    /** keepalived -t on the node for the edited files; findings join the problems list. */
    public void checkOnNode() {
        if (refusedAsReadOnly()) {
            return;
        }
        flushTyping();
        ConfigDraft checked = draft.get();
        if (checked == null) {
            return;
        }
        busy.set(true);
        status.set("Checking on " + target.label() + " (keepalived -t)…");
        tasks.await(service.check(target, checked)).onSuccess(results -> {
            if (draft.get() == checked) {
                showNodeCheck(results);
            }
            long errors = results.values().stream().mapToLong(CheckResult::errors).sum();
            long warnings = results.values().stream().mapToLong(CheckResult::warnings).sum();
            status.set(errors == 0 ? "keepalived -t on " + target.label() + " accepts it" + (warnings > 0 ? " (" + warnings + " warning(s))" : "")
                    : "keepalived -t on " + target.label() + " refuses it: " + errors + " error(s)");
        }).onError(error -> {
            problem.set(Tasks.message(error));
            status.set("");
        }).andFinally(() -> busy.set(false)).start();
    }

    /** The node's verdict on a candidate: shown until the next edit. */
    void showNodeCheck(Map<String, CheckResult> results) {
        List<ProblemRow> found = new ArrayList<>();
        results.forEach((path, result) -> result.diagnostics().forEach(d -> found.add(ProblemRow.of(d, path))));
        nodeProblems = found;
        refreshProblems();
    }

    /** The review of a push: the changed files, compared with what the node has. */
    public Optional<PushViewModel> review() {
        if (refusedAsReadOnly()) {
            return Optional.empty();
        }
        flushTyping();
        ConfigDraft current = draft.get();
        if (current == null || !current.changed()) {
            status.set("Nothing to push: the configuration is as read from " + target.label());
            return Optional.empty();
        }
        return Optional.of(new PushViewModel(this, current));
    }

    /** After a push: the draft now starts from what the node has. */
    void pushed(ConfigDraft rebased, String summary) {
        draft.set(rebased);
        status.set(summary);
    }

    void replaceDraft(ConfigDraft replaced) {
        draft.set(replaced);
    }

    public void select(BlockRef block) {
        selected.set(block);
    }

    /** Shows a file in the text tab (a problem's file, clicked in the list). */
    public void showFile(String path) {
        if (paths.contains(path)) {
            shownPath.set(path);
        }
    }

    /** A push of this editor's draft runs (the push window's): the editor's buttons wait. */
    void setBusy(boolean value) {
        busy.set(value);
    }

    public ReadOnlyObjectProperty<ConfigDraft> draftProperty() {
        return draft;
    }

    public ConfigDraft draft() {
        return draft.get();
    }

    public ReadOnlyObjectProperty<Phase> phaseProperty() {
        return phase;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty problemProperty() {
        return problem;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    public ReadOnlyBooleanProperty changedProperty() {
        return changed;
    }

    /** The file the text tab shows: an input too (the file chooser above the text writes it). */
    public StringProperty shownPathProperty() {
        return shownPath;
    }

    public ObservableList<String> paths() {
        return pathsView;
    }

    public ObservableList<BlockRef> blocks() {
        return blocksView;
    }

    public ReadOnlyObjectProperty<BlockRef> selectedProperty() {
        return selected;
    }

    public ObservableList<ProblemRow> problems() {
        return problemsView;
    }

    /** The findings inside a block, for the form. */
    public List<ProblemRow> problemsIn(BlockRef block) {
        return problems.stream().filter(p -> block.covers(p.file(), p.line())).toList();
    }

    /** A one-line summary of what changed, for the header and the close prompt. */
    public String changeSummary() {
        ConfigDraft current = draft.get();
        if (current == null || !current.changed()) {
            return "no changes";
        }
        List<FileChange> changes = current.changes();
        return changes.size() == 1 ? "edited " + fileName(changes.get(0).path()) : "edited " + changes.size() + " files";
    }

    private void parseTyped() {
        String path = pendingPath;
        String text = pendingText;
        pendingText = null;
        ConfigDraft current = draft.get();
        if (current == null || text == null) {
            return;
        }
        draft.set(current.withText(path, text));
    }

    private void drafted(ConfigDraft old, ConfigDraft now) {
        if (now == null) {
            return;
        }
        changed.set(now.changed());
        if (old != null && old.document() != now.document()) {
            nodeProblems = List.of();
        }
        List<BlockRef> refs = FormValues.blocks(now.model());
        BlockRef was = selected.get();
        blocks.setAll(refs);
        BlockRef again = was == null ? null : refs.stream()
                .filter(r -> r.kind() == was.kind() && r.name().equals(was.name())).findFirst().orElse(null);
        if (again == null) {
            again = target.instance().flatMap(name -> refs.stream()
                    .filter(r -> r.kind() == BlockKind.INSTANCE && r.name().equals(name)).findFirst())
                    .orElse(refs.isEmpty() ? null : refs.get(0));
        }
        selected.set(again);
        lint(now);
    }

    /** Lint off the FX thread; only the newest draft's findings are shown. */
    private void lint(ConfigDraft linted) {
        if (linting != null) {
            linting.cancel();
        }
        linting = tasks.run(() -> linted.lint().diagnostics().stream().map(ProblemRow::of).toList()).onSuccess(found -> {
            lintProblems = found;
            refreshProblems();
        }).onError(error -> problem.set(target.label() + ": lint failed: " + error.getMessage())).start();
        refreshProblems();
    }

    private void refreshProblems() {
        List<ProblemRow> all = new ArrayList<>(nodeProblems);
        all.addAll(lintProblems);
        problems.setAll(all);
    }

    private String initialPath(ConfigDraft opened) {
        return target.instance().flatMap(name -> opened.model().instance(name))
                .map(i -> i.node().location().file()).filter(opened.paths()::contains).orElse(opened.mainPath());
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String message(Throwable error) {
        return Tasks.message(error);
    }
}
