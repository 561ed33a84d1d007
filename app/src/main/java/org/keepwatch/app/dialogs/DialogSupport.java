package org.keepwatch.app.dialogs;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Dialog;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.Modality;
import javafx.stage.Window;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.List;
import java.util.Objects;

/** What every Keepwatch dialog shares: its owner, the app's stylesheets, a header icon, copyable values. */
public final class DialogSupport {

    private DialogSupport() {
    }

    /** Owned by {@code owner} (centred on it, modal to it) and styled like the main window. */
    public static void prepare(Dialog<?> dialog, Window owner, String id) {
        if (owner != null) {
            dialog.initOwner(owner);
            dialog.initModality(Modality.WINDOW_MODAL);
        }
        DialogPane pane = dialog.getDialogPane();
        pane.setId(id);
        style(pane.getStylesheets());
        pane.setMinWidth(520);
    }

    public static void style(Scene scene) {
        style(scene.getStylesheets());
    }

    private static void style(List<String> stylesheets) {
        stylesheets.add(Objects.requireNonNull(DialogSupport.class.getResource("/org/keepwatch/app/keepwatch.css"),
                "keepwatch.css").toExternalForm());
        stylesheets.add(Objects.requireNonNull(DialogSupport.class.getResource("dialogs.css"), "dialogs.css")
                .toExternalForm());
    }

    /** A header icon in one of the kw-dialog-icon-* colours (info, warning, danger). */
    public static Node icon(Ikon ikon, String tone) {
        FontIcon icon = new FontIcon(ikon);
        icon.getStyleClass().addAll("kw-dialog-icon", "kw-dialog-icon-" + tone);
        return icon;
    }

    /** A value to compare or paste (a fingerprint, a command): monospace, selectable, with a copy button. */
    public static HBox copyable(String id, String value) {
        TextInputControl text;
        if (value.contains("\n")) {
            TextArea area = new TextArea(value);
            area.setWrapText(true);
            area.setPrefRowCount((int) value.lines().count());
            text = area;
        } else {
            // One line stays one line: a fingerprint broken in two is hard to compare.
            TextField field = new TextField(value);
            field.setPrefColumnCount(Math.min(value.length(), 90));
            text = field;
        }
        text.setId(id);
        text.setEditable(false);
        text.getStyleClass().add("kw-mono");
        text.setFocusTraversable(false);
        Button copy = new Button(null, new FontIcon(Material2AL.CONTENT_COPY));
        copy.setId(id + "-copy");
        copy.setTooltip(new Tooltip("Copy"));
        copy.setMinWidth(Region.USE_PREF_SIZE);
        copy.setOnAction(e -> {
            ClipboardContent content = new ClipboardContent();
            content.putString(value);
            Clipboard.getSystemClipboard().setContent(content);
        });
        HBox box = new HBox(4, text, copy);
        HBox.setHgrow(text, Priority.ALWAYS);
        return box;
    }

    /** A paragraph that wraps to the dialog's width. */
    public static Label paragraph(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.setMaxWidth(Double.MAX_VALUE);
        label.setMinHeight(Label.USE_PREF_SIZE);
        return label;
    }
}
