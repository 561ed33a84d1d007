package org.keepwatch.app.editor;

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
import org.keepwatch.app.common.Tasks;
import org.keepwatch.config.Diagnostic;
import org.keepwatch.config.PeerReport;
import org.keepwatch.config.Severity;
import org.keepwatch.config.SharedSettingChange;
import org.keepwatch.config.SharedSettings;
import org.keepwatch.config.VrrpInstance;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.drafts.FileChange;
import org.keepwatch.drafts.FormEdits;
import org.keepwatch.drafts.FormValues;
import org.keepwatch.drafts.RouterDraft;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.push.ElectionForecast;
import org.keepwatch.push.NodeConfigService;
import org.keepwatch.push.PushService;
import org.keepwatch.push.RollingApply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A VRRP router's configuration edited once for all its members: the settings they must share (VIPs,
 * advert interval, authentication), each member's priority, the peer consistency report of the
 * edited configurations, and the push to every member as a rolling apply with each member's steps.
 * FX thread only.
 */
public final class RouterEditorViewModel {

    /** Which router: its key, how operators call it, its members (node, daemon, instance), its live view. */
    public record Spec(RouterKey key, String label, List<EditTarget> members, Supplier<Optional<RouterStatus>> live) {

        public static Spec of(RouterStatus router, Supplier<Optional<RouterStatus>> live) {
            List<EditTarget> members = router.members().stream().map(m -> new EditTarget(m.node(), m.lastKnown().daemon(),
                    Optional.of(m.lastKnown().name()))).toList();
            String label = router.key().kind() == RouterKey.Kind.NEUTRON ? router.key().label()
                    : router.name() + " (" + router.key().label() + ")";
            return new Spec(router.key(), label, members, live);
        }
    }

    public enum Phase { LOADING, READY, FAILED }

    /** A peer disagreement or an error in a member's file, in words that name the member, file and line. */
    public record PeerCheckLine(boolean error, String text) {
    }

    public enum Stage { EDIT, REVIEW, PUSHING, DONE }

    /** Fields every member must agree on, edited once. */
    public static final List<String> SHARED = List.of("virtual_ipaddress", "advert_int", "authentication auth_type",
            "authentication auth_pass", "nopreempt");

    private final Spec spec;
    private final NodeConfigService configs;
    private final PushService pushes;
    private final Tasks tasks;
    private final ObjectProperty<RouterDraft> draft = new SimpleObjectProperty<>(this, "draft");
    private final ObjectProperty<Phase> phase = new SimpleObjectProperty<>(this, "phase", Phase.LOADING);
    private final ObjectProperty<Stage> stage = new SimpleObjectProperty<>(this, "stage", Stage.EDIT);
    private final StringProperty status = new SimpleStringProperty(this, "status", "");
    private final StringProperty problem = new SimpleStringProperty(this, "problem", "");
    private final BooleanProperty changed = new SimpleBooleanProperty(this, "changed");
    private final BooleanProperty pushing = new SimpleBooleanProperty(this, "pushing");
    private final ObservableList<MemberRow> members = FXCollections.observableArrayList();
    private final ObservableList<PeerCheckLine> findings = FXCollections.observableArrayList();
    private final StringProperty peerVerdict = new SimpleStringProperty(this, "peerVerdict", "");
    private final StringProperty splitWarning = new SimpleStringProperty(this, "splitWarning", "");
    private final StringProperty election = new SimpleStringProperty(this, "election", "");
    private final ObservableList<FileDiff> diffs = FXCollections.observableArrayList();
    private final ObjectProperty<PushViewModel.PushVerdict> verdict = new SimpleObjectProperty<>(this, "verdict");
    private final Map<String, StringProperty> shared = new LinkedHashMap<>();
    private final ObservableList<String> vips = FXCollections.observableArrayList();
    private final ObservableList<MemberRow> membersView = FXCollections.unmodifiableObservableList(members);
    private final ObservableList<PeerCheckLine> findingsView = FXCollections.unmodifiableObservableList(findings);
    private final ObservableList<FileDiff> diffsView = FXCollections.unmodifiableObservableList(diffs);
    private final ObservableList<String> vipsView = FXCollections.unmodifiableObservableList(vips);
    private Tasks.Running peerChecking;

