package org.keepwatch.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One statement of a keepalived configuration: a keyword with its arguments on one line, optionally
 * followed by a block of child statements in braces. It knows where each of its words sits in the
 * source, which is what makes edits that touch nothing else possible.
 */
public final class Statement {

    /** What a line is to keepalived's parser. */
    public enum Kind {
        /** keyword and arguments, maybe with a block */
        KEYWORD,
        /** {@code $NAME=value}, possibly continued over several lines with a trailing backslash */
        DEFINITION,
        /** {@code ~SEQ(...)} or {@code ~LST(...)}: expanded only in the effective configuration */
        LOOP,
        /** {@code include GLOB} and its variants */
        INCLUDE
    }

    private final SourceFile file;
    private final int line;
    private final Kind kind;
    private final String condition;
    private final String[] words;
    private final int[] spans;
    private int lastLine;
    private List<Statement> children;
    private int openOffset = -1;
    private SourceFile closeFile;
    private int closeOffset = -1;

    Statement(SourceFile file, int line, Kind kind, String condition, String[] words, int[] spans) {
        this.file = file;
        this.line = line;
        this.lastLine = line;
        this.kind = kind;
        this.condition = condition;
        this.words = words;
        this.spans = spans;
    }

    public SourceFile file() {
        return file;
    }

    /** 0-based index of the line the statement starts on. */
    public int line() {
        return line;
    }

    /** 0-based index of the last line of the statement itself (not its block). */
    public int lastLine() {
        return lastLine;
    }

    void lastLine(int value) {
        lastLine = value;
    }

    public Kind kind() {
        return kind;
    }

    /** The conditional prefix without '@': {@code "high"} or {@code "^high"}. */
    public Optional<String> condition() {
        return Optional.ofNullable(condition);
    }

    public String keyword() {
        return words.length == 0 ? "" : words[0];
    }

    public int wordCount() {
        return words.length;
    }

    public String word(int index) {
        return words[index];
    }

    public Optional<String> arg(int index) {
        return index + 1 < words.length ? Optional.of(words[index + 1]) : Optional.empty();
    }

    /** The arguments after the keyword, quotes removed. */
    public List<String> args() {
        return words.length <= 1 ? List.of() : List.of(words).subList(1, words.length);
    }

    public List<String> words() {
        return List.of(words);
    }

    public int wordStart(int index) {
        return spans[2 * index];
    }

    public int wordEnd(int index) {
        return spans[2 * index + 1];
    }

    public Location location() {
        return words.length == 0 ? file.lineLocation(line) : file.location(spans[0]);
    }

    public Location wordLocation(int index) {
        return file.location(spans[2 * index]);
    }

    public boolean hasBlock() {
        return children != null;
    }

    /** Child statements in source order; empty if the statement has no block. */
    public List<Statement> children() {
        return children == null ? List.of() : Collections.unmodifiableList(children);
    }

    public Stream<Statement> children(String keyword) {
        return children().stream().filter(n -> n.keyword().equals(keyword));
    }

    public Optional<Statement> child(String keyword) {
        Statement found = null;
        for (Statement n : children()) {
            if (n.keyword().equals(keyword)) found = n; // keepalived takes the last of repeated keywords
        }
        return Optional.ofNullable(found);
    }

    void openBlock(int offset) {
        children = new ArrayList<>();
        openOffset = offset;
    }

    void addChild(Statement child) {
        children.add(child);
    }

    void close(SourceFile file, int offset) {
        closeFile = file;
        closeOffset = offset;
    }

    /** Offset of '{' in {@link #file()}, or -1. The brace may sit on a later line than the keyword. */
    public int openOffset() {
        return openOffset;
    }

    public Optional<SourceFile> closeFile() {
        return Optional.ofNullable(closeFile);
    }

    /** Offset of the matching '}' in {@link #closeFile()}, or -1 when the block is not closed. */
    public int closeOffset() {
        return closeOffset;
    }

    @Override
    public String toString() {
        return (condition == null ? "" : "@" + condition + " ") + String.join(" ", words)
            + (children == null ? "" : " {" + children.size() + "}");
    }
}
