package org.keepwatch.app.instances;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.VrrpState;

import java.time.Instant;
import java.util.Optional;

/** One instance on one node as a table row. The state is UNKNOWN whenever it is not current. */
public final class InstanceRow {

    /** A member together with the router it belongs to: what the row is made from. */
    public record Source(RouterKey router, String routerLabel, RouterMember member) {
    }

    private final InstanceId id;
    private final StringProperty node = new SimpleStringProperty(this, "node");
    private final StringProperty instance = new SimpleStringProperty(this, "instance");
    private final StringProperty router = new SimpleStringProperty(this, "router");
    private final ObjectProperty<VrrpState> state = new SimpleObjectProperty<>(this, "state");
    private final BooleanProperty current = new SimpleBooleanProperty(this, "current");
    private final IntegerProperty priority = new SimpleIntegerProperty(this, "priority");
    private final IntegerProperty effectivePriority = new SimpleIntegerProperty(this, "effectivePriority");
    private final StringProperty vips = new SimpleStringProperty(this, "vips");
    private final StringProperty vipsHeld = new SimpleStringProperty(this, "vipsHeld");
    private final StringProperty maintenance = new SimpleStringProperty(this, "maintenance");
    private final ObjectProperty<Instant> lastTransition = new SimpleObjectProperty<>(this, "lastTransition");
    private final LongProperty advertsSent = new SimpleLongProperty(this, "advertsSent");
    private final LongProperty advertsReceived = new SimpleLongProperty(this, "advertsReceived");
    private final StringProperty shape = new SimpleStringProperty(this, "shape");
    private RouterKey routerKey;
    private final Optional<Instant> asOf;

    public InstanceRow(Source source) {
        this(source, Optional.empty());
    }

    /** The instance as it was at {@code asOf} (the tables showing the past), or as it is (empty). */
    public InstanceRow(Source source, Optional<Instant> asOf) {
        this.id = source.member().lastKnown().id();
        this.asOf = asOf;
        update(source);
    }

    /** The moment this row shows the instance as it was; empty for the live row. */
    public Optional<Instant> asOf() {
        return asOf;
    }

    public void update(Source source) {
        RouterMember member = source.member();
        InstanceObservation observed = member.lastKnown();
        routerKey = source.router();
        node.set(observed.node());
        instance.set(observed.name() + (observed.netns().isEmpty() ? "" : "  [" + observed.netns() + "]"));
        router.set(source.routerLabel());
        state.set(member.state());
        current.set(member.current());
        priority.set(observed.basePriority());
        effectivePriority.set(observed.effectivePriority());
        vips.set(String.join(", ", observed.vips()));
        vipsHeld.set(String.join(", ", member.vipsHeld()));
        maintenance.set(member.daemon().flatMap(DaemonObservation::maintenance).filter(MaintenanceWeight::drained)
                .map(m -> "drained").orElse(""));
        lastTransition.set(observed.lastTransition().orElse(null));
        advertsSent.set(observed.stats().advertSent());
        advertsReceived.set(observed.stats().advertReceived());
        shape.set(observed.shapeWords());
    }

    public InstanceId id() {
        return id;
    }

    public RouterKey routerKey() {
        return routerKey;
    }

    /** The instance's shape in words (v3, IPv6, unicast, VMAC, sync group, tracking, nopreempt); empty when plain. */
    public ReadOnlyStringProperty shapeProperty() {
        return shape;
    }

    public ReadOnlyStringProperty nodeProperty() {
        return node;
    }

    public ReadOnlyStringProperty instanceProperty() {
        return instance;
    }

    public ReadOnlyStringProperty routerProperty() {
        return router;
    }

    public ReadOnlyObjectProperty<VrrpState> stateProperty() {
        return state;
    }

    public ReadOnlyBooleanProperty currentProperty() {
        return current;
    }

    public ReadOnlyIntegerProperty priorityProperty() {
        return priority;
    }

    public ReadOnlyIntegerProperty effectivePriorityProperty() {
        return effectivePriority;
    }

    public ReadOnlyStringProperty vipsProperty() {
        return vips;
    }

    /** "drained" while Keepwatch's maintenance weight drains the instance's keepalived, else "". */
    public ReadOnlyStringProperty maintenanceProperty() {
        return maintenance;
    }

    public ReadOnlyStringProperty vipsHeldProperty() {
        return vipsHeld;
    }

    public ReadOnlyObjectProperty<Instant> lastTransitionProperty() {
        return lastTransition;
    }

    public ReadOnlyLongProperty advertsSentProperty() {
        return advertsSent;
    }

    public ReadOnlyLongProperty advertsReceivedProperty() {
        return advertsReceived;
    }
}
