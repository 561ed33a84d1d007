package org.keepwatch.drafts;

import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.ConfigEditException;
import org.keepwatch.config.ConfigEditor;
import org.keepwatch.config.Statement;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What a change in the form does to the document, through the config engine's typed edits: a value
 * set or removed, a list made to hold given entries, a block renamed (with the places that name it),
 * copied or deleted. Untouched lines stay byte for byte as the operator wrote them.
 */
public final class FormEdits {

    private FormEdits() {
    }

    /** Sets a single-valued field; blank removes the keyword (no authentication type removes the whole block). */
    public static UnaryOperator<ConfigDocument> set(BlockRef block, BlockKind.Field field, String value) {
        String v = value == null ? "" : value.trim();
        return doc -> {
            List<String> path = block.path(field.words());
            if (field.input() == BlockKind.Input.FLAG) {
                boolean on = v.equals("true");
                boolean present = raw(doc, path).isPresent();
                if (on == present) {
                    return doc;
                }
                return on ? ConfigEditor.set(doc, path) : ConfigEditor.remove(doc, path);
            }
            if (v.isEmpty()) {
                List<String> target = field.key().equals("authentication auth_type") ? block.path(List.of("authentication")) : path;
                return raw(doc, target).isPresent() ? ConfigEditor.remove(doc, target) : doc;
            }
            if (v.contains("\"") && v.contains("'")) {
                throw new ConfigEditException(field.label() + ": a value cannot hold both kinds of quotes; edit it in the text");
            }
            ConfigDocument out = ensureParents(doc, path);
            List<String> words = new ArrayList<>(path);
            words.add(v);
            return ConfigEditor.set(out, words);
        };
    }

    /** Makes a list field hold exactly these entries (blank lines ignored). */
    public static UnaryOperator<ConfigDocument> setEntries(BlockRef block, BlockKind.Field field, List<String> entries) {
        List<String> clean = entries.stream().map(String::trim).filter(e -> !e.isEmpty()).toList();
        return doc -> ConfigEditor.setEntries(doc, block.path(field.words()), clean);
    }

    /** Renames a block, and the sync groups and track_script lists that name it. */
    public static UnaryOperator<ConfigDocument> rename(BlockRef block, String newName) {
        String name = newName.trim();
        return doc -> {
            if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigEditException("'" + newName + "' is not a block name (no blanks)");
            }
            ConfigDocument out = ConfigEditor.rename(doc, String.join(" ", block.path(List.of())), name);
            String referrer = block.kind() == BlockKind.INSTANCE ? "vrrp_sync_group" : block.kind() == BlockKind.SCRIPT ? "vrrp_instance" : null;
            String list = block.kind() == BlockKind.INSTANCE ? "group" : "track_script";
            if (referrer == null) {
                return out;
            }
            for (Statement root : List.copyOf(out.roots())) {
                if (!root.keyword().equals(referrer) || root.condition().isPresent() || root.arg(0).isEmpty()) {
                    continue;
                }
                Optional<Statement> entries = root.child(list);
                if (entries.isEmpty() || entries.get().children().stream().noneMatch(c -> c.keyword().equals(block.name()))) {
                    continue;
                }
                List<String> renamed = entries.get().children().stream().map(c -> {
                    List<String> words = new ArrayList<>(c.words());
                    if (words.get(0).equals(block.name())) {
                        words.set(0, name);
                    }
                    return quoteJoin(words);
                }).toList();
                out = ConfigEditor.setEntries(out, List.of(referrer, root.arg(0).get(), list), renamed);
            }
            return out;
        };
    }

    /** A copy of the block under a new name, right after it. */
    public static UnaryOperator<ConfigDocument> duplicate(BlockRef block, String newName) {
        return doc -> ConfigEditor.copyBlock(doc, String.join(" ", block.path(List.of())), newName.trim());
    }

    public static UnaryOperator<ConfigDocument> delete(BlockRef block) {
        return doc -> ConfigEditor.remove(doc, block.path(List.of()));
    }

    /** A name not used yet by a block of that kind: VI_1 → VI_2, chk → chk_2. */
    public static String freeName(List<BlockRef> blocks, BlockRef template) {
        String stem = template.name().replaceAll("_?\\d+$", "");
        String separator = template.name().matches(".*_\\d+$") || !template.name().matches(".*\\d$") ? "_" : "";
        for (int n = 2; ; n++) {
            String candidate = stem + separator + n;
            if (blocks.stream().noneMatch(b -> b.kind() == template.kind() && b.name().equals(candidate))) {
                return candidate;
            }
        }
    }

    /** Creates the sub-blocks of a nested keyword path ({@code authentication} for {@code authentication auth_pass}). */
    private static ConfigDocument ensureParents(ConfigDocument doc, List<String> path) {
        ConfigDocument out = doc;
        for (int end = 3; end < path.size(); end++) {
            out = ConfigEditor.ensureBlock(out, path.subList(0, end));
        }
        return out;
    }

    /** The statement at a path in the raw tree (what edits change), unconditional blocks only. */
    private static Optional<Statement> raw(ConfigDocument doc, List<String> path) {
        Statement found = null;
        for (Statement root : doc.roots()) {
            if (root.keyword().equals(path.get(0)) && root.condition().isEmpty() && root.arg(0).orElse("").equals(path.get(1))) {
                found = root;
            }
        }
        return found == null ? Optional.empty() : FormValues.find(found, path.subList(2, path.size()));
    }

    private static String quoteJoin(List<String> words) {
        return String.join(" ", words.stream().map(w -> w.chars().anyMatch(Character::isWhitespace) ? "\"" + w + "\"" : w).toList());
    }
}