    public RouterEditorViewModel(Spec spec, NodeConfigService configs, PushService pushes, Tasks tasks) {
        this.spec = spec;
        this.configs = configs;
        this.pushes = pushes;
        this.tasks = tasks;
        SHARED.stream().filter(k -> !k.equals("virtual_ipaddress")).forEach(k -> shared.put(k, new SimpleStringProperty(this, k, "")));
        spec.members().forEach(m -> members.add(new MemberRow(m.node(), m.instance().orElse(""))));
        draft.addListener((obs, old, now) -> drafted(now));
    }

    public Spec spec() {
        return spec;
    }

    /** Reads every member's configuration (again), dropping edits. */
    public void load() {
        status.set("Reading the configuration of " + members.size() + " member(s)…");
        tasks.await(configs.openRouter(spec.key(), spec.label(), spec.members())).onSuccess(opened -> {
            problem.set("");
            stage.set(Stage.EDIT);
            draft.set(opened);
            phase.set(Phase.READY);
            status.set("Read from " + String.join(", ", opened.members().stream().map(RouterDraft.Member::node).toList()));
        }).onError(error -> {
            problem.set(Tasks.message(error));
            status.set("");
            if (draft.get() == null) {
                phase.set(Phase.FAILED);
            }
        }).start();
    }

    /** One shared field on every member; blank removes it everywhere. */
    public boolean setShared(String key, String value) {
        BlockKind.Field field = BlockKind.INSTANCE.field(key).orElseThrow();
        return change(d -> d.editAll(field, value));
    }

    public boolean setVips(List<String> entries) {
        BlockKind.Field field = BlockKind.INSTANCE.field("virtual_ipaddress").orElseThrow();
        return change(d -> d.editAllEntries(field, entries));
    }

    /** A member's own priority. */
    public boolean setPriority(String node, String value) {
        return change(d -> {
            RouterDraft.Member member = d.member(node).orElseThrow();
            BlockKind.Field field = BlockKind.INSTANCE.field("priority").orElseThrow();
            return d.editMember(node, FormEdits.set(member.block().orElseThrow(() -> new IllegalStateException(node
                    + " has no vrrp_instance " + member.instance())), field, value));
        });
    }

    /** Shows the change of every member side by side. */
    public boolean review() {
        RouterDraft current = draft.get();
        if (current == null || !current.changed()) {
            status.set("Nothing to push: every member's configuration is as read");
            return false;
        }
        List<FileDiff> all = new ArrayList<>();
        List<SharedSettingChange> shared = new ArrayList<>();
        for (RouterDraft.Member m : current.members()) {
            for (FileChange c : m.draft().changes()) {
                all.add(FileDiff.of(c.path(), m.node() + " now", c.before(), m.node() + " after", c.after()));
                SharedSettings.changed(c.path(), c.before(), c.after(), m.draft().configId()).stream()
                        .filter(s -> shared.stream().noneMatch(x -> x.instance().equals(s.instance()) && x.setting() == s.setting()))
                        .forEach(shared::add);
            }
        }
        diffs.setAll(all);
        splitWarning.set(RollingApply.splitWarning(shared).orElse(""));
        election.set(pushes.election(current).map(ElectionForecast.Forecast::sentence).orElse(""));
        verdict.set(null);
        stage.set(Stage.REVIEW);
        return true;
    }

    public void backToEdit() {
        if (!pushing.get()) {
            stage.set(Stage.EDIT);
        }
    }

    /** The rolling apply: checks on every member first, then backups, then the master. */
    public void push() {
        RouterDraft current = draft.get();
        if (current == null || pushing.get()) {
            return;
        }
        stage.set(Stage.PUSHING);
        pushing.set(true);
        members.forEach(m -> {
            m.progress().reset();
            m.setRolling(current.member(m.node()).map(x -> x.draft().changed()).orElse(false) ? "waiting" : "no change");
        });
        tasks.await(pushes.pushRouter(current, p -> tasks.onUi(() -> progressed(p)),
                        (node, step) -> tasks.onUi(() -> row(node).ifPresent(r -> r.progress().apply(step)))))
                .onSuccess(outcome -> {
                    pushEnded();
                    finished(outcome);
                })
                .onError(error -> {
                    pushEnded();
                    verdict.set(new PushViewModel.PushVerdict(false, "Rolling push not started", Tasks.message(error)));
                })
                .start();
    }

    private void pushEnded() {
        pushing.set(false);
        members.forEach(m -> m.progress().finish());
        stage.set(Stage.DONE);
    }

