package org.keepwatch.drafts;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Three-way merge of one file: the operator's edits (base → mine) carried onto the file as another
 * admin left it on the node (base → theirs). Changes to different lines combine; the same change made
 * on both sides counts once; different changes to the same lines are conflicts, each named by its
 * lines so the operator can decide.
 */
public final class TextMerge {

    /** The merged text, or the places where both sides changed the same lines differently. */
    public record Result(Optional<String> merged, List<String> conflicts) {
        public boolean clean() {
            return merged.isPresent();
        }
    }

    /** One side's change: base lines [from, to) replaced by {@code lines}. */
    private record Change(int from, int to, List<String> lines) {
    }

    private TextMerge() {
    }

    public static Result merge(String base, String mine, String theirs) {
        List<String> b = SideBySideDiff.lines(base);
        List<Change> ours = changes(b, SideBySideDiff.lines(mine));
        List<Change> others = changes(b, SideBySideDiff.lines(theirs));
        List<String> out = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        int position = 0;
        int i = 0;
        int j = 0;
        while (i < ours.size() || j < others.size()) {
            boolean oursFirst = j >= others.size() || (i < ours.size() && ours.get(i).from() <= others.get(j).from());
            Change next = oursFirst ? ours.get(i++) : others.get(j++);
            List<Change> opposite = oursFirst ? others : ours;
            int k = oursFirst ? j : i;
            if (k < opposite.size() && overlaps(next, opposite.get(k))) {
                Change other = opposite.get(k);
                if (!next.equals(other)) {
                    conflicts.add("lines " + (Math.min(next.from(), other.from()) + 1) + "–" + Math.max(next.to(), other.to())
                            + " of the version read: changed here and on the node");
                }
                if (oursFirst) {
                    j++;
                } else {
                    i++;
                }
            }
            out.addAll(b.subList(position, Math.max(position, next.from())));
            out.addAll(next.lines());
            position = Math.max(position, next.to());
        }
        out.addAll(b.subList(Math.min(position, b.size()), b.size()));
        if (!conflicts.isEmpty()) {
            return new Result(Optional.empty(), conflicts);
        }
        String newline = theirs.contains("\r\n") ? "\r\n" : "\n";
        boolean finalNewline = theirs.isEmpty() ? mine.endsWith("\n") : theirs.endsWith("\n");
        String text = String.join(newline, out);
        return new Result(Optional.of(finalNewline && !out.isEmpty() ? text + newline : text), List.of());
    }

    /** Two changes touch the same base lines, or insert at the same place. */
    private static boolean overlaps(Change a, Change b) {
        if (a.from() == a.to() || b.from() == b.to()) {
            return a.from() <= b.to() && b.from() <= a.to();
        }
        return a.from() < b.to() && b.from() < a.to();
    }

    private static List<Change> changes(List<String> base, List<String> other) {
        List<Change> out = new ArrayList<>();
        for (AbstractDelta<String> delta : DiffUtils.diff(base, other).getDeltas()) {
            int from = delta.getSource().getPosition();
            out.add(new Change(from, from + delta.getSource().size(), delta.getTarget().getLines()));
        }
        return out;
    }
}
