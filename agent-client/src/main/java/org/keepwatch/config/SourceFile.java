package org.keepwatch.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The exact bytes of one configuration file and the start of each of its lines.
 * Everything parsed from it points back here by byte offset, so writing it back is copying these bytes.
 * A file produced by expanding conditionals and variables carries the origin of each of its lines.
 */
public final class SourceFile {
    private final String path;
    private final byte[] bytes;
    private final int[] lineStarts;
    private final Location[] origins;

    public SourceFile(String path, byte[] bytes) {
        this(path, bytes, null);
    }

    SourceFile(String path, byte[] bytes, Location[] origins) {
        this.path = path;
        this.bytes = bytes;
        this.lineStarts = computeLineStarts(bytes);
        this.origins = origins;
    }

    private static int[] computeLineStarts(byte[] bytes) {
        int count = 1;
        for (byte b : bytes) {
            if (b == '\n') count++;
        }
        int[] starts = new int[count];
        int line = 1;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') starts[line++] = i + 1;
        }
        return starts;
    }

    public String path() {
        return path;
    }

    /** A copy of the file's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    byte byteAt(int offset) {
        return bytes[offset];
    }

    byte[] rawBytes() {
        return bytes;
    }

    /** Number of lines; a final line without terminator counts, an empty tail after the last newline does too. */
    public int lineCount() {
        return lineStarts.length;
    }

    public int lineStart(int line) {
        return lineStarts[line];
    }

    /** Offset just past the line's content, before its '\n'. */
    public int lineEnd(int line) {
        return line + 1 < lineStarts.length ? lineStarts[line + 1] - 1 : bytes.length;
    }

    /** Offset just past the line's terminator. */
    public int lineEndWithTerminator(int line) {
        return line + 1 < lineStarts.length ? lineStarts[line + 1] : bytes.length;
    }

    public int lineOf(int offset) {
        int index = Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index : -index - 2;
    }

    /** Text of a byte range, invalid UTF-8 replaced by U+FFFD. */
    public String text(int start, int end) {
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    public String lineText(int line) {
        return text(lineStart(line), lineEnd(line));
    }

    /** Where a byte offset is, as an operator counts: 1-based line and character column, in the original file. */
    public Location location(int offset) {
        int line = lineOf(offset);
        int column = text(lineStart(line), offset).length() + 1;
        if (origins != null) {
            Location origin = origins[line];
            return origin;
        }
        return new Location(path, line + 1, column);
    }

    public Location lineLocation(int line) {
        return origins != null ? origins[line] : new Location(path, line + 1, 1);
    }

    /** The first byte offset at which the file is not valid UTF-8, if any. */
    public Optional<Integer> firstInvalidUtf8() {
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return Optional.empty();
        } catch (CharacterCodingException e) {
            return Optional.of(findInvalidOffset());
        }
    }

    private int findInvalidOffset() {
        var decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = CharBuffer.allocate(8192);
        while (true) {
            var result = decoder.decode(in, out, true);
            if (result.isError()) return in.position();
            if (result.isUnderflow()) return bytes.length;
            out.clear();
        }
    }

    @Override
    public String toString() {
        return path;
    }
}