    private void finished(PushService.RouterOutcome outcome) {
        RollingApply.Result result = outcome.result();
        for (RollingApply.MemberResult m : result.members()) {
            row(m.node()).ifPresent(r -> r.setRolling(switch (m.outcome()) {
                case APPLIED -> "applied";
                case UNCHANGED -> "already so";
                case NOT_ATTEMPTED -> "left untouched";
                default -> m.outcome().name().toLowerCase().replace('_', ' ') + ": " + m.message();
            }));
        }
        draft.set(outcome.draft());
        if (result.success()) {
            verdict.set(new PushViewModel.PushVerdict(true, "Pushed to every member of " + spec.label(),
                    "Each member was checked, written, reloaded and back in the election before the next; the master went last."));
            status.set("Pushed to " + String.join(", ", result.members().stream().map(RollingApply.MemberResult::node).toList()));
        } else {
            RollingApply.MemberResult failure = result.failure().orElseThrow();
            String untouched = result.members().stream().filter(m -> m.outcome() == RollingApply.Outcome.NOT_ATTEMPTED)
                    .map(RollingApply.MemberResult::node).collect(Collectors.joining(", "));
            String applied = result.members().stream().filter(m -> m.outcome() == RollingApply.Outcome.APPLIED)
                    .map(RollingApply.MemberResult::node).collect(Collectors.joining(", "));
            boolean split = failure.outcome() == RollingApply.Outcome.SPLIT_ROLLED_BACK || failure.outcome() == RollingApply.Outcome.SPLIT;
            // a split's message already says what was rolled back, what was left untouched and the safe way
            verdict.set(new PushViewModel.PushVerdict(false, "Stopped at " + failure.node() + ": " + headline(failure.outcome()),
                    split ? failure.message() + (applied.isEmpty() ? "" : " Applied on " + applied + ".")
                            : failure.message() + (applied.isEmpty() ? ". Nothing was written on any member." : ". Applied on " + applied + ".")
                            + (untouched.isEmpty() ? "" : " Untouched: " + untouched + ".")));
        }
        refreshStates();
    }

    /** The plan's warning goes to the status line, a member's step to its card. */
    private void progressed(RollingApply.Progress p) {
        if (p.phase() == RollingApply.Phase.PLAN) {
            status.set(p.message());
        } else {
            row(p.node()).ifPresent(r -> r.setRolling(describe(p)));
        }
    }

    private static String headline(RollingApply.Outcome outcome) {
        return switch (outcome) {
            case CHECK_FAILED -> "keepalived -t refused the change";
            case CONFLICT -> "the file changed on the node";
            case ROLLED_BACK -> "rolled back";
            case SPLIT_ROLLED_BACK -> "it became a second MASTER and was rolled back";
            case SPLIT -> "it became a second MASTER and the router is still split";
            default -> "failed";
        };
    }

    private static String describe(RollingApply.Progress p) {
        return switch (p.phase()) {
            case CHECK -> p.done() ? (p.ok() ? "checked: passes" : "check failed: " + p.message()) : "checking (keepalived -t)…";
            case APPLY -> p.done() ? (p.ok() ? "applied" : "apply failed: " + p.message()) : "applying…";
            case HEALTH -> p.done() ? p.message() : "waiting to rejoin the election…";
            case PLAN -> p.message();
            case ROLLBACK -> p.done() ? p.message() : "a second MASTER: rolling back…";
        };
    }

    private boolean change(UnaryOperator<RouterDraft> edit) {
        RouterDraft current = draft.get();
        if (current == null) {
            return false;
        }
        try {
            draft.set(edit.apply(current));
            problem.set("");
            return true;
        } catch (RuntimeException e) {
            problem.set(spec.label() + ": " + e.getMessage());
            drafted(current);
            return false;
        }
    }

    private void drafted(RouterDraft now) {
        if (now == null) {
            return;
        }
        changed.set(now.changed());
        for (MemberRow row : members) {
            Optional<RouterDraft.Member> m = now.member(row.node());
            Optional<VrrpInstance> instance = m.flatMap(RouterDraft.Member::model);
            row.setPriority(instance.map(i -> i.priority().isPresent() ? String.valueOf(i.priority().getAsInt()) : "").orElse("?"));
            row.setFile(m.map(x -> x.draft().changed() ? "edited" : "as read").orElse(""));
        }
        Optional<VrrpInstance> first = now.members().stream().map(RouterDraft.Member::model).flatMap(Optional::stream).findFirst();
        first.ifPresent(i -> {
            shared.forEach((key, property) -> property.set(FormValues.value(i.node(), BlockKind.INSTANCE.field(key).orElseThrow())));
            List<String> entries = FormValues.entries(i.node(), BlockKind.INSTANCE.field("virtual_ipaddress").orElseThrow());
            if (!vips.equals(entries)) {
                vips.setAll(entries);
            }
        });
        refreshStates();
        peers(now);
    }

