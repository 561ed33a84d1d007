package org.keepwatch.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed edits that keep the operator's formatting: each edit is a byte-range replacement on the raw
 * document, so lines it does not touch stay byte-identical and new lines copy their neighbours' indent.
 * Targets are addressed by path: block keywords with their names, then a keyword, e.g.
 * {@code vrrp_instance VI_1 priority} or {@code virtual_server 10.0.0.1 80 real_server 10.0.1.1 80 weight}.
 */
public final class ConfigEditor {
    private ConfigEditor() {
    }

    /** Where a path leads: the block it names (absent for top level) and the words left after it. */
    private record Target(Optional<Statement> block, List<String> rest) {
    }

    /** Sets a keyword's values in a block, adding the keyword if it is not there. */
    public static ConfigDocument set(ConfigDocument doc, String path) {
        return set(doc, split(path));
    }

    /** {@link #set(ConfigDocument, String)} with the path given as words, so values need no quoting. */
    public static ConfigDocument set(ConfigDocument doc, List<String> words) {
        String path = String.join(" ", words);
        Target target = resolve(doc, words);
        if (target.rest().isEmpty()) throw new ConfigEditException("'" + path + "' names a block, not a keyword to set");
        String keyword = target.rest().get(0);
        List<String> values = target.rest().subList(1, target.rest().size());
        Statement block = target.block().orElseThrow(() -> new ConfigEditException("no block named in '" + path + "'"));
        Optional<Statement> existing = lastUnconditional(block, keyword);
        if (existing.isPresent()) {
            Statement node = existing.get();
            if (node.hasBlock()) throw new ConfigEditException("'" + keyword + "' is a block; edit its entries instead");
            String text = render(values);
            if (node.wordCount() > 1) {
                return doc.apply(List.of(new TextEdit(node.file().path(), node.wordStart(1), node.wordEnd(node.wordCount() - 1), text)));
            }
            return doc.apply(List.of(TextEdit.insert(node.file().path(), node.wordEnd(0), values.isEmpty() ? "" : " " + text)));
        }
        return insertLine(doc, block, render(target.rest()));
    }

    /** Adds a line to a block: a keyword with values, or an entry of a list block such as a VIP. */
    public static ConfigDocument add(ConfigDocument doc, String path) {
        return add(doc, split(path));
    }

    /** {@link #add(ConfigDocument, String)} with the path given as words. */
    public static ConfigDocument add(ConfigDocument doc, List<String> words) {
        String path = String.join(" ", words);
        Target target = resolve(doc, words);
        if (target.rest().isEmpty()) throw new ConfigEditException("nothing to add in '" + path + "'");
        Statement block = target.block().orElseThrow(() -> new ConfigEditException("no block named in '" + path + "'"));
        if (KeywordTable.isListBlock("x", block.keyword())) {
            return insertLine(doc, block, render(target.rest()));
        }
        if (target.rest().size() >= 2 && KeywordTable.LIST_BLOCKS.contains(target.rest().get(0))) {
            Optional<Statement> list = lastUnconditional(block, target.rest().get(0)).filter(Statement::hasBlock);
            List<String> entry = target.rest().subList(1, target.rest().size());
            if (list.isPresent()) return insertLine(doc, list.get(), render(entry));
            String indent = childIndent(block);
            String unit = indentUnit(block);
            String nl = newline(block.file(), block.line());
            return insertLine(doc, block, target.rest().get(0) + " {" + nl + indent + unit + render(entry) + nl + indent + "}");
        }
        return insertLine(doc, block, render(target.rest()));
    }

    /** Removes a keyword line, a list entry (given by its first word or whole text), or a whole block. */
    public static ConfigDocument remove(ConfigDocument doc, String path) {
        return remove(doc, split(path));
    }

