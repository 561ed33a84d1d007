package org.keepwatch.app.diagnosis;

import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.keepwatch.diagnosis.Cause;
import org.keepwatch.diagnosis.Diagnosis;
import org.keepwatch.diagnosis.Finding;
import org.keepwatch.diagnosis.Hearing;
import org.keepwatch.diagnosis.MemberEvidence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a diagnosis found, in words: while it listens, a spinner and each step; then the verdict first (the cause, the
 * member it points at, the sentence, the evidence under it), the other findings, who heard whom as a grid, and what
 * could not be looked at.
 */
public final class DiagnosisView {

    private static final double WRAP_WIDTH = 720;
    private final DiagnosisViewModel model;
    private final VBox root = new VBox(8);
    private final VBox listening = new VBox(4);
    private final VBox found = new VBox(6);
    private final Label failure = new Label();

    public DiagnosisView(DiagnosisViewModel model, Runnable close) {
        this.model = model;
        root.setId("diagnosis");
        root.setPadding(new Insets(14));
        Label title = new Label();
        title.getStyleClass().add("title-3");
        title.textProperty().bind(model.titleProperty());

        ProgressIndicator spinner = new ProgressIndicator();
        spinner.setPrefSize(22, 22);
        Label what = new Label("Listening for VRRP adverts on every member…");
        HBox head = new HBox(8, spinner, what);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox steps = new VBox(2);
        steps.setId("diagnosis-progress");
        model.progress().addListener((ListChangeListener<String>) change ->
                steps.getChildren().setAll(model.progress().stream().map(DiagnosisView::muted).toList()));
        listening.setId("diagnosis-listening");
        listening.getChildren().setAll(head, steps);
        listening.visibleProperty().bind(model.runningProperty());
        listening.managedProperty().bind(listening.visibleProperty());

        failure.setId("diagnosis-failure");
        failure.getStyleClass().add("kw-problem");
        failure.setWrapText(true);
        failure.textProperty().bind(model.failureProperty());
        failure.visibleProperty().bind(model.failureProperty().isNotEmpty());
        failure.managedProperty().bind(failure.visibleProperty());

        found.setId("diagnosis-result");
        model.resultProperty().addListener((obs, old, diagnosis) -> render(diagnosis));

        Button again = new Button("Listen again");
        again.setId("diagnosis-again");
        again.disableProperty().bind(model.runningProperty());
        again.setOnAction(e -> model.again());
        Button closeButton = new Button("Close");
        closeButton.setCancelButton(true);
        closeButton.setOnAction(e -> close.run());
        HBox buttons = new HBox(8, again, closeButton);
        buttons.setAlignment(Pos.CENTER_RIGHT);
        root.getChildren().setAll(title, listening, failure, found, buttons);
        render(model.resultProperty().get());
    }

    public Parent root() {
        ScrollPane scroll = new ScrollPane(root);
        scroll.setFitToWidth(true);
        return scroll;
    }

    private void render(Diagnosis diagnosis) {
        if (diagnosis == null) {
            found.getChildren().clear();
            return;
        }
        found.getChildren().setAll(verdict(diagnosis.verdict()));
        if (!diagnosis.findings().isEmpty()) {
            found.getChildren().add(section("Also found"));
            diagnosis.findings().forEach(f -> found.getChildren().add(finding(f)));
        }
        found.getChildren().add(section("Who hears whom (" + seconds(diagnosis.windowSeconds()) + " s of listening)"));
        found.getChildren().add(hearing(diagnosis));
        if (!diagnosis.notes().isEmpty()) {
            found.getChildren().add(section("Could not tell"));
            diagnosis.notes().forEach(n -> found.getChildren().add(muted(n)));
        }
    }

