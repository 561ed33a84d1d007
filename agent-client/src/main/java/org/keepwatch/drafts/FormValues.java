package org.keepwatch.drafts;

import org.keepwatch.config.KeepalivedConfig;
import org.keepwatch.config.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads what the form shows from the configuration: the blocks it edits and each field's value. */
public final class FormValues {

    private FormValues() {
    }

    /** Instances, then scripts, then sync groups, in file order. */
    public static List<BlockRef> blocks(KeepalivedConfig config) {
        List<BlockRef> out = new ArrayList<>();
        config.instances().forEach(i -> out.add(new BlockRef(BlockKind.INSTANCE, i.name(), i.node())));
        config.scripts().forEach(s -> out.add(new BlockRef(BlockKind.SCRIPT, s.name(), s.node())));
        config.syncGroups().forEach(g -> out.add(new BlockRef(BlockKind.SYNC_GROUP, g.name(), g.node())));
        return out;
    }

    /** A single-valued field as text ("" when absent; "true"/"" for a flag). */
    public static String value(Statement block, BlockKind.Field field) {
        Optional<Statement> node = find(block, field.words());
        if (field.input() == BlockKind.Input.FLAG) {
            return node.isPresent() ? "true" : "";
        }
        return node.map(n -> String.join(" ", n.args())).orElse("");
    }

    /** A list field's entries, one per line of the list block. */
    public static List<String> entries(Statement block, BlockKind.Field field) {
        return find(block, field.words()).map(list -> list.children().stream().map(c -> String.join(" ", c.words())).toList())
                .orElse(List.of());
    }

    /** The child statement at a keyword path below a block; keepalived takes the last of repeated ones. */
    static Optional<Statement> find(Statement block, List<String> words) {
        Optional<Statement> at = Optional.of(block);
        for (String word : words) {
            at = at.flatMap(n -> n.child(word));
        }
        return at;
    }
}
