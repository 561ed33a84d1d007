package org.keepwatch.ssh;

import java.util.Locale;

/** OpenSSH's pattern matching (match.c): {@code *} and {@code ?} wildcards, {@code !} negation in lists. */
final class HostPatterns {

    /** What a pattern list says about a name: a negated pattern matched, nothing matched, or a positive one did. */
    enum ListMatch { NEGATED, NONE, MATCHED }

    private HostPatterns() {
    }

    /** match_pattern(): the whole name against one pattern, case-sensitively. */
    static boolean matches(String name, String pattern) {
        return matches(name, 0, pattern, 0);
    }

    private static boolean matches(String s, int si, String p, int pi) {
        while (true) {
            if (pi == p.length()) {
                return si == s.length();
            }
            char pc = p.charAt(pi);
            if (pc == '*') {
                // Collapse runs of '*' and try every suffix of the name.
                while (pi < p.length() && p.charAt(pi) == '*') {
                    pi++;
                }
                if (pi == p.length()) {
                    return true;
                }
                for (int k = si; k <= s.length(); k++) {
                    if (matches(s, k, p, pi)) {
                        return true;
                    }
                }
                return false;
            }
            if (si == s.length()) {
                return false;
            }
            if (pc != '?' && pc != s.charAt(si)) {
                return false;
            }
            si++;
            pi++;
        }
    }

    /**
     * match_pattern_list() with lower-casing, as known_hosts and match_hostname() use it: a comma-separated list,
     * where a matching negated entry wins over any positive one.
     */
    static ListMatch matchList(String name, String commaSeparatedPatterns) {
        String lowerName = name.toLowerCase(Locale.ROOT);
        boolean positive = false;
        for (String raw : commaSeparatedPatterns.split(",", -1)) {
            boolean negated = raw.startsWith("!");
            String pattern = (negated ? raw.substring(1) : raw).toLowerCase(Locale.ROOT);
            if (matches(lowerName, pattern)) {
                if (negated) {
                    return ListMatch.NEGATED;
                }
                positive = true;
            }
        }
        return positive ? ListMatch.MATCHED : ListMatch.NONE;
    }

    /** match_pattern_list() without lower-casing, as Match user and localuser use it. */
    static ListMatch matchListExactCase(String name, String commaSeparatedPatterns) {
        boolean positive = false;
        for (String raw : commaSeparatedPatterns.split(",", -1)) {
            boolean negated = raw.startsWith("!");
            if (matches(name, negated ? raw.substring(1) : raw)) {
                if (negated) {
                    return ListMatch.NEGATED;
                }
                positive = true;
            }
        }
        return positive ? ListMatch.MATCHED : ListMatch.NONE;
    }
}
