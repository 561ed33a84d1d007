package org.keepwatch.app.detail;

import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.BooleanBinding;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.navigation.Destination;
import org.keepwatch.app.navigation.Navigator;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A router's timeline: zoom presets, zoom and pan buttons (the mouse wheel zooms, a sideways or shift-wheel pans),
 * one lane per member drawn by {@link StateTimeline}, a time axis, and a note when there is no history. A click on a
 * lane offers "Show the fleet as of this moment".
 */
final class RouterTimelineView {

    static final double LABEL_WIDTH = 90;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter DAY_CLOCK = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private final RouterTimelineViewModel model;
    private final Navigator navigator;
    private final BooleanBinding canGoAsOf;
    private final VBox root = new VBox(6);
    private final VBox lanes = new VBox(2);
    private final HBox axis = new HBox();
    private final Label range = new Label();
    private final List<StateTimeline> strips = new ArrayList<>();
    private final ContextMenu moment = new ContextMenu();

    RouterTimelineView(RouterTimelineViewModel model, Navigator navigator) {
        this.model = model;
        this.navigator = navigator;
        this.canGoAsOf = navigator.canGo(Destination.AsOf.class);
        root.setId("router-timeline");
        root.getStyleClass().add("kw-timeline");
        Label title = new Label("Timeline");
        title.getStyleClass().add("title-4");
        ToggleGroup presets = new ToggleGroup();
        HBox bar = new HBox(4, title);
        bar.setAlignment(Pos.CENTER_LEFT);
        for (Duration preset : RouterTimelineViewModel.PRESETS) {
            ToggleButton button = new ToggleButton(words(preset));
            button.setId("timeline-zoom-" + words(preset).replace(" ", ""));
            button.setToggleGroup(presets);
            button.setOnAction(e -> model.zoom(preset));
            button.setFocusTraversable(false);
            bar.getChildren().add(button);
        }
        Runnable markPreset = () -> presets.getToggles().forEach(t -> t.setSelected(
                RouterTimelineViewModel.PRESETS.indexOf(model.spanProperty().get()) == presets.getToggles().indexOf(t)));
        model.spanProperty().addListener((obs, was, span) -> markPreset.run());
        markPreset.run();
        Button zoomIn = small("+", "timeline-zoom-in", "Zoom in (the mouse wheel too)", model::zoomIn);
        Button zoomOut = small("−", "timeline-zoom-out", "Zoom out (the mouse wheel too)", model::zoomOut);
        Button back = small("◀", "timeline-back", "Back in time (half a span; shift and the wheel too)", model::back);
        Button forward = small("▶", "timeline-forward", "Forward in time", model::forward);
        Button now = small("Now", "timeline-live", "Back to now, following the clock", model::live);
        forward.disableProperty().bind(model.endProperty().isNull());
        now.disableProperty().bind(model.endProperty().isNull());
        range.setId("timeline-range");
        range.getStyleClass().add("text-muted");
        Label loading = new Label("reading the history…");
        loading.getStyleClass().add("text-muted");
        loading.visibleProperty().bind(model.loadingProperty());
        loading.managedProperty().bind(model.loadingProperty());
        Region gap = new Region();
        gap.setMinWidth(8);
        bar.getChildren().addAll(gap, zoomOut, zoomIn, back, forward, now, range, loading);
        Label note = new Label();
        note.setId("timeline-note");
        note.setWrapText(true);
        note.getStyleClass().add("kw-timeline-note");
        note.textProperty().bind(model.noteProperty());
        note.visibleProperty().bind(model.noteProperty().isNotEmpty());
        note.managedProperty().bind(model.noteProperty().isNotEmpty());
        lanes.setId("timeline-lanes");
        lanes.setMinWidth(0);   // narrower with the pane: the strips are drawn to the width it gets
        axis.setId("timeline-axis");
        root.getChildren().setAll(bar, note, lanes, axis);
        lanes.addEventFilter(ScrollEvent.SCROLL, this::scrolled);
        lanes.widthProperty().addListener((obs, was, width) -> draw());
        model.pictureProperty().addListener((obs, was, picture) -> draw());
        Timeline clock = new Timeline(new KeyFrame(javafx.util.Duration.seconds(1), e -> {
            if (root.getScene() != null && model.endProperty().get() == null) {
                model.refresh();
            }
        }));
        clock.setCycleCount(Animation.INDEFINITE);
        clock.play();
    }

    Node root() {
        return root;
    }

