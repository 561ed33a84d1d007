package org.keepwatch.app.editor;

import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.keepwatch.drafts.SideBySideDiff;

/**
 * A file's change side by side: the node's version on the left, the new one on the right, line
 * numbers on both, removed lines red, added green, the changed part of a changed line marked, and
 * unchanged stretches folded. One list, so both sides scroll together.
 */
public final class DiffView {

    private static final double NUMBER_WIDTH = 44;
    private final VBox root = new VBox();
    private final ListView<SideBySideDiff.Row> list = new ListView<>();

    public DiffView(FileDiff diff) {
        root.getStyleClass().add("kw-diff");
        root.setId("diff-" + ConfigEditorViewModel.fileName(diff.path()));
        GridPane titles = new GridPane();
        titles.getColumnConstraints().setAll(half(), half());
        Label left = new Label(diff.leftTitle() + " — " + diff.path());
        left.getStyleClass().add("kw-diff-title");
        Label right = new Label(diff.rightTitle() + " — " + diff.stats());
        right.getStyleClass().add("kw-diff-title");
        right.setId("diff-stats");
        titles.add(left, 0, 0);
        titles.add(right, 1, 0);
        list.getItems().setAll(diff.rows());
        list.setCellFactory(v -> new RowCell());
        list.setId("diff-rows");
        VBox.setVgrow(list, Priority.ALWAYS);
        root.getChildren().setAll(titles, list);
    }

    public Node root() {
        return root;
    }

    public ListView<SideBySideDiff.Row> rows() {
        return list;
    }

    private static ColumnConstraints half() {
        ColumnConstraints c = new ColumnConstraints();
        c.setPercentWidth(50);
        return c;
    }

    private static final class RowCell extends ListCell<SideBySideDiff.Row> {
        @Override
        protected void updateItem(SideBySideDiff.Row row, boolean empty) {
            super.updateItem(row, empty);
            setText(null);
            if (empty || row == null) {
                setGraphic(null);
                return;
            }
            if (row.kind() == SideBySideDiff.Kind.FOLDED) {
                Label folded = new Label("⋯ " + row.oldLine() + " unchanged line(s)");
                folded.getStyleClass().add("kw-diff-folded");
                folded.setMaxWidth(Double.MAX_VALUE);
                setGraphic(folded);
                return;
            }
            GridPane grid = new GridPane();
            grid.getColumnConstraints().setAll(half(), half());
            grid.add(side(row.oldLine(), row.oldText(), row.oldMark(), styleOld(row.kind()), "kw-diff-mark-old"), 0, 0);
            grid.add(side(row.newLine(), row.newText(), row.newMark(), styleNew(row.kind()), "kw-diff-mark-new"), 1, 0);
            setGraphic(grid);
        }

        private static String styleOld(SideBySideDiff.Kind kind) {
            return switch (kind) {
                case REMOVED -> "kw-diff-removed";
                case CHANGED -> "kw-diff-changed-old";
                case ADDED -> "kw-diff-gap";
                default -> null;
            };
        }

        private static String styleNew(SideBySideDiff.Kind kind) {
            return switch (kind) {
                case ADDED -> "kw-diff-added";
                case CHANGED -> "kw-diff-changed-new";
                case REMOVED -> "kw-diff-gap";
                default -> null;
            };
        }

        private static HBox side(int line, String text, int[] mark, String style, String markStyle) {
            Label number = new Label(line > 0 ? String.valueOf(line) : "");
            number.getStyleClass().add("kw-diff-number");
            number.setMinWidth(NUMBER_WIDTH);
            number.setPrefWidth(NUMBER_WIDTH);
            HBox content = new HBox();
            content.setAlignment(Pos.CENTER_LEFT);
            if (mark != null && mark[1] > mark[0]) {
                content.getChildren().addAll(code(text.substring(0, mark[0]), null), code(text.substring(mark[0], mark[1]), markStyle),
                        code(text.substring(mark[1]), null));
            } else {
                content.getChildren().add(code(text, null));
            }
            HBox side = new HBox(8, number, content);
            side.getStyleClass().add("kw-diff-side");
            side.setAlignment(Pos.CENTER_LEFT);
            if (style != null) {
                side.getStyleClass().add(style);
            }
            side.setMaxWidth(Double.MAX_VALUE);
            return side;
        }

        private static Label code(String text, String style) {
            Label label = new Label(text.replace("\t", "    "));
            label.getStyleClass().add("kw-diff-line");
            label.setMinWidth(Region.USE_PREF_SIZE);
            if (style != null) {
                label.getStyleClass().add(style);
            }
            return label;
        }
    }
}
