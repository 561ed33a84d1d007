package org.keepwatch.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Expands an include pattern the way keepalived's glob(GLOB_BRACE) call does: csh braces, then
 * '*', '?' and '[...]' per path segment, relative to the directory of the including file, sorted.
 */
final class IncludeResolver {
    /** Brace expansion is exponential in the worst case; past this many patterns the rest are dropped. */
    static final int MAX_PATTERNS = 1024;

    private final FileSource source;

    IncludeResolver(FileSource source) {
        this.source = source;
    }

    /** Paths of the files (of any kind, not directories) the pattern names, at most {@code limit + 1} so callers can see an overflow. */
    List<String> resolve(String includingDirectory, String pattern, int limit) {
        List<String> matches = new ArrayList<>();
        for (String expanded : expandBraces(pattern)) {
            String absolute = PosixPaths.resolve(includingDirectory, expanded);
            List<String> found = new ArrayList<>();
            walk(absolute.startsWith("/") ? "/" : "", absolute.split("/"), 0, found, limit + 1 - matches.size());
            found.sort(null);
            for (String path : found) {
                if (!source.isDirectory(path)) matches.add(path);
            }
            if (matches.size() > limit) break;
        }
        return matches;
    }

    private void walk(String prefix, String[] segments, int index, List<String> found, int budget) {
        if (found.size() >= budget) return;
        while (index < segments.length && segments[index].isEmpty()) index++;
        if (index == segments.length) {
            if (!prefix.isEmpty() && !prefix.equals("/")) found.add(prefix);
            return;
        }
        String segment = segments[index];
        String base = prefix.isEmpty() ? "" : prefix.endsWith("/") ? prefix : prefix + "/";
        if (!hasWildcard(segment)) {
            String next = base + segment;
            if (index == segments.length - 1) {
                if (source.exists(next)) found.add(next);
            } else {
                walk(next, segments, index + 1, found, budget);
            }
            return;
        }
        Pattern regex = globToRegex(segment);
        for (String name : source.list(base.isEmpty() ? "." : base)) {
            if (name.startsWith(".") && !segment.startsWith(".")) continue;
            if (regex.matcher(name).matches()) {
                walk(base + name, segments, index + 1, found, budget);
                if (found.size() >= budget) return;
            }
        }
    }

    static boolean hasWildcard(String text) {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0 || text.indexOf('[') >= 0;
    }

    static Pattern globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
                int close = glob.indexOf(']', i + 2);
                String body = glob.substring(i + 1, close);
                if (body.startsWith("!")) body = "^" + body.substring(1);
                regex.append('[').append(body.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /** csh-style {a,b} expansion, nested braces allowed; unbalanced braces are taken literally. */
    static List<String> expandBraces(String pattern) {
        List<String> out = new ArrayList<>();
        expand(pattern, out);
        return out;
    }

    private static void expand(String pattern, List<String> out) {
        if (out.size() >= MAX_PATTERNS) return;
        int open = pattern.indexOf('{');
        if (open < 0) {
            out.add(pattern);
            return;
        }
        int depth = 0;
        int close = -1;
        List<Integer> commas = new ArrayList<>();
        for (int i = open; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                close = i;
                break;
            } else if (c == ',' && depth == 1) {
                commas.add(i);
            }
        }
        if (close < 0) {
            out.add(pattern);
            return;
        }
        String head = pattern.substring(0, open);
        String tail = pattern.substring(close + 1);
        int start = open + 1;
        commas.add(close);
        for (int comma : commas) {
            expand(head + pattern.substring(start, comma) + tail, out);
            start = comma + 1;
        }
    }
}
