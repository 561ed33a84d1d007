package org.keepwatch.app.fleetedit;

import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.HPos;
import javafx.geometry.Insets;
import javafx.geometry.VPos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.keepwatch.fleet.edit.FieldProblem;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A two-column form: a label, the field and, under it, what is wrong with that field right now. */
final class FormGrid {

    private final GridPane grid = new GridPane();
    private final Map<FieldProblem.Field, Label> problemLabels = new EnumMap<>(FieldProblem.Field.class);
    private int row;

    FormGrid(ObservableList<FieldProblem> problems) {
        grid.setHgap(12);
        grid.setVgap(2);
        grid.setPadding(new Insets(4, 0, 4, 0));
        ColumnConstraints labels = new ColumnConstraints();
        labels.setHalignment(HPos.RIGHT);
        labels.setMinWidth(120);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setMinWidth(280);
        grid.getColumnConstraints().setAll(labels, fields);
        problems.addListener((ListChangeListener<FieldProblem>) c -> show(problems));
        grid.getStyleClass().add("kw-form");
    }

    /** A field with its label and hint; {@code field} names where its problems show. */
    FormGrid add(String label, Node control, FieldProblem.Field field, String hint) {
        Label name = new Label(label);
        name.setLabelFor(control);
        Label problem = new Label();
        problem.setId("problem-" + field.name().toLowerCase().replace('_', '-'));
        problem.setWrapText(true);
        problem.setManaged(false);
        problem.setVisible(false);
        problemLabels.put(field, problem);
        VBox cell = new VBox(2, control);
        if (hint != null && !hint.isEmpty()) {
            Label help = new Label(hint);
            help.getStyleClass().addAll("text-muted", "text-small");
            help.setWrapText(true);
            cell.getChildren().add(help);
        }
        cell.getChildren().add(problem);
        grid.add(name, 0, row);
        grid.add(cell, 1, row);
        GridPane.setMargin(name, new Insets(6, 0, 0, 0));
        GridPane.setValignment(name, VPos.TOP);
        GridPane.setMargin(cell, new Insets(0, 0, 6, 0));
        row++;
        return this;
    }

    /** A heading across both columns. */
    FormGrid section(String title) {
        Label heading = new Label(title);
        heading.getStyleClass().add("kw-form-section");
        grid.add(heading, 0, row, 2, 1);
        GridPane.setMargin(heading, new Insets(row == 0 ? 0 : 10, 0, 4, 0));
        row++;
        return this;
    }

    private void show(ObservableList<FieldProblem> problems) {
        Map<FieldProblem.Field, List<FieldProblem>> byField = problems.stream()
                .collect(Collectors.groupingBy(FieldProblem::field));
        problemLabels.forEach((field, label) -> {
            List<FieldProblem> mine = byField.getOrDefault(field, List.of());
            label.setText(mine.stream().map(FieldProblem::message).collect(Collectors.joining("\n")));
            boolean error = mine.stream().anyMatch(FieldProblem::blocking);
            label.getStyleClass().removeAll("kw-field-error", "kw-field-warning");
            label.getStyleClass().add(error ? "kw-field-error" : "kw-field-warning");
            label.setGraphic(mine.isEmpty() ? null : new FontIcon(error ? Material2AL.ERROR_OUTLINE : Material2MZ.WARNING));
            label.setManaged(!mine.isEmpty());
            label.setVisible(!mine.isEmpty());
        });
    }

    /** Shows the problems already there (the listener only sees later changes). */
    GridPane build(ObservableList<FieldProblem> problems) {
        show(problems);
        return grid;
    }
}
