package org.keepwatch.app.detail;

import atlantafx.base.theme.Styles;
import javafx.beans.InvalidationListener;
import javafx.beans.binding.BooleanBinding;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Badges;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.drafts.EditTarget;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.maintenance.MaintenancePlan;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The selected router: its verdict and why, then its members side by side, each with state,
 * priorities, the VIPs it holds and counters, then its timeline (a lane per member, zoomable, from the history).
 * A router as it was (the tables "as of" a moment) is shown with its actions off, saying why.
 */
public final class RouterDetailView {

    private static final double CARD_WIDTH = 250;
    /** A router whose members changed state this often in the timeline's window flaps: "Why?" is offered. */
    private static final int FLAPPING_TRANSITIONS = 4;
    private final VBox root = new VBox(10);
    private final Supplier<FleetState> state;
    private final Clock clock;
    private final Navigator navigator;
    // "Edit config…" for the router and on each member card, shown when the editor is there to open.
    private final BooleanBinding canEditRouter;
    private final BooleanBinding canEditNode;
    private final BooleanBinding canPlan;
    private final BooleanBinding canShowLog;
    private final BooleanBinding canDiagnose;
    private RouterRow shown;
    private final RouterTimelineViewModel timelineModel;
    private final RouterTimelineView timeline;

    public RouterDetailView(Supplier<FleetState> state, Clock clock, Navigator navigator) {
        this(state, clock, navigator, new RouterTimelineViewModel(state, clock));
    }

    public RouterDetailView(Supplier<FleetState> state, Clock clock, Navigator navigator, RouterTimelineViewModel timelineModel) {
        this.state = state;
        this.timelineModel = timelineModel;
        this.timeline = new RouterTimelineView(timelineModel, navigator);
        this.clock = clock;
        this.navigator = navigator;
        canEditRouter = navigator.canGo(Destination.EditRouter.class);
        canEditNode = navigator.canGo(Destination.EditNode.class);
        canPlan = navigator.canGo(Destination.PlanFailover.class);
        canShowLog = navigator.canGo(Destination.ShowLog.class);
        canDiagnose = navigator.canGo(Destination.Diagnose.class);
        canDiagnose.addListener((obs, was, can) -> render());
        canEditRouter.addListener((obs, was, can) -> render());
        canEditNode.addListener((obs, was, can) -> render());
        canPlan.addListener((obs, was, can) -> render());
        root.setId("router-detail");
        root.setPadding(new Insets(10));
        root.getStyleClass().add("kw-detail");
        show(null);
    }

    public Node root() {
        ScrollPane scroll = new ScrollPane(root);
        scroll.setFitToWidth(true);
        return scroll;
    }

    /** Shows a router (null: a hint), and keeps showing it as it changes. */
    public void show(RouterRow row) {
        if (shown != null) {
            shown.verdictProperty().removeListener(refresh);
            shown.membersProperty().removeListener(refresh);
        }
        boolean wasPast = shown != null && shown.asOf().isPresent();
        shown = row;
        if (row != null && row.asOf().isPresent()) {
            timelineModel.showAround(row.view(), row.asOf().get());
        } else if (wasPast) {
            timelineModel.live();
        }
        if (row != null) {
            row.verdictProperty().addListener(refresh);
            row.membersProperty().addListener(refresh);
        }
        render();
    }

    private final InvalidationListener refresh = obs -> render();

    private void render() {
        if (shown == null) {
            timelineModel.show(null);
            Label hint = new Label("Select a router to see its members side by side.");
            hint.getStyleClass().add("text-muted");
            root.getChildren().setAll(hint);
            return;
        }
        RouterStatus router = shown.view();
        timelineModel.show(router);
        boolean past = shown.asOf().isPresent();
        Label title = new Label(shown.nameProperty().get());
        title.getStyleClass().add("title-4");
        Label verdict = Badges.badge(Presentation.of(router.verdict()));
        verdict.setId("detail-verdict");
        VBox reasons = new VBox(2);
        router.reasons().forEach(r -> reasons.getChildren().add(new Label("• " + r)));
        String advice = Presentation.advice(router.verdict());
        if (!advice.isEmpty()) {
            Label what = new Label(advice);
            what.setWrapText(true);
            what.getStyleClass().add("kw-advice");
            reasons.getChildren().add(what);
        }
        HBox members = new HBox(10);
        members.setId("detail-members");
        router.members().forEach(m -> members.getChildren().add(card(router, m)));
        Label vips = new Label("VIPs: " + String.join(", ", router.vips()) + "    group " + router.key().scope()
                + "    last transition " + router.lastTransition().map(Formats::clock).orElse("not reported"));
        vips.getStyleClass().add("text-muted");
        HBox heading = new HBox(10, title, verdict);
        if (canEditRouter.get() && !past) {
            Button edit = new Button("Edit config of all members…", new FontIcon(Material2AL.EDIT));
            edit.setId("detail-edit-router");
            edit.setOnAction(e -> navigator.go(new Destination.EditRouter(router)));
            heading.getChildren().add(edit);
        }
        if (canDiagnose.get() && !past) {
            boolean troubled = router.verdict() != Verdict.HEALTHY || flapping(router);
            Button why = new Button(troubled ? "Why?" : "Diagnose…", new FontIcon(Material2AL.HELP_OUTLINE));
            why.setId("detail-why");
            if (troubled) {
                why.getStyleClass().add(Styles.ACCENT);
            }
            why.setTooltip(Tooltips.wrapping("Every member listens for VRRP for a few seconds; the most likely cause "
                    + "and the member it points at are said with what they rest on."));
            why.setOnAction(e -> navigator.go(new Destination.Diagnose(router)));
            heading.getChildren().add(why);
        }
        root.getChildren().setAll(heading, vips, reasons, members, timeline.root());
        shown.asOf().ifPresent(at -> {
            Label then = new Label("As of " + Formats.dateTime(at) + ", from the history: the past, not live. Editing, "
                    + "failover and diagnosis act on the fleet as it is now: go back to live to use them.");
            then.setId("detail-past");
            then.setWrapText(true);
            then.getStyleClass().add("kw-past-note");
            root.getChildren().add(1, then);
        });
    }

