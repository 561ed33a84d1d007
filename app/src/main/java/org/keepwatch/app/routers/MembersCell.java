package org.keepwatch.app.routers;

import org.keepwatch.app.common.Tooltips;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.layout.HBox;
import org.keepwatch.app.common.Badges;
import org.keepwatch.app.common.Presentation;
import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.RouterMember;

import java.util.List;

/** Members side by side in one cell: node, state icon and word, effective priority; a star for who holds a VIP. */
final class MembersCell extends TableCell<RouterRow, List<RouterMember>> {

    private final HBox box = new HBox(6);

    MembersCell() {
        box.getStyleClass().add("kw-members");
    }

    @Override
    protected void updateItem(List<RouterMember> members, boolean empty) {
        super.updateItem(members, empty);
        if (empty || members == null) {
            setGraphic(null);
            setText(null);
            return;
        }
        box.getChildren().setAll(members.stream().map(MembersCell::member).toList());
        setGraphic(box);
    }

    static Label member(RouterMember member) {
        Presentation.Look look = Presentation.of(member.state());
        Label label = Badges.badge(look);
        boolean drained = member.daemon().map(DaemonObservation::drained).orElse(false);
        label.setText(member.node() + " " + look.text().toLowerCase() + " " + member.lastKnown().effectivePriority()
                + (drained ? " drained" : "") + (member.vipsHeld().isEmpty() ? "" : " ●"));
        if (drained) {
            label.getStyleClass().add("kw-drained");
        }
        label.setTooltip(Tooltips.wrapping(member.node() + ": " + look.text() + (member.current() ? "" : " (not current)")
                + "\npriority " + member.lastKnown().basePriority() + ", effective " + member.lastKnown().effectivePriority()
                + (member.vipsHeld().isEmpty() ? "" : "\nholds " + String.join(", ", member.vipsHeld()))
                + member.daemon().flatMap(DaemonObservation::maintenance).filter(MaintenanceWeight::drained)
                        .map(m -> "\n" + m.describeDrain()).orElse("")));
        return label;
    }
}
