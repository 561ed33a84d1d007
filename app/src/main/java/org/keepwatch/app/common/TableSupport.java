package org.keepwatch.app.common;

import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableView;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What every table offers: several rows selected, Ctrl+C copies them as tab-separated text (pastes
 * into a ticket or a spreadsheet), and "Export CSV…" writes the visible rows, off the FX thread.
 */
public final class TableSupport {

    private static final KeyCombination COPY = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);

    private TableSupport() {
    }

    public static <R> void install(TableView<R> table, List<String> headers, Function<R, List<String>> cells,
                                   Tasks tasks, Consumer<String> problems) {
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setOnKeyPressed(event -> {
            if (COPY.match(event)) {
                copy(table, headers, cells);
                event.consume();
            }
        });
        MenuItem copy = new MenuItem("Copy", new FontIcon(Material2AL.CONTENT_COPY));
        copy.setAccelerator(COPY);
        copy.setOnAction(e -> copy(table, headers, cells));
        MenuItem export = new MenuItem("Export CSV…", new FontIcon(Material2MZ.SAVE_ALT));
        export.setOnAction(e -> export(table, headers, cells, tasks, problems));
        table.setContextMenu(new ContextMenu(copy, export));
    }

    static <R> void copy(TableView<R> table, List<String> headers, Function<R, List<String>> cells) {
        List<R> selected = new ArrayList<>(table.getSelectionModel().getSelectedItems());
        if (selected.isEmpty()) {
            return;
        }
        String text = String.join("\t", headers) + "\n" + selected.stream()
                .map(r -> String.join("\t", cells.apply(r).stream().map(s -> s.replace('\t', ' ').replace('\n', ' ')).toList()))
                .collect(Collectors.joining("\n")) + "\n";
        ClipboardContent content = new ClipboardContent();
        content.putString(text);
        Clipboard.getSystemClipboard().setContent(content);
    }

    public static <R> String csv(List<R> rows, List<String> headers, Function<R, List<String>> cells) {
        StringBuilder out = new StringBuilder();
        out.append(headers.stream().map(TableSupport::csvField).collect(Collectors.joining(","))).append("\r\n");
        for (R row : rows) {
            out.append(cells.apply(row).stream().map(TableSupport::csvField).collect(Collectors.joining(","))).append("\r\n");
        }
        return out.toString();
    }

    /** RFC 4180: quote fields with commas, quotes or line breaks; double the quotes. */
    static String csvField(String value) {
        String v = value == null ? "" : value;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static <R> void export(TableView<R> table, List<String> headers, Function<R, List<String>> cells,
                                   Tasks tasks, Consumer<String> problems) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export CSV");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        chooser.setInitialFileName("keepwatch.csv");
        File file = chooser.showSaveDialog(table.getScene().getWindow());
        if (file == null) {
            return;
        }
        String text = csv(List.copyOf(table.getItems()), headers, cells);
        tasks.run(() -> Files.writeString(Path.of(file.getPath()), text, StandardCharsets.UTF_8))
                .onError(error -> problems.accept("Cannot write " + file + ": " + error.getMessage()))
                .start();
    }
}
