package org.keepwatch.app.routers;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One VRRP router as a table row: what the Routers table and the detail pane show; a row {@link #asOf() as of} a
 * moment is the router as the history kept it then, never updated.
 */
public final class RouterRow {

    private final RouterKey key;
    private final StringProperty name = new SimpleStringProperty(this, "name");
    private final StringProperty group = new SimpleStringProperty(this, "group");
    private final StringProperty vips = new SimpleStringProperty(this, "vips");
    private final StringProperty master = new SimpleStringProperty(this, "master");
    private final ObjectProperty<List<RouterMember>> members = new SimpleObjectProperty<>(this, "members", List.of());
    private final ObjectProperty<Verdict> verdict = new SimpleObjectProperty<>(this, "verdict", Verdict.HEALTHY);
    private final StringProperty reasons = new SimpleStringProperty(this, "reasons", "");
    private final ObjectProperty<Instant> lastChange = new SimpleObjectProperty<>(this, "lastChange");
    private final Optional<Instant> asOf;
    private RouterStatus view;

    public RouterRow(RouterStatus view) {
        this(view, Optional.empty());
    }

    /** The router as it was at {@code asOf} (the tables showing the past), or as it is (empty). */
    public RouterRow(RouterStatus view, Optional<Instant> asOf) {
        this.key = view.key();
        this.asOf = asOf;
        update(view);
    }

    /** The moment this row shows the router as it was; empty for the live row. */
    public Optional<Instant> asOf() {
        return asOf;
    }

    public void update(RouterStatus newView) {
        view = newView;
        String label = newView.key().kind() == RouterKey.Kind.NEUTRON ? newView.key().label()
                : newView.name() + "  (" + newView.key().label() + ")";
        name.set(label);
        group.set(newView.key().scope());
        vips.set(String.join(", ", newView.vips()));
        master.set(newView.masters().isEmpty() ? "—" : String.join(", ", newView.masters()));
        members.set(newView.members());
        verdict.set(newView.verdict());
        reasons.set(String.join("\n", newView.reasons()));
        // keepalived's own time of the router's last transition; not when Keepwatch connected and first saw it
        lastChange.set(newView.lastTransition().orElse(null));
    }

    public RouterKey key() {
        return key;
    }

    public RouterStatus view() {
        return view;
    }

    public ReadOnlyStringProperty nameProperty() {
        return name;
    }

    public ReadOnlyStringProperty groupProperty() {
        return group;
    }

    public ReadOnlyStringProperty vipsProperty() {
        return vips;
    }

    public ReadOnlyStringProperty masterProperty() {
        return master;
    }

    public ReadOnlyObjectProperty<List<RouterMember>> membersProperty() {
        return members;
    }

    public ReadOnlyObjectProperty<Verdict> verdictProperty() {
        return verdict;
    }

    public ReadOnlyStringProperty reasonsProperty() {
        return reasons;
    }

    public ReadOnlyObjectProperty<Instant> lastChangeProperty() {
        return lastChange;
    }
}
