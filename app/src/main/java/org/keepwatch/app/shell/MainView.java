package org.keepwatch.app.shell;

import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
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
import org.keepwatch.app.alarms.AlarmBanner;
import org.keepwatch.app.detail.RouterDetailView;
import org.keepwatch.app.events.EventsView;
import org.keepwatch.app.instances.InstancesView;
import org.keepwatch.app.nodes.NodesView;
import org.keepwatch.app.routers.RouterRow;
import org.keepwatch.app.routers.RoutersView;
import org.keepwatch.app.welcome.WelcomeView;
import org.keepwatch.fleet.FleetEvent;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

import java.util.List;

/**
 * The main window: header (fleet, filter, open, theme), the alarm banner, and tabs for Routers
 * (with the selected router's detail below), Instances, Nodes and Events; the welcome view when no
 * fleet is open; a status line.
 */
public final class MainView {

    /** What the header's buttons do; the composition root decides. */
    public record Actions(Runnable openFleet, Runnable toggleTheme, List<Button> extraButtons) {
    }

    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private final Tab routersTab;

    public MainView(MainViewModel model, RoutersView routers, RouterDetailView detail, InstancesView instances,
                    NodesView nodes, EventsView events, AlarmBanner banner, WelcomeView welcome, Actions actions) {
        root.setId("main-view");
        root.setTop(header(model, actions));

        SplitPane routersAndDetail = new SplitPane(routers.root(), detail.root());
        routersAndDetail.setOrientation(Orientation.VERTICAL);
        routersAndDetail.setDividerPositions(0.55);
        model.routers().selectedProperty().addListener((obs, old, row) -> detail.show(row));
        routersTab = tab("Routers", Material2MZ.ROUTER, routersAndDetail, "tab-routers");
        tabs.getTabs().setAll(routersTab, tab("Instances", Material2AL.LIST, instances.root(), "tab-instances"),
                tab("Nodes", Material2AL.DNS, nodes.root(), "tab-nodes"),
                tab("Events", Material2AL.EVENT_NOTE, events.root(), "tab-events"));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);

        VBox content = new VBox(banner.root(), tabs);
        VBox.setVgrow(tabs, Priority.ALWAYS);
        StackPane center = new StackPane(welcome.root());
        content.visibleProperty().bind(model.fleetOpenProperty());
        welcome.root().visibleProperty().bind(model.fleetOpenProperty().not());
        // The tables join the scene when a fleet first opens: their skins and CSS were most of the
        // window's start-up time, and a start without a fleet shows only the welcome view.
        if (model.fleetOpenProperty().get()) {
            center.getChildren().add(0, content);
        } else {
            model.fleetOpenProperty().addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Boolean> obs, Boolean was, Boolean open) {
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
        javafx.animation.Timeline summary = new javafx.animation.Timeline(new javafx.animation.KeyFrame(
                javafx.util.Duration.seconds(1), e -> model.refreshSummaryIfDirty()));
        summary.setCycleCount(javafx.animation.Animation.INDEFINITE);
        summary.play();
    }

    public Parent root() {
        return root;
    }

    /** Brings a router into view: Routers tab, its row selected and scrolled to. */
    public void showRouter(RoutersView routers, FleetEvent.Alarm alarm, RouterRow row) {
        tabs.getSelectionModel().select(routersTab);
        if (row != null) {
            routers.table().getSelectionModel().clearSelection();
            routers.table().getSelectionModel().select(row);
            routers.table().scrollTo(row);
        }
    }

    private static Tab tab(String title, org.kordamp.ikonli.Ikon icon, Node content, String id) {
        Tab tab = new Tab(title, content);
        tab.setGraphic(new FontIcon(icon));
        tab.setId(id);
        return tab;
    }

    private static HBox header(MainViewModel model, Actions actions) {
        FontIcon logo = new FontIcon(Material2OutlinedAL.DEVICE_HUB);
        logo.getStyleClass().add("kw-logo");
        Label title = new Label("Keepwatch");
        title.getStyleClass().add("title-3");
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
        header.getChildren().addAll(actions.extraButtons());
        header.getChildren().addAll(open, theme);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 16, 8, 16));
        header.getStyleClass().add("kw-header");
        return header;
    }
}
