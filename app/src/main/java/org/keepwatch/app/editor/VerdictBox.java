package org.keepwatch.app.editor;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

/** How a push ended, at a glance: a tick or a warning sign, a headline, and what happened in words. */
public final class VerdictBox {

    private final HBox root = new HBox(10);
    private final FontIcon icon = new FontIcon();
    private final Label headline = new Label();
    private final Label detail = new Label();

    public VerdictBox(String id) {
        root.setId(id);
        root.getStyleClass().add("kw-verdict-box");
        root.setAlignment(Pos.TOP_LEFT);
        icon.getStyleClass().add("kw-verdict-icon");
        headline.setId(id + "-headline");
        headline.getStyleClass().add("kw-verdict-headline");
        headline.setWrapText(true);
        detail.setId(id + "-detail");
        detail.setWrapText(true);
        VBox text = new VBox(4, headline, detail);
        HBox.setHgrow(text, Priority.ALWAYS);
        root.getChildren().setAll(icon, text);
        show(null);
    }

    public Node root() {
        return root;
    }

    public void show(PushViewModel.PushVerdict verdict) {
        root.setVisible(verdict != null);
        root.setManaged(verdict != null);
        if (verdict == null) {
            return;
        }
        root.getStyleClass().removeAll("kw-verdict-box-ok", "kw-verdict-box-bad");
        root.getStyleClass().add(verdict.success() ? "kw-verdict-box-ok" : "kw-verdict-box-bad");
        icon.setIconCode(verdict.success() ? Material2AL.CHECK_CIRCLE : Material2MZ.WARNING);
        headline.setText(verdict.headline());
        detail.setText(verdict.detail());
    }
}