    private static Node verdict(Finding verdict) {
        Label cause = new Label(capitalized(verdict.cause().title()) + verdict.pointsAt().map(p -> " — " + p).orElse(""));
        cause.setId("diagnosis-verdict");
        cause.getStyleClass().add("kw-diagnosis-cause");
        Label sentence = wrapped(verdict.sentence());
        sentence.setId("diagnosis-sentence");
        VBox box = new VBox(4, muted("Most likely cause"), cause, sentence);
        verdict.evidence().forEach(e -> box.getChildren().add(evidence(e)));
        box.setPadding(new Insets(10));
        box.getStyleClass().add("kw-diagnosis-verdict");
        if (verdict.cause() == Cause.NONE_FOUND) {
            box.getStyleClass().add("kw-diagnosis-clear");
        }
        return box;
    }

    private static Node finding(Finding f) {
        Label heading = new Label(capitalized(f.cause().title()) + f.pointsAt().map(p -> " — " + p).orElse(""));
        heading.setStyle("-fx-font-weight: bold;");
        VBox box = new VBox(2, heading, wrapped(f.sentence()));
        f.evidence().forEach(e -> box.getChildren().add(evidence(e)));
        return box;
    }

    /** Listeners down, senders across: ✓ with the priority heard, ✗ where a member's adverts did not arrive. */
    private static Node hearing(Diagnosis d) {
        GridPane grid = new GridPane();
        grid.setId("diagnosis-hearing");
        grid.setHgap(14);
        grid.setVgap(3);
        List<String> heard = d.hearing().stream().map(Hearing::sender).distinct().toList();
        List<String> senders = new ArrayList<>(d.members().stream().map(MemberEvidence::node).filter(heard::contains).toList());
        heard.stream().filter(s -> !senders.contains(s)).forEach(senders::add);
        grid.add(muted("heard by ↓ / from →"), 0, 0);
        for (int c = 0; c < senders.size(); c++) {
            String s = senders.get(c);
            boolean stranger = d.hearing().stream().anyMatch(h -> h.sender().equals(s) && h.stranger());
            grid.add(bold(stranger ? s + " (stranger)" : s), c + 1, 0);
        }
        int row = 1;
        for (MemberEvidence m : d.members()) {
            grid.add(bold(m.node()), 0, row);
            if (m.failure().isPresent()) {
                grid.add(muted("not asked: " + m.failure().get()), 1, row, Math.max(1, senders.size()), 1);
                row++;
                continue;
            }
            for (int c = 0; c < senders.size(); c++) {
                String s = senders.get(c);
                Optional<Hearing> h = d.hearing().stream().filter(x -> x.listener().equals(m.node()) && x.sender().equals(s))
                        .findFirst();
                Label cell;
                if (s.equals(m.node())) {
                    cell = muted("—");
                } else if (h.isPresent() && h.get().heard()) {
                    cell = new Label("✓ " + h.get().packets() + " adverts, priority " + h.get().priority().orElse(0));
                    cell.getStyleClass().add("kw-diagnosis-heard");
                } else if (h.isPresent()) {
                    cell = new Label("✗ not heard");
                    cell.getStyleClass().add("kw-diagnosis-missed");
                } else {
                    cell = muted("");
                }
                grid.add(cell, c + 1, row);
            }
            row++;
        }
        if (senders.isEmpty()) {
            return muted("No member sent adverts during the window, and none was heard.");
        }
        return grid;
    }

    private static Label section(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("kw-diagnosis-section");
        return label;
    }

    private static Label evidence(String text) {
        Label label = wrapped("•  " + text);
        label.getStyleClass().add("kw-diagnosis-evidence");
        return label;
    }

    private static Label wrapped(String text) {
        Label label = new Label(text);
        label.setWrapText(true);
        label.setMaxWidth(WRAP_WIDTH);
        return label;
    }

    private static Label muted(String text) {
        Label label = wrapped(text);
        label.getStyleClass().add("text-muted");
        return label;
    }

    private static Label bold(String text) {
        Label label = new Label(text);
        label.setStyle("-fx-font-weight: bold;");
        return label;
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String seconds(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }
}