    /** {@link #remove(ConfigDocument, String)} with the path given as words. */
    public static ConfigDocument remove(ConfigDocument doc, List<String> words) {
        String path = String.join(" ", words);
        Target target = resolve(doc, words);
        if (target.rest().isEmpty()) {
            Statement block = target.block().orElseThrow(() -> new ConfigEditException("nothing named '" + path + "'"));
            return doc.apply(List.of(deleteLines(block)));
        }
        Statement block = target.block().orElseThrow(() -> new ConfigEditException("no block named in '" + path + "'"));
        List<TextEdit> edits = new ArrayList<>();
        for (Statement child : block.children()) {
            boolean matches = child.keyword().equals(target.rest().get(0)) && child.condition().isEmpty()
                && (target.rest().size() == 1 || child.words().equals(target.rest()));
            if (matches) edits.add(deleteLines(child));
        }
        if (edits.isEmpty()) throw new ConfigEditException("'" + String.join(" ", target.rest()) + "' is not in " + block.keyword());
        return doc.apply(edits);
    }

    /**
     * Makes a list block hold exactly the given entries, in that order: {@code setEntries(doc,
     * List.of("vrrp_instance", "VI_1", "virtual_ipaddress"), List.of("10.0.0.1/24 dev eth0"))}. Entries that
     * stay keep their lines (and comments); a changed entry is rewritten in place; the block is created when
     * missing and left empty (not removed) when no entry is left.
     */
    public static ConfigDocument setEntries(ConfigDocument doc, List<String> blockPath, List<String> entries) {
        List<List<String>> wanted = entries.stream().map(ConfigEditor::split).filter(w -> !w.isEmpty()).toList();
        String path = String.join(" ", blockPath);
        Target target = resolve(doc, blockPath);
        if (target.rest().size() == 1 && target.block().isPresent()) {
            if (wanted.isEmpty()) return doc;
            Statement parent = target.block().get();
            String nl = newline(parent.file(), parent.line());
            String indent = childIndent(parent) + indentUnit(parent);
            StringBuilder text = new StringBuilder(target.rest().get(0)).append(" {");
            for (List<String> entry : wanted) text.append(nl).append(indent).append(render(entry));
            return insertLine(doc, parent, text.append(nl).append(childIndent(parent)).append('}').toString());
        }
        Statement block = target.block().filter(b -> target.rest().isEmpty() && b.hasBlock())
            .orElseThrow(() -> new ConfigEditException("'" + path + "' is not a block"));
        List<Statement> old = block.children();
        for (Statement child : old) {
            if (child.condition().isPresent()) {
                throw new ConfigEditException("'" + path + "' has @" + child.condition().get() + " entries; edit those lines by hand");
            }
        }
        if (old.stream().map(Statement::words).toList().equals(wanted)) return doc;
        if (sharesLineWithBraces(block)) return doc.apply(List.of(rewriteInside(block, wanted)));
        if (old.isEmpty()) {
            ConfigDocument out = doc;
            for (List<String> entry : wanted) {
                List<String> words = new ArrayList<>(blockPath);
                words.addAll(entry);
                out = add(out, words);
            }
            return out;
        }
        return doc.apply(entryEdits(block, old, wanted));
    }

    /** Adds an empty block ({@code authentication {}}) to a block unless it has one already. */
    public static ConfigDocument ensureBlock(ConfigDocument doc, List<String> blockPath) {
        Target target = resolve(doc, blockPath);
        if (target.rest().isEmpty()) return doc;
        String path = String.join(" ", blockPath);
        Statement parent = target.block().filter(b -> target.rest().size() == 1)
            .orElseThrow(() -> new ConfigEditException("no block to add '" + path + "' to"));
        return insertLine(doc, parent, target.rest().get(0) + " {" + newline(parent.file(), parent.line()) + childIndent(parent) + "}");
    }

