package org.keepwatch.app.editor;

import atlantafx.base.theme.Styles;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.push.NodeDaemons;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2MZ;
import org.kordamp.ikonli.material2.Material2OutlinedAL;

/**
 * The choice of a node's keepalived before its configuration opens: the daemons its agent knows, each with its
 * configuration file, namespace and status; what the agent cannot know, said above them; Open (or a double click)
 * opens the chosen one's editor and closes this window.
 */
public final class DaemonChoiceView {

    private final DaemonChoiceViewModel model;
    private final Runnable close;
    private final BorderPane root = new BorderPane();

    public DaemonChoiceView(DaemonChoiceViewModel model, Runnable close) {
        this.model = model;
        this.close = close;
        root.setId("daemon-choice-view");
        root.getProperties().put(DaemonChoiceViewModel.class, model);
        root.setPrefSize(760, 420);

        FontIcon glyph = new FontIcon(Material2OutlinedAL.DESCRIPTION);
        glyph.getStyleClass().add("kw-block-icon");
        Label title = new Label(model.title());
        title.setId("daemon-choice-title");
        title.getStyleClass().add("title-4");
        HBox header = new HBox(12, glyph, title);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 12, 8, 12));
        header.getStyleClass().add("kw-editor-header");
        root.setTop(header);

        Label unseen = new Label();
        unseen.setId("daemon-choice-unseen");
        unseen.setWrapText(true);
        unseen.setMinHeight(Region.USE_PREF_SIZE);      // every line of it, not one line and an ellipsis
        unseen.getStyleClass().add(Styles.WARNING);
        unseen.textProperty().bind(model.unseenProperty());
        unseen.visibleProperty().bind(model.unseenProperty().isNotEmpty());
        unseen.managedProperty().bind(unseen.visibleProperty());

        ListView<NodeDaemons.Choice> list = new ListView<>(model.choices());
        list.setId("daemon-choice-list");
        list.setCellFactory(v -> new ChoiceCell());
        list.setPlaceholder(new Label("No keepalived daemon known yet"));
        model.selectedProperty().addListener((obs, old, c) -> {
            if (c != list.getSelectionModel().getSelectedItem()) {
                list.getSelectionModel().select(c);
            }
        });
        list.getSelectionModel().selectedItemProperty().addListener((obs, old, c) -> model.select(c));
        list.setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && list.getSelectionModel().getSelectedItem() != null) {
                open();
            }
        });
        VBox.setVgrow(list, javafx.scene.layout.Priority.ALWAYS);
        VBox center = new VBox(8, unseen, list);
        center.setPadding(new Insets(8, 12, 0, 12));
        root.setCenter(center);

        Button refresh = new Button("Refresh", new FontIcon(Material2MZ.REFRESH));
        refresh.setId("daemon-choice-refresh");
        refresh.setOnAction(e -> model.load());
        refresh.disableProperty().bind(model.busyProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("daemon-choice-cancel");
        cancel.setCancelButton(true);
        cancel.setOnAction(e -> close.run());
        Button open = new Button("Open configuration");
        open.setId("daemon-choice-open");
        open.setDefaultButton(true);
        open.disableProperty().bind(model.selectedProperty().isNull());
        open.setOnAction(e -> open());
        HBox buttons = EditorLayout.buttons(refresh, cancel, open);
        buttons.setPadding(new Insets(10, 12, 6, 12));
        root.setBottom(new VBox(buttons, EditorLayout.statusBar("daemon-choice", model.statusProperty(), model.problemProperty(),
                model.busyProperty())));
    }

    public Parent root() {
        return root;
    }

    private void open() {
        if (model.openSelected()) {
            close.run();
        }
    }

    /** A daemon: its name, and below it its status, configuration file and namespace in words. */
    private static final class ChoiceCell extends ListCell<NodeDaemons.Choice> {
        @Override
        protected void updateItem(NodeDaemons.Choice choice, boolean empty) {
            super.updateItem(choice, empty);
            if (empty || choice == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            Label name = new Label(choice.name());
            name.getStyleClass().add(Styles.TEXT_BOLD);
            Label words = new Label(choice.description());
            words.setWrapText(true);
            words.setMinHeight(Region.USE_PREF_SIZE);
            words.getStyleClass().add("kw-form-hint");
            VBox box = new VBox(2, name, words);
            box.maxWidthProperty().bind(getListView().widthProperty().subtract(40));   // wrapped to the list, not cut
            setText(null);
            setGraphic(box);
        }
    }
}
