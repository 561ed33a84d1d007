package org.keepwatch.app.editor;

import javafx.animation.PauseTransition;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.util.Duration;
import org.fxmisc.flowless.VirtualizedScrollPane;
import org.fxmisc.richtext.CodeArea;
import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.common.Tooltips;
import org.keepwatch.drafts.ConfigDraft;
import org.keepwatch.drafts.KeepalivedSyntax;
import org.keepwatch.drafts.SideBySideDiff;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.material2.Material2AL;
import org.kordamp.ikonli.material2.Material2MZ;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text tab: one file of the configuration in a code area with keepalived syntax colours, line
 * numbers, and the problems of that file marked in the gutter and underlined where they are. Typing
 * goes to the view model, which parses it after a pause; form edits come back as the smallest
 * replacement of the text, so the caret stays where it was.
 */
public final class ConfigTextView {

    private final ConfigEditorViewModel model;
    private final Tasks tasks;
    private final CodeArea area = new CodeArea();
    private final BorderPane root = new BorderPane();
    private final PauseTransition highlightPause = new PauseTransition(Duration.millis(40));
    private boolean applying;
    private Tasks.Running highlighting;
    private Map<Integer, List<ProblemRow>> byLine = Map.of();

    public ConfigTextView(ConfigEditorViewModel model, Tasks tasks) {
        this.model = model;
        this.tasks = tasks;
        area.setId("config-text");
        area.getStyleClass().add("kw-code");
        area.setParagraphGraphicFactory(this::gutter);

        ComboBox<String> file = new ComboBox<>(model.paths());
        file.setId("config-file");
        file.valueProperty().bindBidirectional(model.shownPathProperty());
        Label which = new Label("File");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Label hint = new Label("Checked as you type; Ctrl+Z undoes");
        hint.getStyleClass().add("text-muted");
        HBox bar = new HBox(8, which, file, spacer, hint);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        root.setTop(bar);
        root.setCenter(new VirtualizedScrollPane<>(area));

        area.textProperty().addListener((obs, old, text) -> {
            if (!applying) {
                model.textEdited(model.shownPathProperty().get(), text);
            }
            highlightPause.playFromStart();
        });
        highlightPause.setOnFinished(e -> highlight());
        model.draftProperty().addListener((obs, old, draft) -> show(draft, false));
        model.shownPathProperty().addListener((obs, old, path) -> show(model.draft(), true));
        model.problems().addListener((ListChangeListener<ProblemRow>) c -> problemsChanged());
        show(model.draft(), true);
    }

    /** Whether typing changes the text (false while the node is read-only). */
    public javafx.beans.property.BooleanProperty editableProperty() {
        return area.editableProperty();
    }

    public Node root() {
        return root;
    }

    public CodeArea area() {
        return area;
    }

    /** Puts the caret on a 1-based line of the shown file and brings it into view. */
    public void goTo(int line, int column) {
        int paragraph = Math.max(0, Math.min(line - 1, area.getParagraphs().size() - 1));
        int col = Math.max(0, Math.min(column - 1, area.getParagraph(paragraph).length()));
        area.moveTo(paragraph, col);
        area.showParagraphAtCenter(paragraph);
        area.requestFocus();
    }

    private void show(ConfigDraft draft, boolean fresh) {
        String path = model.shownPathProperty().get();
        if (draft == null || path == null) {
            return;
        }
        String text = draft.text(path);
        String now = area.getText();
        if (text.equals(now)) {
            return;
        }
        applying = true;
        try {
            if (fresh || now.isEmpty()) {
                area.replaceText(text);
                area.getUndoManager().forgetHistory();
                area.moveTo(0);
                area.showParagraphAtTop(0);
            } else {
                // Only the changed middle is replaced, so the caret and the undo history stay where they were.
                int[] ends = SideBySideDiff.commonEnds(now, text);
                int prefix = ends[0];
                int suffix = ends[1];
                area.replaceText(prefix, now.length() - suffix, text.substring(prefix, text.length() - suffix));
            }
        } finally {
            applying = false;
        }
        problemsChanged();
    }

