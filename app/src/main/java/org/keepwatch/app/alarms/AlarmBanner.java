package org.keepwatch.app.alarms;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;
import org.keepwatch.fleet.FleetEvent;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.stream.Collectors;

/** A red strip over the tables while an alarm is on: what, where, and a button to the router. */
public final class AlarmBanner {

    private final HBox root = new HBox(10);

    public AlarmBanner(AlarmsViewModel model, Navigator navigator) {
        root.setId("alarm-banner");
        root.getStyleClass().add("kw-alarm-banner");
        root.setPadding(new Insets(8, 12, 8, 12));
        root.setAlignment(Pos.CENTER_LEFT);
        FontIcon icon = new FontIcon(Material2MZ.WARNING);
        icon.getStyleClass().add("kw-alarm-icon");
        Label text = new Label();
        text.setId("alarm-text");
        text.textProperty().bind(model.headlineProperty());
        text.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(text, Priority.ALWAYS);
        Button show = new Button("Show router");
        show.setId("alarm-show");
        show.setOnAction(e -> {
            if (!model.alarms().isEmpty()) {
                navigator.go(new Destination.ShowRouter(model.alarms().get(0).router()));
            }
        });
        model.alarms().addListener((ListChangeListener<FleetEvent.Alarm>) c -> text.setTooltip(
                model.alarms().isEmpty() ? null : Tooltips.wrapping(model.alarms().stream()
                        .map(a -> a.verdict() + " " + a.router().label() + ": " + String.join("; ", a.reasons())
                                + "\n" + AlarmsViewModel.advice(a))
                        .collect(Collectors.joining("\n\n")))));
        root.getChildren().setAll(icon, text, show);
        root.visibleProperty().bind(model.anyProperty());
        root.managedProperty().bind(model.anyProperty());
    }

    public Node root() {
        return root;
    }
}
