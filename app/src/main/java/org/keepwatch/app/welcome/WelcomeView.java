package org.keepwatch.app.welcome;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a first start shows: ways to get a fleet, each one click away. */
public final class WelcomeView {

    /** One way to start, e.g. "Open the lab's fleet file". */
    public record Choice(String id, String text, String detail, Runnable run) {
    }

    public static final Path LAB_FLEET = Path.of("/var/lib/kw-lab/fleet.json");
    private final VBox root = new VBox(14);
    private final VBox choices = new VBox(8);

    public WelcomeView() {
        root.setId("welcome-view");
        root.setAlignment(Pos.CENTER);
        root.setPadding(new Insets(40));
        FontIcon icon = new FontIcon(Material2OutlinedAL.DNS);
        icon.getStyleClass().add("kw-empty-icon");
        Label heading = new Label("No fleet open");
        heading.setId("empty-state-heading");
        heading.getStyleClass().add("title-2");
        Label hint = new Label("Keepwatch shows every keepalived router of a fleet live: who is MASTER, who is BACKUP, "
                + "and whether each cluster is healthy. Start with one of these:");
        hint.setWrapText(true);
        hint.setMaxWidth(560);
        hint.getStyleClass().add("text-muted");
        choices.setAlignment(Pos.CENTER_LEFT);
        choices.setMaxWidth(420);
        root.getChildren().setAll(icon, heading, hint, choices);
        root.getStyleClass().add("kw-empty-state");
    }

    public void setChoices(List<Choice> choices) {
        this.choices.getChildren().setAll(choices.stream().map(WelcomeView::button).toList());
    }

    private static Node button(Choice choice) {
        Button button = new Button(choice.text(), new FontIcon(Material2AL.ARROW_FORWARD));
        button.setId(choice.id());
        button.setMaxWidth(Double.MAX_VALUE);
        button.setOnAction(e -> choice.run().run());
        Label detail = new Label(choice.detail());
        detail.getStyleClass().add("text-muted");
        detail.setWrapText(true);
        VBox box = new VBox(2, button, detail);
        return box;
    }

    public static boolean labIsUp() {
        return Files.isReadable(LAB_FLEET);
    }

    public Node root() {
        return root;
    }
}
