package org.keepwatch.app.common;

import javafx.scene.control.Label;
import org.kordamp.ikonli.javafx.FontIcon;

/** A word with its state's icon and colour: never colour alone. */
public final class Badges {

    private Badges() {
    }

    public static Label badge(Presentation.Look look) {
        Label label = new Label(look.text(), icon(look));
        label.getStyleClass().addAll("kw-badge", look.styleClass());
        return label;
    }

    /** Re-dresses an existing label (table cells reuse theirs). */
    public static void dress(Label label, Presentation.Look look) {
        label.setText(look.text());
        label.setGraphic(icon(look));
        label.getStyleClass().removeIf(c -> c.startsWith("kw-state-") || c.startsWith("kw-verdict-"));
        if (!label.getStyleClass().contains("kw-badge")) {
            label.getStyleClass().add("kw-badge");
        }
        label.getStyleClass().add(look.styleClass());
    }

    public static FontIcon icon(Presentation.Look look) {
        FontIcon icon = new FontIcon(look.icon());
        icon.getStyleClass().add("kw-badge-icon");
        return icon;
    }
}
