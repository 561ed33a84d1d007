package org.keepwatch.drafts;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.github.difflib.patch.Patch;

import java.util.ArrayList;
import java.util.List;

/**
 * Two texts side by side, line by line, as an operator reviews a change before pushing it: equal lines
 * paired, changed lines paired with the changed part marked, added and removed lines opposite a gap,
 * and long runs of equal lines folded to a count.
 */
public final class SideBySideDiff {

    public enum Kind { SAME, CHANGED, ADDED, REMOVED, FOLDED }

    /**
     * One row. Line numbers are 1-based, 0 where that side has no line; {@code oldMark}/{@code newMark}
     * are the [start, end) of the changed part of a CHANGED row; a FOLDED row counts its lines in {@code oldLine}.
     */
    public record Row(Kind kind, int oldLine, String oldText, int newLine, String newText, int[] oldMark, int[] newMark) {
        static Row same(int oldLine, String oldText, int newLine, String newText) {
            return new Row(Kind.SAME, oldLine, oldText, newLine, newText, null, null);
        }
    }

    /** The summary line: "3 lines changed, 1 added, 0 removed". */
    public record Stats(int changed, int added, int removed) {
        @Override
        public String toString() {
            return changed + " line(s) changed, " + added + " added, " + removed + " removed";
        }
    }

    private SideBySideDiff() {
    }

    /** @param context equal lines kept on each side of a change; the rest fold; negative keeps every line */
    public static List<Row> rows(String before, String after, int context) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        Patch<String> patch = DiffUtils.diff(a, b);
        List<Row> all = new ArrayList<>();
        int i = 0;
        int j = 0;
        for (AbstractDelta<String> delta : patch.getDeltas()) {
            int at = delta.getSource().getPosition();
            while (i < at) {
                all.add(Row.same(i + 1, a.get(i), j + 1, b.get(j)));
                i++;
                j++;
            }
            List<String> removed = delta.getSource().getLines();
            List<String> added = delta.getTarget().getLines();
            int pairs = Math.min(removed.size(), added.size());
            for (int k = 0; k < Math.max(removed.size(), added.size()); k++) {
                if (k < pairs) {
                    int[][] marks = marks(removed.get(k), added.get(k));
                    all.add(new Row(Kind.CHANGED, i + 1, removed.get(k), j + 1, added.get(k), marks[0], marks[1]));
                    i++;
                    j++;
                } else if (k < removed.size()) {
                    all.add(new Row(Kind.REMOVED, i + 1, removed.get(k), 0, "", null, null));
                    i++;
                } else {
                    all.add(new Row(Kind.ADDED, 0, "", j + 1, added.get(k), null, null));
                    j++;
                }
            }
        }
        while (i < a.size()) {
            all.add(Row.same(i + 1, a.get(i), j + 1, b.get(j)));
            i++;
            j++;
        }
        return context < 0 ? all : fold(all, context);
    }

    public static Stats stats(List<Row> rows) {
        int changed = 0;
        int added = 0;
        int removed = 0;
        for (Row row : rows) {
            switch (row.kind()) {
                case CHANGED -> changed++;
                case ADDED -> added++;
                case REMOVED -> removed++;
                default -> { }
            }
        }
        return new Stats(changed, added, removed);
    }

    private static List<Row> fold(List<Row> all, int context) {
        boolean[] keep = new boolean[all.size()];
        for (int k = 0; k < all.size(); k++) {
            if (all.get(k).kind() != Kind.SAME) {
                for (int c = Math.max(0, k - context); c <= Math.min(all.size() - 1, k + context); c++) {
                    keep[c] = true;
                }
            }
        }
        List<Row> out = new ArrayList<>();
        int k = 0;
        while (k < all.size()) {
            if (keep[k]) {
                out.add(all.get(k++));
                continue;
            }
            int start = k;
            while (k < all.size() && !keep[k]) {
                k++;
            }
            Row first = all.get(start);
            out.add(new Row(Kind.FOLDED, k - start, "", first.newLine(), "", null, null));
        }
        return out;
    }

    /** The changed middle of two similar lines: what is left after their common start and end. */
    private static int[][] marks(String before, String after) {
        int[] ends = commonEnds(before, after);
        return new int[][]{{ends[0], before.length() - ends[1]}, {ends[0], after.length() - ends[1]}};
    }

    /** How many characters two texts share at their start and, after that, at their end. */
    public static int[] commonEnds(String a, String b) {
        int prefix = 0;
        int max = Math.min(a.length(), b.length());
        while (prefix < max && a.charAt(prefix) == b.charAt(prefix)) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < max - prefix && a.charAt(a.length() - 1 - suffix) == b.charAt(b.length() - 1 - suffix)) {
            suffix++;
        }
        return new int[]{prefix, suffix};
    }

    /** Lines without their terminators; a final newline does not make an extra empty line. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>(List.of(text.split("\r?\n", -1)));
        if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