    private void scrolled(ScrollEvent e) {
        double sideways = e.getDeltaX() != 0 ? e.getDeltaX() : e.isShiftDown() ? e.getDeltaY() : 0;
        if (sideways != 0) {
            if (sideways > 0) {
                model.back();
            } else {
                model.forward();
            }
        } else if (e.getDeltaY() > 0) {
            model.zoomIn();
        } else if (e.getDeltaY() < 0) {
            model.zoomOut();
        }
        e.consume();
    }

    private void draw() {
        RouterTimelineViewModel.Picture picture = model.pictureProperty().get();
        if (picture == null) {
            lanes.getChildren().clear();
            axis.getChildren().clear();
            return;
        }
        double width = Math.max(100, lanes.getWidth() - LABEL_WIDTH - 12);
        while (strips.size() < picture.lanes().size()) {
            StateTimeline strip = new StateTimeline(width);
            strip.setOnMouseClicked(e -> {
                if (e.getButton() == MouseButton.PRIMARY || e.getButton() == MouseButton.SECONDARY) {
                    RouterTimelineViewModel.Picture shown = model.pictureProperty().get();
                    if (shown != null) {
                        offer(strip.at(e.getX(), shown.from(), shown.to()), strip, e.getScreenX(), e.getScreenY());
                    }
                }
            });
            strips.add(strip);
        }
        List<Node> rows = new ArrayList<>();
        for (int i = 0; i < picture.lanes().size(); i++) {
            RouterTimelineViewModel.Lane lane = picture.lanes().get(i);
            StateTimeline strip = strips.get(i);
            strip.setWidth(width);
            strip.setId("timeline-lane-" + lane.node());
            strip.draw(lane.segments(), picture.from(), picture.to());
            picture.mark().ifPresent(at -> strip.mark(at, picture.from(), picture.to()));
            Label node = new Label(lane.node());
            node.setMinWidth(LABEL_WIDTH);
            node.setPrefWidth(LABEL_WIDTH);
            Tooltip.install(node, new Tooltip(lane.node() + " " + lane.instance().name()
                    + (lane.instance().daemon().equals("keepalived") ? "" : " (" + lane.instance().daemon() + ")")));
            HBox row = new HBox(8, node, strip);
            row.setAlignment(Pos.CENTER_LEFT);
            rows.add(row);
        }
        lanes.getChildren().setAll(rows);
        Duration span = Duration.between(picture.from(), picture.to());
        DateTimeFormatter format = span.compareTo(Duration.ofDays(1)) >= 0 ? DAY_CLOCK : CLOCK;
        axis.getChildren().clear();
        Region indent = new Region();
        indent.setMinWidth(LABEL_WIDTH + 8);
        axis.getChildren().add(indent);
        for (int i = 0; i <= 4; i++) {
            Label tick = new Label(i == 4 && picture.live() ? "now" : format.format(picture.from().plus(span.multipliedBy(i).dividedBy(4))));
            tick.getStyleClass().add("text-muted");
            tick.setMinWidth(Region.USE_PREF_SIZE);
            axis.getChildren().add(tick);
            if (i < 4) {
                Region gap = new Region();
                HBox.setHgrow(gap, Priority.ALWAYS);
                axis.getChildren().add(gap);
            }
        }
        range.setText(words(span) + (picture.live() ? " to now" : " to " + Formats.dateTime(picture.to())));
    }

    private void offer(Instant at, Node anchor, double x, double y) {
        if (!canGoAsOf.get()) {
            return;
        }
        MenuItem asOf = new MenuItem("Show the fleet as of this moment (" + Formats.dateTime(at) + ")");
        asOf.setId("timeline-as-of");
        asOf.setOnAction(e -> navigator.go(new Destination.AsOf(at)));
        moment.getItems().setAll(asOf);
        moment.show(anchor, x, y);
    }

    /** The context menu a click on a lane opened (tests). */
    ContextMenu momentMenu() {
        return moment;
    }

    private static Button small(String text, String id, String tip, Runnable action) {
        Button button = new Button(text);
        button.setId(id);
        button.setTooltip(new Tooltip(tip));
        button.setOnAction(e -> action.run());
        button.setFocusTraversable(false);
        return button;
    }

    static String words(Duration span) {
        if (span.toDays() >= 7 && span.toDays() % 7 == 0) {
            return span.toDays() / 7 + (span.toDays() == 7 ? " week" : " weeks");
        }
        if (span.toDays() >= 1 && span.toHours() % 24 == 0) {
            return span.toDays() + (span.toDays() == 1 ? " day" : " days");
        }
        if (span.toHours() >= 1 && span.toMinutes() % 60 == 0) {
            return span.toHours() + " h";
        }
        if (span.toMinutes() >= 1 && span.toSeconds() % 60 == 0) {
            return span.toMinutes() + " min";
        }
        return span.toSeconds() + " s";
    }
}
