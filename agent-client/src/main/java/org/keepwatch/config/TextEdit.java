package org.keepwatch.config;

/** Replace bytes [start, end) of one file by new text: the only way an edit changes a document. */
public record TextEdit(String path, int start, int end, String replacement) {
    public TextEdit {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad range " + start + ".." + end);
    }

    public static TextEdit insert(String path, int offset, String text) {
        return new TextEdit(path, offset, offset, text);
    }
}