    private void problemsChanged() {
        String path = model.shownPathProperty().get();
        Map<Integer, List<ProblemRow>> lines = new HashMap<>();
        for (ProblemRow p : model.problems()) {
            if (p.file().equals(path) && p.line() > 0) {
                lines.computeIfAbsent(p.line(), k -> new ArrayList<>()).add(p);
            }
        }
        byLine = lines;
        area.setParagraphGraphicFactory(this::gutter);
        highlight();
    }

    /** Line number and, where the line has problems, an icon whose tooltip lists them. */
    private Node gutter(int paragraph) {
        Label number = new Label(String.valueOf(paragraph + 1));
        number.getStyleClass().add("kw-gutter-number");
        number.setMinWidth(digits() * 8 + 4);
        number.setAlignment(Pos.CENTER_RIGHT);
        Node marker;
        List<ProblemRow> here = byLine.getOrDefault(paragraph + 1, List.of());
        if (here.isEmpty()) {
            Region blank = new Region();
            blank.setMinWidth(14);
            marker = blank;
        } else {
            boolean error = here.stream().anyMatch(ProblemRow::error);
            FontIcon icon = new FontIcon(error ? Material2AL.ERROR : Material2MZ.WARNING);
            icon.getStyleClass().add(error ? "kw-gutter-error" : "kw-gutter-warning");
            Label holder = new Label(null, icon);
            holder.setId("gutter-marker-" + (paragraph + 1));
            holder.setMinWidth(14);
            Tooltip.install(holder, Tooltips.wrapping(here.stream().map(p -> (p.source() == ProblemRow.Source.NODE ? "keepalived -t: " : "")
                    + p.message()).collect(Collectors.joining("\n"))));
            marker = holder;
        }
        HBox box = new HBox(4, number, marker);
        box.getStyleClass().add("kw-gutter");
        box.setAlignment(Pos.CENTER_LEFT);
        return box;
    }

    private int digits() {
        return String.valueOf(Math.max(1, area.getParagraphs().size())).length();
    }

    /** Colours and problem underlines, computed off the FX thread and applied if the text is still the same. */
    private void highlight() {
        String text = area.getText();
        Map<Integer, List<ProblemRow>> lines = byLine;
        if (highlighting != null) {
            highlighting.cancel();
        }
        highlighting = tasks.run(() -> spans(text, lines)).onSuccess(spans -> {
            if (area.getText().equals(text) && area.getLength() == text.length()) {
                area.setStyleSpans(0, spans);
            }
        }).start();
    }

    static StyleSpans<Collection<String>> spans(String text, Map<Integer, List<ProblemRow>> lines) {
        StyleSpansBuilder<Collection<String>> syntax = new StyleSpansBuilder<>();
        int at = 0;
        for (KeepalivedSyntax.Token token : KeepalivedSyntax.tokens(text)) {
            if (token.start() > at) {
                syntax.add(List.of(), token.start() - at);
            }
            syntax.add(List.of("kw-syn-" + token.kind().name().toLowerCase(Locale.ROOT)), token.end() - token.start());
            at = token.end();
        }
        syntax.add(List.of(), Math.max(0, text.length() - at));
        StyleSpans<Collection<String>> colours = syntax.create();
        if (lines.isEmpty()) {
            return colours;
        }
        StyleSpansBuilder<Collection<String>> marks = new StyleSpansBuilder<>();
        int position = 0;
        int lineStart = 0;
        int lineNo = 1;
        while (lineStart <= text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            List<ProblemRow> here = lines.get(lineNo);
            if (here != null) {
                int from = lineStart;
                while (from < lineEnd && Character.isWhitespace(text.charAt(from))) {
                    from++;
                }
                int column = here.get(0).column();
                if (column > 1 && lineStart + column - 1 < lineEnd) {
                    from = lineStart + column - 1;
                }
                int to = lineEnd;
                if (to > from) {
                    marks.add(List.of(), from - position);
                    marks.add(Set.of(here.stream().anyMatch(ProblemRow::error) ? "kw-lint-error" : "kw-lint-warning"), to - from);
                    position = to;
                }
            }
            lineStart = lineEnd + 1;
            lineNo++;
        }
        marks.add(List.of(), Math.max(0, text.length() - position));
        return colours.overlay(marks.create(), (a, b) -> {
            if (b.isEmpty()) {
                return a;
            }
            List<String> both = new ArrayList<>(a);
            both.addAll(b);
            return both;
        });
    }
}
