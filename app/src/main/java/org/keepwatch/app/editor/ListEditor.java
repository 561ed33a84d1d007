package org.keepwatch.app.editor;

import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.TextFieldListCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Edits a list of entries (VIPs, tracked scripts, unicast peers): type one and press Enter or Add;
 * double-click an entry to change it; remove or move the selected one. Every change is handed over
 * whole, as the new list.
 */
public final class ListEditor extends VBox {

    private final ObservableList<String> items = FXCollections.observableArrayList();
    private final ListView<String> list = new ListView<>(items);
    private final TextField input = new TextField();
    private Consumer<List<String>> onChange = l -> { };
    private boolean updating;

    public ListEditor(String id, String prompt) {
        super(4);
        setId(id);
        getStyleClass().add("kw-list-editor");
        list.setId(id + "-list");
        list.setEditable(true);
        list.setCellFactory(TextFieldListCell.forListView());
        list.setOnEditCommit(e -> {
            List<String> next = new ArrayList<>(items);
            if (e.getNewValue() == null || e.getNewValue().isBlank()) {
                next.remove(e.getIndex());
            } else {
                next.set(e.getIndex(), e.getNewValue().trim());
            }
            commit(next);
        });
        list.setPrefHeight(110);
        input.setId(id + "-input");
        input.setPromptText(prompt);
        input.setOnAction(e -> add());
        HBox.setHgrow(input, Priority.ALWAYS);
        Button add = button(id + "-add", Material2AL.ADD, "Add", this::add);
        Button remove = button(id + "-remove", Material2MZ.REMOVE, "Remove the selected entry", () -> {
            int at = list.getSelectionModel().getSelectedIndex();
            if (at >= 0) {
                List<String> next = new ArrayList<>(items);
                next.remove(at);
                commit(next);
            }
        });
        Button up = button(id + "-up", Material2AL.ARROW_UPWARD, "Move up (the first VIP decides the address family)", () -> move(-1));
        Button down = button(id + "-down", Material2AL.ARROW_DOWNWARD, "Move down", () -> move(1));
        HBox bar = new HBox(4, input, add, remove, up, down);
        bar.setAlignment(Pos.CENTER_LEFT);
        getChildren().setAll(list, bar);
    }

    public void setOnChange(Consumer<List<String>> handler) {
        onChange = handler;
    }

    /** Shows entries from the configuration (not a change). */
    public void setItems(List<String> entries) {
        if (!items.equals(entries)) {
            updating = true;
            try {
                int selected = list.getSelectionModel().getSelectedIndex();
                items.setAll(entries);
                if (selected >= 0 && selected < items.size()) {
                    list.getSelectionModel().select(selected);
                }
            } finally {
                updating = false;
            }
        }
    }

    public List<String> items() {
        return List.copyOf(items);
    }

    public ListView<String> list() {
        return list;
    }

    private void add() {
        String entry = input.getText() == null ? "" : input.getText().trim();
        if (entry.isEmpty()) {
            return;
        }
        List<String> next = new ArrayList<>(items);
        next.add(entry);
        input.clear();
        commit(next);
    }

    private void move(int by) {
        int at = list.getSelectionModel().getSelectedIndex();
        int to = at + by;
        if (at < 0 || to < 0 || to >= items.size()) {
            return;
        }
        List<String> next = new ArrayList<>(items);
        next.add(to, next.remove(at));
        commit(next);
        list.getSelectionModel().select(to);
    }

    private void commit(List<String> next) {
        if (!updating && !next.equals(items)) {
            onChange.accept(next);
        }
    }

    private static Button button(String id, Ikon icon, String tip, Runnable action) {
        Button button = new Button(null, new FontIcon(icon));
        button.setId(id);
        button.setTooltip(new Tooltip(tip));
        button.setOnAction(e -> action.run());
        return button;
    }
}
