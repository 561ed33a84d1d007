package org.keepwatch.app.shell;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

/**
 * The main window's content. For now a header and an empty state; the router, instance, node and
 * event views take the centre once the fleet engine exists.
 */
public final class MainView {

    private final BorderPane root = new BorderPane();

    public MainView() {
        root.setId("main-view");
        root.setTop(header());
        root.setCenter(emptyState());
    }

    public Parent root() {
        return root;
    }

    private static HBox header() {
        Label title = new Label("Keepwatch");
        title.getStyleClass().add("title-3");
        Label subtitle = new Label("keepalived / VRRP routers");
        subtitle.getStyleClass().add("text-muted");
        FontIcon logo = new FontIcon(Material2OutlinedAL.DEVICE_HUB);
        logo.getStyleClass().add("kw-logo");
        HBox header = new HBox(12, logo, title, subtitle);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(10, 16, 10, 16));
        header.getStyleClass().add("kw-header");
        return header;
    }

    private static VBox emptyState() {
        FontIcon icon = new FontIcon(Material2OutlinedAL.DNS);
        icon.getStyleClass().add("kw-empty-icon");
        Label heading = new Label("No fleet open");
        heading.setId("empty-state-heading");
        heading.getStyleClass().add("title-2");
        Label hint = new Label("Keepwatch shows every keepalived router of a fleet live: who is MASTER, "
                + "who is BACKUP, and whether each cluster is healthy.");
        hint.setWrapText(true);
        hint.setMaxWidth(520);
        hint.getStyleClass().add("text-muted");
        VBox box = new VBox(12, icon, heading, hint);
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().add("kw-empty-state");
        box.setPadding(new Insets(32));
        return box;
    }
}
