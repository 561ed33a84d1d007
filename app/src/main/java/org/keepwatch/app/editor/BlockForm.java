package org.keepwatch.app.editor;

import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.config.Statement;
import org.keepwatch.drafts.BlockKind;
import org.keepwatch.drafts.BlockRef;
import org.keepwatch.drafts.FormEdits;
import org.keepwatch.drafts.FormValues;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The form of one block (an instance, a script, a sync group): a field per keyword the form edits,
 * with its hint. Built once per block; each change to the configuration refreshes the values of the
 * fields the operator is not typing in, and marks fields whose line has a problem. A field's change is
 * committed on Enter, on leaving the field, or at once for choices, checks and lists.
 */
public final class BlockForm {

    private final ConfigEditorViewModel model;
    private final BlockKind kind;
    private final String name;
    private final VBox root = new VBox(10);
    private final VBox problems = new VBox(2);
    private final Map<BlockKind.Field, Region> controls = new LinkedHashMap<>();
    private final Map<BlockKind.Field, String> shown = new LinkedHashMap<>();
    private final Map<BlockKind.Field, Label> labels = new LinkedHashMap<>();
    private boolean refreshing;

    public BlockForm(ConfigEditorViewModel model, BlockRef block) {
        this.model = model;
        this.kind = block.kind();
        this.name = block.name();
        root.setId("block-form");
        root.setPadding(new Insets(12));
        Label title = new Label(kind.keyword() + " " + name);
        title.setId("form-title");
        title.getStyleClass().add("kw-form-title");
        problems.setId("form-problems");
        GridPane grid = EditorLayout.fieldGrid();
        int row = 0;
        for (BlockKind.Field field : kind.fields()) {
            Region control = control(field);
            controls.put(field, control);
            labels.put(field, EditorLayout.field(grid, row++, field.label(), control, field.hint()));
        }
        root.getChildren().setAll(title, problems, grid);
        refresh(block);
    }

    public Node root() {
        return root;
    }

    public boolean shows(BlockRef block) {
        return block != null && block.kind() == kind && block.name().equals(name);
    }

    /** The control of a field, by keyword (tests, focus). */
    public Optional<Region> control(String key) {
        return kind.field(key).map(controls::get);
    }

    /** New values from the configuration, and the problems of the block. */
    public void refresh(BlockRef block) {
        refreshing = true;
        try {
            for (Map.Entry<BlockKind.Field, Region> entry : controls.entrySet()) {
                BlockKind.Field field = entry.getKey();
                Region control = entry.getValue();
                if (field.input() == BlockKind.Input.LIST) {
                    ((ListEditor) control).setItems(FormValues.entries(block.node(), field));
                    continue;
                }
                String value = FormValues.value(block.node(), field);
                String was = shown.put(field, value);
                if (control.isFocused() && control instanceof TextField && value.equals(was)) {
                    continue;
                }
                switch (field.input()) {
                    case FLAG -> ((CheckBox) control).setSelected(!value.isEmpty());
                    case CHOICE -> choice(control).setValue(value);
                    default -> ((TextField) control).setText(value);
                }
            }
            mark(block);
            markChanged(block);
        } finally {
            refreshing = false;
        }
    }

    private void mark(BlockRef block) {
        List<ProblemRow> inBlock = model.problemsIn(block);
        problems.getChildren().setAll(inBlock.stream().map(p -> {
            Label label = new Label((p.error() ? "Error: " : "Warning: ") + p.where() + "  " + p.message());
            label.getStyleClass().add(p.error() ? "kw-form-problem" : "kw-form-warning");
            label.setWrapText(true);
            return label;
        }).toList());
        for (Map.Entry<BlockKind.Field, Region> entry : controls.entrySet()) {
            Region control = entry.getValue();
            control.getStyleClass().removeAll("kw-field-error", "kw-field-warning");
            Optional<Statement> statement = statement(block, entry.getKey());
            List<ProblemRow> here = statement.map(s -> inBlock.stream().filter(p -> p.line() >= s.location().line()
                    && p.line() <= lastLine(s)).toList()).orElse(List.of());
            if (!here.isEmpty()) {
                control.getStyleClass().add(here.stream().anyMatch(ProblemRow::error) ? "kw-field-error" : "kw-field-warning");
                tooltip(control, Tooltips.wrapping(here.stream().map(ProblemRow::message).collect(Collectors.joining("\n"))));
            } else {
                tooltip(control, null);
            }
        }
    }

