package org.keepwatch.app.shell;

import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.keepwatch.app.common.Action;
import org.keepwatch.app.common.ActionControls;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.util.List;

/**
 * The main window: header (fleet, filter, open, theme), the alarm banner, and a tab for each registered main view
 * ({@link MainTabs}); the welcome view when no fleet is open; a status line.
 */
public final class MainView {

    /** What the header offers: open a fleet, the theme, and the actions others add (the fleet editor's). */
    public record Actions(Runnable openFleet, Runnable toggleTheme, List<Action> extra) {
    }

    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private HBox header;

    public MainView(MainViewModel model, MainTabs views, Node banner, Node welcome, Actions actions) {
        root.setId("main-view");
        header = header(model, actions);
        root.setTop(header);

        tabs.getTabs().setAll(views.all().stream().map(MainView::tab).toList());
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);

        VBox content = new VBox(banner, tabs);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        StackPane center = new StackPane(welcome);
        content.visibleProperty().bind(model.fleetOpenProperty());
        welcome.visibleProperty().bind(model.fleetOpenProperty().not());
        // The tables join the scene when a fleet first opens: their skins and CSS were most of the
        // window's start-up time, and a start without a fleet shows only the welcome view.
        if (model.fleetOpenProperty().get()) {
            center.getChildren().add(0, content);
        } else {
            model.fleetOpenProperty().addListener(new ChangeListener<>() {
                @Override
                public void changed(ObservableValue<? extends Boolean> obs, Boolean was, Boolean open) {
                    if (open) {
                        obs.removeListener(this);
                        center.getChildren().add(0, content);
                    }
                }
            });
        }
        root.setCenter(center);

        Label status = new Label();
        status.setId("status-line");
        status.textProperty().bind(model.summaryProperty());
        status.visibleProperty().bind(model.fleetOpenProperty());
        Label problem = new Label();
        problem.setId("problem-line");
        problem.getStyleClass().add("kw-problem");
        problem.textProperty().bind(model.problemProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox statusBar = new HBox(12, status, spacer, problem);
        statusBar.getStyleClass().add("kw-status-bar");
        statusBar.setPadding(new Insets(4, 12, 4, 12));
        root.setBottom(statusBar);
        Timeline summary = new Timeline(new KeyFrame(
                Duration.seconds(1), e -> model.refreshSummaryIfDirty()));
        summary.setCycleCount(Animation.INDEFINITE);
        summary.play();
    }

    public Parent root() {
        return root;
    }

    /** Puts a control in the header before the filter box (the "as of" field), shown while a fleet is open. */
    public void addToHeader(Node control) {
        Node filter = header.lookup("#filter-box");
        header.getChildren().add(header.getChildren().indexOf(filter), control);
    }

    /** Brings a main view to the front by its tab's id; false when no such view is registered. */
    public boolean showTab(String id) {
        return tabs.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst().map(t -> {
            tabs.getSelectionModel().select(t);
            return true;
        }).orElse(false);
    }

    private static Tab tab(MainTabs.Tab view) {
        Tab tab = new Tab(view.title(), view.content());
        tab.setGraphic(new FontIcon(view.icon()));
        tab.setId(view.id());
        return tab;
    }

    private static HBox header(MainViewModel model, Actions actions) {
        FontIcon logo = new FontIcon(Material2OutlinedAL.DEVICE_HUB);
        logo.getStyleClass().add("kw-logo");
        Label title = new Label("Keepwatch");
        title.getStyleClass().add("title-3");
        title.setMinWidth(Region.USE_PREF_SIZE);
        Label fleet = new Label();
        fleet.setId("fleet-name");
        fleet.getStyleClass().add("text-muted");
        fleet.textProperty().bind(model.fleetNameProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        TextField filter = new TextField();
        filter.setId("filter-box");
        filter.setPromptText("Filter routers and instances");
        filter.setPrefColumnCount(24);
        filter.textProperty().bindBidirectional(model.filterProperty());
        filter.visibleProperty().bind(model.fleetOpenProperty());
        Button open = new Button("Open fleet…", new FontIcon(Material2AL.FOLDER_OPEN));
        open.setId("open-fleet");
        open.setOnAction(e -> actions.openFleet().run());
        Button theme = new Button(null, new FontIcon(Material2MZ.NIGHTS_STAY));
        theme.setId("theme-toggle");
        theme.setTooltip(new Tooltip("Light or dark"));
        theme.setOnAction(e -> actions.toggleTheme().run());
        HBox header = new HBox(12, logo, title, fleet, spacer, filter);
        for (Action extra : actions.extra()) {
            Button button = ActionControls.button(extra);
            button.setMinWidth(Region.USE_PREF_SIZE);   // the header keeps room for the title and the filter
            header.getChildren().add(button);
        }
        header.getChildren().addAll(open, theme);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 16, 8, 16));
        header.getStyleClass().add("kw-header");
        return header;
    }
}
