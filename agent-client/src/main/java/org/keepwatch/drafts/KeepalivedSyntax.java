package org.keepwatch.drafts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits keepalived.conf text into coloured tokens the way keepalived reads a line: an optional
 * {@code @id} condition, a keyword (a block keyword when it opens a block), its values (quoted strings,
 * numbers, addresses, {@code $VARIABLES}), braces, and {@code #}/{@code !} comments to the end of the line.
 * Offsets are character offsets into the text, for the text area's styles.
 */
public final class KeepalivedSyntax {

    public enum Kind { COMMENT, CONDITION, BLOCK, KEYWORD, STRING, NUMBER, ADDRESS, VARIABLE, BRACE }

    public record Token(int start, int end, Kind kind) {
    }

    private static final Set<String> BLOCKS = Set.of("global_defs", "vrrp_instance", "vrrp_script", "vrrp_sync_group",
            "virtual_server", "virtual_server_group", "real_server", "vrrp_track_process", "track_file", "vrrp_track_file",
            "static_ipaddress", "static_routes", "static_rules", "linkbeat_interfaces", "bfd_instance");
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(\\.\\d+)?");
    private static final Pattern ADDRESS = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:.]*)(/\\d{1,3})?(-\\d+)?");

    private KeepalivedSyntax() {
    }

    public static List<Token> tokens(String text) {
        List<Token> out = new ArrayList<>();
        int lineStart = 0;
        while (lineStart <= text.length()) {
            int lineEnd = text.indexOf('\n', lineStart);
            if (lineEnd < 0) {
                lineEnd = text.length();
            }
            line(text, lineStart, lineEnd, out);
            lineStart = lineEnd + 1;
        }
        return out;
    }

    private static void line(String text, int start, int end, List<Token> out) {
        int p = start;
        boolean first = true;
        boolean opensBlock = opensBlock(text, start, end);
        while (p < end) {
            char c = text.charAt(p);
            if (Character.isWhitespace(c)) {
                p++;
                continue;
            }
            if (c == '#' || c == '!') {
                out.add(new Token(p, end, Kind.COMMENT));
                return;
            }
            if (c == '{' || c == '}') {
                out.add(new Token(p, p + 1, Kind.BRACE));
                p++;
                continue;
            }
            if (c == '"' || c == '\'') {
                int close = text.indexOf(c, p + 1);
                int stop = close < 0 || close > end ? end : close + 1;
                out.add(new Token(p, stop, Kind.STRING));
                p = stop;
                first = false;
                continue;
            }
            int wordEnd = p;
            while (wordEnd < end && !Character.isWhitespace(text.charAt(wordEnd)) && "{}\"'".indexOf(text.charAt(wordEnd)) < 0) {
                wordEnd++;
            }
            String word = text.substring(p, wordEnd);
            Kind kind;
            if (first && word.startsWith("@")) {
                kind = Kind.CONDITION;
            } else if (word.startsWith("$") || word.startsWith("~")) {
                kind = Kind.VARIABLE;
                first = false;
            } else if (ADDRESS.matcher(word).matches() && word.matches(".*[.:].*")) {
                kind = Kind.ADDRESS;
                first = false;
            } else if (first) {
                kind = opensBlock || BLOCKS.contains(word) ? Kind.BLOCK : Kind.KEYWORD;
                first = false;
            } else if (NUMBER.matcher(word).matches()) {
                kind = Kind.NUMBER;
            } else {
                kind = null;
            }
            if (kind != null) {
                out.add(new Token(p, wordEnd, kind));
            }
            p = wordEnd;
        }
    }

    /** Whether the line's statement opens a block: a '{' before any comment. */
    private static boolean opensBlock(String text, int start, int end) {
        char quote = 0;
        for (int p = start; p < end; p++) {
            char c = text.charAt(p);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' || c == '!') {
                return false;
            } else if (c == '{') {
                return true;
            }
        }
        return false;
    }
}