    /** Renames a block: {@code rename(doc, "vrrp_instance VI_1", "VI_9")}. */
    public static ConfigDocument rename(ConfigDocument doc, String blockPath, String newName) {
        Target target = resolve(doc, split(blockPath));
        Statement block = target.block().filter(b -> target.rest().isEmpty() && b.wordCount() > 1)
            .orElseThrow(() -> new ConfigEditException("'" + blockPath + "' is not a named block"));
        return doc.apply(List.of(new TextEdit(block.file().path(), block.wordStart(1), block.wordEnd(1), render(List.of(newName)))));
    }

    /** Adds a top-level block copied from an existing one (a template), under a new name, right after it. */
    public static ConfigDocument copyBlock(ConfigDocument doc, String templatePath, String newName) {
        Target target = resolve(doc, split(templatePath));
        Statement template = target.block().filter(b -> target.rest().isEmpty() && b.wordCount() > 1 && b.closeOffset() >= 0
                && b.closeFile().orElse(null) == b.file())
            .orElseThrow(() -> new ConfigEditException("'" + templatePath + "' is not a named block in one file"));
        SourceFile file = template.file();
        int start = file.lineStart(template.line());
        int end = file.lineEndWithTerminator(file.lineOf(template.closeOffset()));
        String text = file.text(start, end);
        int nameStart = template.wordStart(1) - start;
        int nameEnd = template.wordEnd(1) - start;
        String copy = text.substring(0, nameStart) + render(List.of(newName)) + text.substring(nameEnd);
        String nl = newline(file, template.line());
        if (!copy.endsWith("\n")) copy = nl + copy;
        return doc.apply(List.of(TextEdit.insert(file.path(), end, copy.endsWith("\n") ? copy : copy + nl)));
    }

    // ---- resolution

    private static Target resolve(ConfigDocument doc, List<String> words) {
        List<Statement> level = doc.roots();
        Statement block = null;
        int i = 0;
        while (i < words.size()) {
            Statement next = null;
            for (Statement candidate : level) {
                if (!candidate.hasBlock() || !candidate.keyword().equals(words.get(i)) || candidate.condition().isPresent()) continue;
                List<String> args = candidate.args();
                if (i + 1 + args.size() <= words.size() && words.subList(i + 1, i + 1 + args.size()).equals(args)) {
                    if (next == null || args.size() > next.args().size() || args.size() == next.args().size()) next = candidate;
                }
            }
            if (next == null) break;
            block = next;
            i += 1 + next.args().size();
            level = next.children();
        }
        if (block == null && i == 0 && !words.isEmpty()) {
            throw new ConfigEditException("no block matches '" + String.join(" ", words) + "'");
        }
        return new Target(Optional.ofNullable(block), words.subList(i, words.size()));
    }

    private static Optional<Statement> lastUnconditional(Statement block, String keyword) {
        Statement found = null;
        for (Statement child : block.children()) {
            if (child.keyword().equals(keyword)) {
                if (child.condition().isPresent()) {
                    throw new ConfigEditException("'" + keyword + "' has @" + child.condition().get()
                        + " variants in " + block.keyword() + "; edit those lines by hand");
                }
                found = child;
            }
        }
        return Optional.ofNullable(found);
    }

    // ---- list entries

