package org.keepwatch.drafts;

import org.keepwatch.config.Statement;

import java.util.ArrayList;
import java.util.List;

/** A block the form edits: its kind, its name, and its statement in the effective configuration. */
public record BlockRef(BlockKind kind, String name, Statement node) {

    /** The edit path of the block ({@code vrrp_instance VI_1}) followed by more words. */
    public List<String> path(List<String> more) {
        List<String> words = new ArrayList<>(List.of(kind.keyword(), name));
        words.addAll(more);
        return words;
    }

    /** The 1-based lines the block spans in its file, for diagnostics that belong to it. */
    public boolean covers(String file, int line) {
        if (!node.file().path().equals(file) && !node.location().file().equals(file)) {
            return false;
        }
        int first = node.location().line();
        int last = node.closeFile().map(f -> f.location(node.closeOffset()).line()).orElse(first);
        return line >= first && line <= last;
    }
}