    /** Fields whose value differs from the node's file: the label says so, its tooltip says what it was. */
    private void markChanged(BlockRef block) {
        Optional<BlockRef> before = Optional.ofNullable(model.draft()).flatMap(d -> d.baseBlock(kind, name));
        labels.forEach((field, label) -> {
            String now = field.input() == BlockKind.Input.LIST ? String.join("\n", FormValues.entries(block.node(), field))
                    : FormValues.value(block.node(), field);
            String was = before.map(b -> field.input() == BlockKind.Input.LIST ? String.join("\n", FormValues.entries(b.node(), field))
                    : FormValues.value(b.node(), field)).orElse("");
            boolean changed = before.isEmpty() || !now.equals(was);
            label.getStyleClass().remove("kw-field-changed");
            label.setTooltip(null);
            label.setText(field.label());
            if (changed && (before.isPresent() || !now.isEmpty())) {
                label.getStyleClass().add("kw-field-changed");
                label.setText("● " + field.label());
                label.setTooltip(new Tooltip(before.isEmpty() ? "new block" : "on the node: " + (was.isEmpty() ? "(not set)" : was)));
            }
        });
    }

    private static int lastLine(Statement statement) {
        return statement.closeFile().map(f -> f.location(statement.closeOffset()).line()).orElse(statement.location().line());
    }

    private static Optional<Statement> statement(BlockRef block, BlockKind.Field field) {
        Optional<Statement> at = Optional.of(block.node());
        for (String word : field.words()) {
            at = at.flatMap(n -> n.child(word));
        }
        return at;
    }

    private Region control(BlockKind.Field field) {
        String id = "field-" + field.key().replace(' ', '-');
        Supplier<BlockRef> current = () -> model.blocks().stream().filter(b -> b.kind() == kind && b.name().equals(name))
                .findFirst().orElse(null);
        switch (field.input()) {
            case FLAG -> {
                CheckBox box = new CheckBox();
                box.setId(id);
                box.selectedProperty().addListener((obs, old, on) -> commit(current, field, on ? "true" : ""));
                return box;
            }
            case CHOICE -> {
                ComboBox<String> box = new ComboBox<>();
                box.setId(id);
                box.getItems().setAll(field.choices());
                box.setEditable(false);
                box.valueProperty().addListener((obs, old, value) -> commit(current, field, value));
                return box;
            }
            case LIST -> {
                ListEditor editor = new ListEditor(id, field.hint());
                editor.setOnChange(entries -> {
                    BlockRef block = current.get();
                    if (!refreshing && block != null) {
                        model.edit(FormEdits.setEntries(block, field, entries));
                    }
                });
                return editor;
            }
            default -> {
                TextField text = new TextField();
                text.setId(id);
                if (field.input() == BlockKind.Input.NUMBER) {
                    text.setPrefColumnCount(8);
                    text.setMaxWidth(160);
                }
                text.setOnAction(e -> commit(current, field, text.getText()));
                text.focusedProperty().addListener((obs, was, focused) -> {
                    if (!focused) {
                        commit(current, field, text.getText());
                    }
                });
                return text;
            }
        }
    }

    private void commit(Supplier<BlockRef> current, BlockKind.Field field, String value) {
        BlockRef block = current.get();
        String v = value == null ? "" : value.trim();
        if (refreshing || block == null || v.equals(FormValues.value(block.node(), field))) {
            return;
        }
        if (!model.edit(FormEdits.set(block, field, v))) {
            refresh(block);
        }
    }

    /** Problems on a field's line as its tooltip (list editors have no tooltip of their own). */
    private static void tooltip(Region control, Tooltip tip) {
        if (control instanceof Control c) {
            c.setTooltip(tip);
        } else if (tip != null) {
            Tooltip.install(control, tip);
        }
    }

    @SuppressWarnings("unchecked")
    private static ComboBox<String> choice(Region control) {
        return (ComboBox<String>) control;
    }
}
