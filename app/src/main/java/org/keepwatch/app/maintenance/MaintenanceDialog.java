package org.keepwatch.app.maintenance;

import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;

import java.util.Objects;

/**
 * The plan of a planned failover before anything happens (which router moves where, who is left as backup), or the
 * refusal in words; "Carry out" (with the explicit yes a router left without a healthy backup needs), then each step
 * as it happens and how it ended.
 */
public final class MaintenanceDialog {

    private static final double WIDTH = 760;
    private final Stage stage = new Stage();

    public MaintenanceDialog(MaintenanceViewModel model, Window owner) {
        Label title = new Label();
        title.textProperty().bind(model.titleProperty());
        title.getStyleClass().add("title-3");
        Label planHeading = new Label("The plan");
        planHeading.getStyleClass().add("title-4");
        VBox planLines = new VBox(4);
        planLines.setId("maintenance-plan");
        planLines.setPadding(new Insets(6));
        Runnable showPlan = () -> planLines.getChildren().setAll(model.plan().stream().map(line -> {
            Label label = new Label(line);
            label.setWrapText(true);
            label.setMaxWidth(WIDTH - 60);
            return label;
        }).toList());
        model.plan().addListener((ListChangeListener<String>) c -> showPlan.run());
        showPlan.run();
        ScrollPane plan = new ScrollPane(planLines);
        plan.setFitToWidth(true);
        plan.setPrefHeight(170);
        VBox refusals = new VBox(4);
        refusals.setId("maintenance-refusals");
        Runnable showRefusals = () -> refusals.getChildren().setAll(model.refusals().stream().map(r -> {
            Label line = new Label("Refused: " + r);
            line.setWrapText(true);
            line.getStyleClass().add("kw-refusal");
            line.setGraphic(new FontIcon(Material2AL.BLOCK));
            return line;
        }).toList());
        model.refusals().addListener((ListChangeListener<String>) c -> showRefusals.run());
        showRefusals.run();
        Label fallback = new Label();
        fallback.setId("maintenance-fallback");
        fallback.setWrapText(true);
        fallback.textProperty().bind(Bindings.createStringBinding(() -> model.fallbackProperty().get().isEmpty() ? ""
                : "Fallback: " + model.fallbackProperty().get(), model.fallbackProperty()));
        fallback.visibleProperty().bind(model.fallbackProperty().isNotEmpty());
        fallback.managedProperty().bind(fallback.visibleProperty());
        CheckBox byStopping = new CheckBox("Drain by stopping keepalived instead: a backup takes over at once, but the VIP "
                + "answers nobody for about half a second; undrain starts it again (so would a reboot of the node, or a "
                + "start by hand)");
        byStopping.setId("maintenance-by-stopping");
        byStopping.setWrapText(true);
        byStopping.visibleProperty().bind(model.fallbackOfferedProperty());
        byStopping.managedProperty().bind(byStopping.visibleProperty());
        byStopping.disableProperty().bind(model.phaseProperty().isEqualTo(MaintenanceViewModel.Phase.RUNNING));
        byStopping.selectedProperty().addListener((obs, old, yes) -> model.setByStopping(yes));
        CheckBox acknowledge = new CheckBox();
        acknowledge.setId("maintenance-acknowledge");
        acknowledge.setWrapText(true);
        acknowledge.textProperty().bind(Bindings.createStringBinding(() -> "Go on although "
                + String.join("; ", model.confirmations()), model.confirmations()));
        acknowledge.visibleProperty().bind(Bindings.isNotEmpty(model.confirmations()));
        acknowledge.managedProperty().bind(acknowledge.visibleProperty());
        acknowledge.selectedProperty().addListener((obs, old, yes) -> model.setAcknowledged(yes));
        TextField reason = new TextField();
        reason.setId("maintenance-reason");
        reason.setPromptText("Why (written to the node's audit log), e.g. kernel update");
        reason.textProperty().addListener((obs, old, text) -> model.setReason(text));
        Label progressHeading = new Label("Progress");
        progressHeading.getStyleClass().add("title-4");
        ListView<String> progress = new ListView<>(model.progress());
        progress.setId("maintenance-progress");
        progress.setPrefHeight(130);
        Label outcome = new Label();
        outcome.setId("maintenance-outcome");
        outcome.setWrapText(true);
        outcome.textProperty().bind(model.outcomeProperty());
        Button carryOut = new Button("Carry out", new FontIcon(Material2AL.DONE));
        carryOut.setId("maintenance-carry-out");
        carryOut.setDefaultButton(true);
        carryOut.disableProperty().bind(model.canCarryOut().not());
        carryOut.setOnAction(e -> model.carryOut());
        Button replan = new Button("Plan again");
        replan.setId("maintenance-replan");
        replan.disableProperty().bind(model.phaseProperty().isEqualTo(MaintenanceViewModel.Phase.RUNNING));
        replan.setOnAction(e -> model.replan());
        Button close = new Button("Close");
        close.setId("maintenance-close");
        close.setCancelButton(true);
        close.setOnAction(e -> stage.close());
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox buttons = new HBox(8, replan, gap, close, carryOut);
        VBox root = new VBox(8, title, planHeading, plan, refusals, fallback, byStopping, acknowledge, reason, progressHeading, progress,
                outcome, buttons);
        root.setPadding(new Insets(14));
        root.setPrefWidth(WIDTH);
        Scene scene = new Scene(root);
        if (owner != null && owner.getScene() != null) {
            scene.getStylesheets().setAll(owner.getScene().getStylesheets());
            stage.initOwner(owner);
        }
        stage.initModality(Modality.NONE);
        stage.setScene(scene);
        stage.titleProperty().bind(model.titleProperty());
    }

    public void show() {
        stage.show();
        stage.toFront();
    }

    public Stage stage() {
        return Objects.requireNonNull(stage);
    }
}
