package org.keepwatch.app.common;

import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import org.keepwatch.fleet.VrrpState;

/** A VRRP state as a badge: icon, colour and word. */
public final class StateCell<R> extends TableCell<R, VrrpState> {
    private final Label badge = new Label();

    @Override
    protected void updateItem(VrrpState state, boolean empty) {
        super.updateItem(state, empty);
        if (empty || state == null) {
            setGraphic(null);
            return;
        }
        Badges.dress(badge, Presentation.of(state));
        setGraphic(badge);
    }
}
