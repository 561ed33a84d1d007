package org.keepwatch.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes files back. The tree indexes the original bytes instead of copying them, so a file comes back
 * line by line exactly as read, and an edited one is its bytes with the edits spliced in.
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static byte[] write(SourceFile file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length());
        byte[] bytes = file.rawBytes();
        for (int line = 0; line < file.lineCount(); line++) {
            int start = file.lineStart(line);
            out.write(bytes, start, file.lineEndWithTerminator(line) - start);
        }
        return out.toByteArray();
    }

    static byte[] write(SourceFile file, List<TextEdit> edits) {
        List<TextEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(TextEdit::start).thenComparingInt(TextEdit::end));
        ByteArrayOutputStream out = new ByteArrayOutputStream(file.length() + 256);
        byte[] bytes = file.rawBytes();
        int position = 0;
        for (TextEdit edit : sorted) {
            if (edit.start() < position || edit.end() > bytes.length) {
                throw new IllegalArgumentException("overlapping or out-of-range edit " + edit);
            }
            out.write(bytes, position, edit.start() - position);
            out.writeBytes(edit.replacement().getBytes(StandardCharsets.UTF_8));
            position = edit.end();
        }
        out.write(bytes, position, bytes.length - position);
        return out.toByteArray();
    }
}