    /** Byte edits from the old entries to the wanted ones: the longest common run stays, the rest is rewritten. */
    private static List<TextEdit> entryEdits(Statement block, List<Statement> old, List<List<String>> wanted) {
        int n = old.size();
        int m = wanted.size();
        int[][] common = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                common[i][j] = old.get(i).words().equals(wanted.get(j)) ? common[i + 1][j + 1] + 1
                    : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<TextEdit> edits = new ArrayList<>();
        List<Statement> deleted = new ArrayList<>();
        List<List<String>> inserted = new ArrayList<>();
        Statement anchor = null;
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && old.get(i).words().equals(wanted.get(j))) {
                flushRun(block, anchor, deleted, inserted, edits);
                anchor = old.get(i);
                i++;
                j++;
            } else if (j >= m || (i < n && common[i + 1][j] >= common[i][j + 1])) {
                deleted.add(old.get(i++));
            } else {
                inserted.add(wanted.get(j++));
            }
        }
        flushRun(block, anchor, deleted, inserted, edits);
        return edits;
    }

    /** One run of removed and added entries between two kept ones: pairs become rewrites, the rest deletes or inserts. */
    private static void flushRun(Statement block, Statement anchor, List<Statement> deleted, List<List<String>> inserted, List<TextEdit> edits) {
        int pairs = Math.min(deleted.size(), inserted.size());
        for (int k = 0; k < pairs; k++) {
            Statement node = deleted.get(k);
            edits.add(new TextEdit(node.file().path(), node.wordStart(0), node.wordEnd(node.wordCount() - 1), render(inserted.get(k))));
        }
        for (int k = pairs; k < deleted.size(); k++) edits.add(deleteLines(deleted.get(k)));
        if (inserted.size() > pairs) {
            Statement after = !deleted.isEmpty() ? deleted.get(deleted.size() - 1) : anchor;
            SourceFile file;
            int offset;
            if (after != null) {
                file = after.file();
                offset = file.lineEndWithTerminator(after.lastLine());
            } else {
                Statement first = block.children().get(0);
                file = first.file();
                offset = file.lineStart(first.line());
            }
            String nl = newline(file, file.lineOf(Math.max(0, offset - 1)));
            StringBuilder text = new StringBuilder();
            if (offset > 0 && file.byteAt(offset - 1) != '\n') text.append(nl);
            for (List<String> entry : inserted.subList(pairs, inserted.size())) {
                text.append(childIndent(block)).append(render(entry)).append(nl);
            }
            edits.add(TextEdit.insert(file.path(), offset, text.toString()));
        }
        deleted.clear();
        inserted.clear();
    }

    /** Blocks written on one line with their entries ({@code group { VI_1 VI_2 }}): edited entry by entry. */
    private static boolean sharesLineWithBraces(Statement block) {
        SourceFile openFile = block.file();
        int openLine = openFile.lineOf(block.openOffset());
        SourceFile closeFile = block.closeFile().orElse(null);
        int closeLine = closeFile == null ? -1 : closeFile.lineOf(block.closeOffset());
        for (Statement child : block.children()) {
            if (child.file() == openFile && child.line() == openLine) return true;
            if (child.file() == closeFile && child.lastLine() == closeLine) return true;
        }
        return false;
    }

    /** A one-line block's inside replaced by one entry per line, indented one step deeper than the block. */
    private static TextEdit rewriteInside(Statement block, List<List<String>> wanted) {
        SourceFile file = block.file();
        if (block.closeFile().orElse(null) != file) throw new ConfigEditException("block '" + block.keyword() + "' is not closed");
        String nl = newline(file, block.line());
        String outer = indentOf(file, block.line());
        String inner = outer + (outer.startsWith("\t") ? "\t" : "    ");
        StringBuilder text = new StringBuilder(nl);
        for (List<String> entry : wanted) text.append(inner).append(render(entry)).append(nl);
        return new TextEdit(file.path(), block.openOffset() + 1, block.closeOffset(), text.append(outer).toString());
    }

    // ---- text

    private static ConfigDocument insertLine(ConfigDocument doc, Statement block, String content) {
        if (block.closeOffset() < 0) throw new ConfigEditException("block '" + block.keyword() + "' is not closed");
        List<Statement> children = block.children();
        Statement last = children.isEmpty() ? null : children.get(children.size() - 1);
        SourceFile file;
        int insertAt;
        if (last != null && last.file() == block.closeFile().orElse(null) && !last.hasBlock()
            && last.file().lineOf(block.closeOffset()) > last.lastLine()) {
            file = last.file();
            insertAt = file.lineEndWithTerminator(last.lastLine());
        } else if (last != null && last.hasBlock() && last.closeFile().orElse(null) == block.closeFile().orElse(null)
            && last.closeFile().get().lineOf(last.closeOffset()) < block.closeFile().get().lineOf(block.closeOffset())) {
            file = last.closeFile().get();
            insertAt = file.lineEndWithTerminator(file.lineOf(last.closeOffset()));
        } else {
            file = block.closeFile().orElseThrow();
            int closeLine = file.lineOf(block.closeOffset());
            if (closeLine > file.lineOf(block.openOffset()) && onlyBlanksBefore(file, block.closeOffset())) {
                insertAt = file.lineStart(closeLine);
            } else {
                // "{ }" on one line: put the entry between the braces
                return doc.apply(List.of(TextEdit.insert(file.path(), block.closeOffset(), content + " ")));
            }
        }
        String nl = newline(file, file.lineOf(Math.max(0, insertAt - 1)));
        String line = childIndent(block) + content + nl;
        if (insertAt > 0 && file.byteAt(insertAt - 1) != '\n') line = nl + line;
        return doc.apply(List.of(TextEdit.insert(file.path(), insertAt, line)));
    }

    private static boolean onlyBlanksBefore(SourceFile file, int offset) {
        for (int p = file.lineStart(file.lineOf(offset)); p < offset; p++) {
            if (!LineScanner.isBlank(file.byteAt(p))) return false;
        }
        return true;
    }

    /** Deletes a statement's whole lines when it has them to itself, otherwise just its text. */
    private static TextEdit deleteLines(Statement node) {
        SourceFile file = node.file();
        int endLine = node.hasBlock() && node.closeFile().orElse(null) == file ? file.lineOf(node.closeOffset()) : node.lastLine();
        int start = file.lineStart(node.line());
        int end = file.lineEndWithTerminator(endLine);
        int contentStart = LineScanner.skipBlanks(file, start, file.lineEnd(node.line()));
        boolean alone = contentStart == node.wordStart(0) || (node.condition().isPresent() && file.byteAt(contentStart) == '@');
        if (!alone) {
            int stop = node.hasBlock() ? node.closeOffset() + 1 : node.wordEnd(node.wordCount() - 1);
            return new TextEdit(file.path(), node.wordStart(0), stop, "");
        }
        return new TextEdit(file.path(), start, end, "");
    }

    private static String childIndent(Statement block) {
        for (Statement child : block.children()) {
            if (child.file() == block.file() || block.closeFile().isPresent()) return indentOf(child.file(), child.line());
        }
        return indentOf(block.file(), block.line()) + indentUnit(block);
    }

    /** The indent step the file uses: a tab if its lines start with tabs, else the spaces between levels. */
    private static String indentUnit(Statement block) {
        String outer = indentOf(block.file(), block.line());
        for (Statement child : block.children()) {
            String inner = indentOf(child.file(), child.line());
            if (inner.length() > outer.length() && inner.startsWith(outer)) return inner.substring(outer.length());
        }
        return outer.startsWith("\t") ? "\t" : "    ";
    }

    private static String indentOf(SourceFile file, int line) {
        int start = file.lineStart(line);
        int end = LineScanner.skipBlanks(file, start, file.lineEnd(line));
        return file.text(start, end).replace("\r", "");
    }

    private static String newline(SourceFile file, int line) {
        int end = file.lineEnd(line);
        return end > file.lineStart(line) && file.byteAt(end - 1) == '\r' ? "\r\n" : "\n";
    }

    /** Joins values as keepalived reads them back: values with blanks or comment characters are quoted. */
    static String render(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            boolean needsQuotes = v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '\t' || c == '#' || c == '!' || c == '{' || c == '}');
            out.add(needsQuotes ? "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : v);
        }
        return String.join(" ", out);
    }

    /** Splits an edit path like a shell would: blanks separate words, quotes group them. */
    static List<String> split(String path) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : path.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
                else word.append(c);
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(word.toString());
        return words;
    }
}