    private VBox card(RouterStatus router, RouterMember member) {
        boolean past = shown.asOf().isPresent();
        VBox card = new VBox(4);
        card.getStyleClass().add("kw-member-card");
        card.setPrefWidth(CARD_WIDTH);
        card.setPadding(new Insets(8));
        Label node = new Label(member.node());
        node.getStyleClass().add("title-4");
        Label badge = Badges.badge(Presentation.of(member.state()));
        Label priority = new Label("priority " + member.lastKnown().basePriority() + ", effective "
                + member.lastKnown().effectivePriority());
        Label held = new Label(member.vipsHeld().isEmpty() ? "holds no VIP" : "holds " + String.join(", ", member.vipsHeld()));
        Label counters = new Label("adverts sent " + member.lastKnown().stats().advertSent() + ", received "
                + member.lastKnown().stats().advertReceived());
        counters.getStyleClass().add("text-muted");
        Label since = new Label(member.current() ? "last transition " + Formats.clock(member.lastKnown().lastTransition())
                : "not current; last seen " + Formats.clock(member.lastSeen()));
        since.getStyleClass().add("text-muted");
        Node heading = node;
        Hyperlink log = new Hyperlink("Log…");
        log.setId("detail-log-" + member.node());
        log.setOnAction(e -> navigator.go(new Destination.ShowLog(member.node(), Optional.of(member.lastKnown().daemon()),
                Optional.of(member.lastKnown().name()), Optional.empty())));
        log.visibleProperty().bind(canShowLog);
        log.managedProperty().bind(canShowLog);
        if (canEditNode.get() && !past) {
            Hyperlink edit = new Hyperlink("Edit config…");
            edit.setId("detail-edit-" + member.node());
            edit.setOnAction(e -> navigator.go(new Destination.EditNode(target(member))));
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            HBox top = new HBox(8, node, gap, log, edit);
            top.setAlignment(Pos.CENTER_LEFT);
            heading = top;
        }
        if (heading == node) {
            Region gap = new Region();
            HBox.setHgrow(gap, Priority.ALWAYS);
            HBox top = new HBox(node, gap, log);
            top.setAlignment(Pos.CENTER_LEFT);
            heading = top;
        }
        card.getChildren().setAll(heading, badge, priority, held, since, counters);
        // what the instance is made of (v3, unicast, VMAC, sync group, tracking...), where it is more than plain
        String shape = member.lastKnown().shapeWords();
        if (!shape.isEmpty()) {
            Label shapeLine = new Label(shape);
            shapeLine.setId("detail-shape-" + member.node());
            shapeLine.getStyleClass().add("text-muted");
            shapeLine.setWrapText(true);
            card.getChildren().add(3, shapeLine);
        }
        member.daemon().flatMap(DaemonObservation::maintenance).filter(MaintenanceWeight::drained).ifPresent(m -> {
            Label drained = new Label(m.describeDrain());
            drained.setId("detail-drained-" + member.node());
            drained.getStyleClass().add("kw-drained");
            drained.setWrapText(true);
            card.getChildren().add(2, drained);
        });
        if (canPlan.get() && !past) {
            boolean master = member.state() == VrrpState.MASTER;
            Hyperlink act = new Hyperlink(master ? "Move master away…" : "Make master here…");
            act.setId((master ? "detail-move-away-" : "detail-make-master-") + member.node());
            act.setOnAction(e -> navigator.go(master
                    ? new Destination.PlanFailover(MaintenancePlan.Kind.MOVE_AWAY, Optional.empty(), Optional.of(router.key()))
                    : new Destination.PlanFailover(MaintenancePlan.Kind.FAILOVER, Optional.of(member.node()), Optional.of(router.key()))));
            card.getChildren().add(act);
        }
        return card;
    }

    /** Whether the router's members changed state {@link #FLAPPING_TRANSITIONS} times or more in the timeline's window. */
    private boolean flapping(RouterStatus router) {
        Instant since = clock.instant().minus(StateTimeline.WINDOW);
        long changes = router.members().stream().flatMap(m -> state.get().history(m.lastKnown().id()).stream())
                .filter(t -> t.at().isAfter(since)).count();
        return changes >= FLAPPING_TRANSITIONS;
    }

    /** What a member's "Edit config…" edits: its keepalived, opened at its instance. */
    static EditTarget target(RouterMember member) {
        return new EditTarget(member.node(), member.lastKnown().daemon(), Optional.of(member.lastKnown().name()));
    }
}
