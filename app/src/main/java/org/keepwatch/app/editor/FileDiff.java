package org.keepwatch.app.editor;

import org.keepwatch.drafts.SideBySideDiff;

import java.util.List;

/** One file's change as the review shows it: the rows side by side and a count. */
public record FileDiff(String path, String leftTitle, String rightTitle, List<SideBySideDiff.Row> rows, SideBySideDiff.Stats stats) {

    public static FileDiff of(String path, String leftTitle, String before, String rightTitle, String after) {
        List<SideBySideDiff.Row> rows = SideBySideDiff.rows(before, after, 3);
        return new FileDiff(path, leftTitle, rightTitle, rows, SideBySideDiff.stats(rows));
    }
}
