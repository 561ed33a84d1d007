package org.keepwatch.app.logs;

import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import org.keepwatch.agent.LogLine;
import org.keepwatch.app.common.Formats;
import org.keepwatch.app.common.TableSupport;
import org.keepwatch.app.common.Tasks;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2MZ;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * A daemon's log: instance and level (read from the node again when changed), a search field (the lines read,
 * searched as the operator types), Follow (new lines as they come, the table kept at its end), and the lines with
 * their time, level, instance and text; errors and warnings stand out.
 */
public final class LogView {

    static final List<String> HEADERS = List.of("Time", "Level", "Instance", "Text");
    private final BorderPane root = new BorderPane();
    private final TableView<LogLine> table = new TableView<>();
    private boolean scrollPending;

    public LogView(LogViewModel model, Tasks tasks, Consumer<String> problems) {
        root.setId("log-view");
        table.setId("log-table");
        table.setPlaceholder(new Label("No log lines."));
        table.setItems(model.rows());
        TableColumn<LogLine, Instant> time = new TableColumn<>("Time");
        time.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().time().orElse(null)));
        time.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Instant at, boolean empty) {
                super.updateItem(at, empty);
                setText(empty || at == null ? null : Formats.clock(at));
            }
        });
        time.setPrefWidth(110);
        TableColumn<LogLine, String> level = new TableColumn<>("Level");
        level.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().level()));
        level.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String text, boolean empty) {
                super.updateItem(text, empty);
                setText(empty ? null : text);
                getStyleClass().removeAll("kw-log-err", "kw-log-warning", "kw-log-notice");
                if (!empty && text != null) {
                    LogLine line = getTableRow() == null ? null : getTableRow().getItem();
                    if (line != null && line.atLeast("err")) {
                        getStyleClass().add("kw-log-err");
                    } else if ("warning".equals(text)) {
                        getStyleClass().add("kw-log-warning");
                    } else if ("notice".equals(text)) {
                        getStyleClass().add("kw-log-notice");
                    }
                }
            }
        });
        level.setPrefWidth(80);
        TableColumn<LogLine, String> instance = new TableColumn<>("Instance");
        instance.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().instance().orElse("")));
        instance.setPrefWidth(90);
        TableColumn<LogLine, String> text = new TableColumn<>("Text");
        text.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().text()));
        text.setPrefWidth(800);
        table.getColumns().setAll(List.of(time, level, instance, text));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        TableSupport.install(table, HEADERS, l -> List.of(l.time().map(Formats::clock).orElse(""), l.level(),
                l.instance().orElse(""), l.text()), tasks, problems);

        ComboBox<String> instances = new ComboBox<>(model.instances());
        instances.setId("log-instance-filter");
        instances.setValue(model.instance());
        instances.valueProperty().addListener((obs, old, value) -> model.setInstance(value));
        ComboBox<String> levels = new ComboBox<>(model.levels());
        levels.setId("log-level-filter");
        levels.setValue(model.level());
        levels.valueProperty().addListener((obs, old, value) -> model.setLevel(value));
        TextField search = new TextField();
        search.setId("log-search");
        search.setPromptText("Search the lines");
        search.setPrefColumnCount(22);
        search.textProperty().addListener((obs, old, value) -> model.setSearch(value));
        ToggleButton follow = new ToggleButton("Follow", new FontIcon(Material2MZ.PLAY_ARROW));
        follow.setId("log-follow");
        follow.setSelected(model.followingProperty().get());
        model.followingProperty().addListener((obs, was, now) -> follow.setSelected(now));
        follow.setOnAction(e -> model.setFollowing(follow.isSelected()));
        Label status = new Label();
        status.setId("log-status");
        status.getStyleClass().add("text-muted");
        status.textProperty().bind(model.statusProperty());
        CheckBox dumps = new CheckBox("Dump requests");
        dumps.setId("log-dumps-asked");
        dumps.setSelected(model.showDumpsAsked());
        dumps.setOnAction(e -> model.setShowDumpsAsked(dumps.isSelected()));
        dumps.setTooltip(new Tooltip("keepalived's \"Printing VRRP as json for process(N) on signal\" lines: the agent asks "
                + "for a dump every 30 s, so they are hidden unless you tick this"));
        root.setTop(new ToolBar(new Label("Instance"), instances, new Label("Level at least"), levels, search, follow, dumps));
        root.setCenter(table);
        HBox bottom = new HBox(status);
        bottom.setPadding(new Insets(4, 8, 4, 8));
        root.setBottom(bottom);

        // While following, the newest line stays in view; opened around a moment, that moment's line is shown.
        model.rows().addListener((ListChangeListener<LogLine>) c -> {
            if (model.followingProperty().get()) {
                showNewestAfterLayout();
            }
        });
        model.markedProperty().addListener((obs, old, line) -> {
            if (line != null) {
                table.getSelectionModel().select(line);
                table.scrollTo(Math.max(0, table.getItems().indexOf(line) - 5));
            }
        });
    }

    /**
     * Scrolls to the last line once the table has counted the lines just added: scrolled at once, the table would
     * stop at the last line it knew of (a log opened following showed lines from the middle, not the newest). Once
     * per layout pass, however many batches came in it.
     */
    private void showNewestAfterLayout() {
        if (scrollPending || table.getScene() == null) {
            return;
        }
        scrollPending = true;
        Scene scene = table.getScene();
        scene.addPostLayoutPulseListener(new Runnable() {
            @Override
            public void run() {
                scene.removePostLayoutPulseListener(this);
                scrollPending = false;
                if (!table.getItems().isEmpty()) {
                    table.scrollTo(table.getItems().size() - 1);
                }
            }
        });
        Platform.requestNextPulse();
    }

    public Node root() {
        return root;
    }
}
