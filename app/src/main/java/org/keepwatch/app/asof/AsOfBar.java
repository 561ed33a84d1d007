package org.keepwatch.app.asof;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

/**
 * "As of": the toolbar's field (type a moment, Enter; what is wrong said beside it) and the banner across the top while
 * the tables show the past, with "Back to live".
 */
public final class AsOfBar {

    private final HBox field;
    private final VBox banner;

    public AsOfBar(AsOfViewModel model) {
        TextField moment = new TextField();
        moment.setId("as-of-field");
        moment.setPromptText("As of… (HH:MM)");
        moment.setPrefColumnCount(12);
        moment.textProperty().bindBidirectional(model.textProperty());
        moment.setOnAction(e -> model.go());
        moment.setTooltip(new Tooltip("Show the Routers and Instances tables as the fleet was at a moment, from the history:\n"
                + "a time (03:12 or 03:12:30: today's, or yesterday's if today's has not come yet),\n"
                + "or a date and a time (2026-12-05 03:12). Enter to go."));
        Button go = new Button(null, new FontIcon(Material2AL.HISTORY));
        go.setId("as-of-go");
        go.setTooltip(new Tooltip("Show the fleet as of this moment"));
        go.setOnAction(e -> model.go());
        go.disableProperty().bind(model.loadingProperty());
        Label error = new Label();
        error.setId("as-of-error");
        error.getStyleClass().add("kw-problem");
        error.setWrapText(true);
        error.textProperty().bind(model.errorProperty());
        error.visibleProperty().bind(model.errorProperty().isNotEmpty());
        error.managedProperty().bind(model.errorProperty().isNotEmpty());
        model.errorProperty().addListener((obs, was, now) -> {
            moment.pseudoClassStateChanged(javafx.css.PseudoClass.getPseudoClass("danger"), !now.isEmpty());
        });
        field = new HBox(4, moment, go);
        field.setAlignment(Pos.CENTER_LEFT);
        field.visibleProperty().bind(model.availableProperty());
        field.managedProperty().bind(model.availableProperty());

        FontIcon icon = new FontIcon(Material2AL.HISTORY);
        icon.getStyleClass().add("kw-as-of-icon");
        Label title = new Label();
        title.setId("as-of-banner-text");
        title.getStyleClass().add("title-4");
        title.textProperty().bind(model.bannerProperty());
        Label summary = new Label();
        summary.setId("as-of-summary");
        summary.setWrapText(true);
        summary.textProperty().bind(model.summaryProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button live = new Button("Back to live");
        live.setId("as-of-back-to-live");
        live.setDefaultButton(false);
        live.setOnAction(e -> model.backToLive());
        live.setMinWidth(Region.USE_PREF_SIZE);
        HBox top = new HBox(10, icon, title, spacer, live);
        top.setAlignment(Pos.CENTER_LEFT);
        VBox past = new VBox(2, top, summary);
        past.setId("as-of-banner");
        past.getStyleClass().add("kw-as-of-banner");
        past.setPadding(new Insets(8, 16, 8, 16));
        past.visibleProperty().bind(model.pastProperty());
        past.managedProperty().bind(model.pastProperty());
        // a moment that cannot be shown is said under the header, where there is room for the whole sentence
        HBox problem = new HBox(error);
        problem.setPadding(new Insets(2, 16, 2, 16));
        problem.visibleProperty().bind(error.visibleProperty());
        problem.managedProperty().bind(error.visibleProperty());
        banner = new VBox(problem, past);
    }

    /** The field for the toolbar. */
    public Node field() {
        return field;
    }

    /** The banner across the top, shown while the past is. */
    public Node banner() {
        return banner;
    }
}
