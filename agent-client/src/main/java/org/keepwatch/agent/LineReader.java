package org.keepwatch.agent;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads {@code \n}-ended lines of bytes from a stream, holding at most {@code limit} bytes of one line: a line that
 * goes on past the limit comes back cut, with its rest still unread, for the caller to skip (unbuffered) or to give
 * up on. What a node sends can therefore never take more than the limit of this process's heap.
 */
final class LineReader {

    /**
     * One line without its {@code \n}; {@code cut} when it went on past the limit, its rest still unread, and then
     * {@code bytes} are its first {@link #CUT_HEAD} bytes at most (enough to say what it was).
     */
    record Line(byte[] bytes, boolean cut) {
    }

    static final int CUT_HEAD = 64 * 1024;
    private static final int CHUNK = 8192;
    /** A buffer grown past this for one long line is dropped afterwards, so an idle session holds little. */
    private static final int KEPT_BUFFER = 64 * 1024;

    private final InputStream in;
    private final int limit;
    private final byte[] chunk = new byte[CHUNK];
    private int position;
    private int end;
    private byte[] line;

    LineReader(InputStream in, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a line limit must be positive: " + limit);
        }
        this.in = in;
        this.limit = limit;
        this.line = new byte[Math.min(CHUNK, limit)];
    }

    /** The next line; empty at the end of the stream. A last line without {@code \n} counts, an empty one does not. */
    Optional<Line> next() throws IOException {
        int length = 0;
        while (true) {
            if (position == end && !fill()) {
                return length == 0 ? Optional.empty() : Optional.of(take(length, false));
            }
            int stop = position;
            while (stop < end && chunk[stop] != '\n') {
                stop++;
            }
            if (length == limit && stop > position) {
                return Optional.of(take(length, true));     // more than the limit; the rest stays unread
            }
            int copied = Math.min(stop - position, limit - length);
            if (length + copied > line.length) {
                line = Arrays.copyOf(line, (int) Math.min(limit, Math.max((long) line.length * 2, length + copied)));
            }
            System.arraycopy(chunk, position, line, length, copied);
            length += copied;
            position += copied;
            if (position < end && chunk[position] == '\n') {
                position++;
                return Optional.of(take(length, false));
            }
        }
    }

    /**
     * Reads and drops the rest of the current line, its {@code \n} included, without keeping it; true when the line
     * (or the stream) ended within {@code max} bytes, false when {@code max} bytes went and the line had not.
     */
    boolean skipLine(long max) throws IOException {
        long skipped = 0;
        while (true) {
            if (position == end && !fill()) {
                return true;
            }
            int stop = position;
            while (stop < end && chunk[stop] != '\n') {
                stop++;
            }
            skipped += stop - position;
            if (skipped > max) {
                position = stop;
                return false;
            }
            if (stop < end) {
                position = stop + 1;
                return true;
            }
            position = end;
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, chunk.length);
        while (n == 0) {
            n = in.read(chunk, 0, chunk.length);
        }
        position = 0;
        end = Math.max(n, 0);
        return n > 0;
    }

    private Line take(int length, boolean cut) {
        Line taken = new Line(Arrays.copyOf(line, cut ? Math.min(length, CUT_HEAD) : length), cut);
        if (line.length > KEPT_BUFFER) {
            line = new byte[Math.min(CHUNK, limit)];
        }
        return taken;
    }
}
