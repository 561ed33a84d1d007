package org.keepwatch.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits one physical line into what keepalived's reader sees: an optional {@code @id} prefix, words
 * (quotes grouping whitespace, as in keepalived's decomment() and alloc_strvec()), braces, and a comment
 * starting at the first unquoted '#' or '!'. Works on bytes so any input, valid UTF-8 or not, scans.
 */
final class LineScanner {

    /** Receives the pieces of a line in order. */
    interface Sink {
        void word(int start, int end, String value);

        void open(int offset);

        void close(int offset);
    }

    /** The parts of a line found before its words: its conditional prefix and where its content starts. */
    record Head(String condition, int contentStart, int conditionStart) {
    }

    /** Result of scanning words: whether a quote was left open and whether the line ends in a backslash. */
    record Tail(boolean unterminatedQuote, int unterminatedQuoteOffset, boolean continued) {
    }

    private final ByteArrayOutputStream scratch = new ByteArrayOutputStream();

    static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == 0x0b;
    }

    static int skipBlanks(SourceFile file, int pos, int end) {
        while (pos < end && isBlank(file.byteAt(pos))) pos++;
        return pos;
    }

    /** Reads the conditional prefix ({@code @id} or {@code @^id}) if the line has one. */
    Head head(SourceFile file, int start, int end) {
        int pos = skipBlanks(file, start, end);
        if (pos < end && file.byteAt(pos) == '@') {
            int idStart = pos + 1;
            int idEnd = idStart;
            while (idEnd < end && !isBlank(file.byteAt(idEnd))) idEnd++;
            String condition = file.text(idStart, idEnd);
            return new Head(condition, skipBlanks(file, idEnd, end), pos);
        }
        return new Head(null, pos, -1);
    }

    /** Scans words and braces of [start, end) into the sink, stopping at a comment. */
    Tail scan(SourceFile file, int start, int end, Sink sink) {
        return scan(file, start, end, sink, false);
    }

    /** With {@code bracesAreText}, braces are part of words: include patterns use csh brace expansion. */
    Tail scan(SourceFile file, int start, int end, Sink sink, boolean bracesAreText) {
        int pos = start;
        boolean continued = false;
        while (pos < end) {
            byte b = file.byteAt(pos);
            if (isBlank(b)) {
                pos++;
            } else if (b == '#' || b == '!') {
                break;
            } else if (b == '{' && !bracesAreText) {
                sink.open(pos++);
            } else if (b == '}' && !bracesAreText) {
                sink.close(pos++);
            } else if (b == '\\' && skipBlanks(file, pos + 1, end) == end) {
                continued = true;
                break;
            } else {
                int wordStart = pos;
                scratch.reset();
                int quote = 0;
                int quoteStart = -1;
                while (pos < end) {
                    byte c = file.byteAt(pos);
                    if (quote == '\'' && (c == '#' || c == '!')) {
                        quote = 0; // keepalived's decomment() only honours double quotes around comment characters
                        break;
                    } else if (quote != 0) {
                        if (c == quote) {
                            quote = 0;
                            pos++;
                        } else if (c == '\\' && pos + 1 < end) {
                            pos = unescape(file, pos + 1, end);
                        } else {
                            scratch.write(c);
                            pos++;
                        }
                    } else if (c == '"' || c == '\'') {
                        quote = c;
                        quoteStart = pos;
                        pos++;
                    } else if (isBlank(c) || c == '#' || c == '!' || (!bracesAreText && (c == '{' || c == '}'))) {
                        break;
                    } else if (c == '\\' && pos + 1 < end && (file.byteAt(pos + 1) == '#' || file.byteAt(pos + 1) == '!')) {
                        scratch.write(file.byteAt(pos + 1)); // keepalived: \# and \! are literal outside quotes
                        pos += 2;
                    } else {
                        scratch.write(c);
                        pos++;
                    }
                }
                sink.word(wordStart, pos, scratch.toString(StandardCharsets.UTF_8));
                if (quote != 0) return new Tail(true, quoteStart, false);
            }
        }
        return new Tail(false, -1, continued);
    }

    /** Shell-like escapes inside quotes (man 5 keepalived.conf, "Quoted strings"); returns the next position. */
    private int unescape(SourceFile file, int pos, int end) {
        byte c = file.byteAt(pos);
        switch (c) {
            case 'a' -> scratch.write(7);
            case 'b' -> scratch.write(8);
            case 'E' -> scratch.write(27);
            case 'f' -> scratch.write(12);
            case 'n' -> scratch.write(10);
            case 'r' -> scratch.write(13);
            case 't' -> scratch.write(9);
            case 'v' -> scratch.write(11);
            case 'x' -> {
                int value = 0;
                int p = pos + 1;
                while (p < end && p < pos + 3 && Character.digit(file.byteAt(p), 16) >= 0) {
                    value = value * 16 + Character.digit(file.byteAt(p), 16);
                    p++;
                }
                scratch.write(value);
                return p;
            }
            case 'c' -> {
                if (pos + 1 < end) {
                    scratch.write(file.byteAt(pos + 1) & 0x1f);
                    return pos + 2;
                }
                scratch.write(c);
            }
            default -> {
                if (c >= '0' && c <= '7') {
                    int value = 0;
                    int p = pos;
                    while (p < end && p < pos + 3 && file.byteAt(p) >= '0' && file.byteAt(p) <= '7') {
                        value = value * 8 + (file.byteAt(p) - '0');
                        p++;
                    }
                    scratch.write(value & 0xff);
                    return p;
                }
                scratch.write(c);
            }
        }
        return pos + 1;
    }
}