    /** Peer consistency and each member's lint, off the FX thread; only the newest draft's are shown. */
    private void peers(RouterDraft checked) {
        if (peerChecking != null) {
            peerChecking.cancel();
        }
        peerChecking = tasks.run(() -> peerCheck(checked)).onSuccess(result -> {
            findings.setAll(result.findings());
            peerVerdict.set(result.verdict());
        }).start();
    }

    /** What the peer check found, and its verdict in words. */
    private record PeerCheck(List<PeerCheckLine> findings, String verdict) {
    }

    private PeerCheck peerCheck(RouterDraft checked) {
        List<PeerCheckLine> found = new ArrayList<>();
        String verdictText;
        try {
            PeerReport report = checked.peers();
            report.findings().forEach(f -> found.add(new PeerCheckLine(f.diagnostic().severity() == Severity.ERROR,
                    f.member() + ": " + where(f.diagnostic()) + f.diagnostic().message() + " [" + f.router() + "]")));
            long lintErrors = 0;
            for (RouterDraft.Member m : checked.members()) {
                for (Diagnostic d : m.draft().lint().diagnostics()) {
                    if (d.severity() == Severity.ERROR) {
                        lintErrors++;
                        found.add(new PeerCheckLine(true, m.node() + ": " + where(d) + d.message()));
                    }
                }
            }
            verdictText = report.findings().isEmpty() && lintErrors == 0 ? "The members agree on " + spec.label()
                    : report.errors() + " disagreement(s), " + report.warnings() + " warning(s) between members"
                    + (lintErrors > 0 ? "; " + lintErrors + " error(s) in members' files" : "");
        } catch (RuntimeException e) {
            verdictText = "The peer check failed: " + e.getMessage();
        }
        return new PeerCheck(found, verdictText);
    }

    private static String where(Diagnostic d) {
        return ConfigEditorViewModel.fileName(d.location().file()) + ":" + d.location().line() + ": ";
    }

    private void refreshStates() {
        Optional<RouterStatus> live = spec.live().get();
        for (MemberRow row : members) {
            Optional<RouterMember> member = live.flatMap(r -> r.member(row.node()));
            row.setState(member.map(RouterMember::state).orElse(VrrpState.UNKNOWN));
            row.setLive(member.map(m -> "effective " + m.lastKnown().effectivePriority()).orElse("not seen"));
        }
    }

    private Optional<MemberRow> row(String node) {
        return members.stream().filter(m -> m.node().equals(node)).findFirst();
    }

    public ReadOnlyObjectProperty<RouterDraft> draftProperty() {
        return draft;
    }

    public ReadOnlyObjectProperty<Phase> phaseProperty() {
        return phase;
    }

    public ReadOnlyObjectProperty<Stage> stageProperty() {
        return stage;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status;
    }

    public ReadOnlyStringProperty problemProperty() {
        return problem;
    }

    public ReadOnlyBooleanProperty changedProperty() {
        return changed;
    }

    public ReadOnlyBooleanProperty pushingProperty() {
        return pushing;
    }

    public ObservableList<MemberRow> members() {
        return membersView;
    }

    public ObservableList<PeerCheckLine> findings() {
        return findingsView;
    }

    /** Before the push: what the change alters that every member must share, and what a rolling push does then. */
    public ReadOnlyStringProperty splitWarningProperty() {
        return splitWarning;
    }

    /** Before the push: what the election will do once every member has its edit ("n3 (200) will take VI_2 over from n2 (150)"). */
    public ReadOnlyStringProperty electionProperty() {
        return election;
    }

    public ReadOnlyStringProperty peerVerdictProperty() {
        return peerVerdict;
    }

    public ObservableList<FileDiff> diffs() {
        return diffsView;
    }

    public ReadOnlyObjectProperty<PushViewModel.PushVerdict> verdictProperty() {
        return verdict;
    }

    /** A shared field's value on the members (its edits go through {@link #setShared}). */
    public ReadOnlyStringProperty shared(String key) {
        return shared.get(key);
    }

    public ObservableList<String> vips() {
        return vipsView;
    }
}
