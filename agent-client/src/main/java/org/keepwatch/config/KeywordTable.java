package org.keepwatch.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which keywords keepalived 2.2 accepts in which block, read from keywords.tsv (generated from
 * keepalived.conf(5) by the test-side ManPageKeywordExtractor) and keywords-extra.tsv (keywords
 * keepalived 2.2.7 still parses but the man page no longer lists, each with its reason).
 */
public final class KeywordTable {

    /** Blocks whose lines are entries (addresses, interface or script names), not keywords. */
    public static final Set<String> LIST_BLOCKS = Set.of("notification_email", "static_ipaddress", "static_routes",
        "static_rules", "virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules",
        "track_interface", "track_script", "track_file", "track_process", "track_bfd", "group", "unicast_peer",
        "linkbeat_interfaces", "interfaces", "interface_up_down_delays", "virtual_server_group");

    /** Whether a block's lines are entries; a top-level track_file defines a tracked file instead. */
    public static boolean isListBlock(String path, String keyword) {
        return LIST_BLOCKS.contains(keyword) && !(path.isEmpty() && keyword.equals("track_file"));
    }

    /** One keyword allowed at one place. */
    public record Keyword(String path, String name, String synopsis, boolean takesBlock, boolean listBlock) {
    }

    private final Map<String, Map<String, Keyword>> byPath;

    private KeywordTable(Map<String, Map<String, Keyword>> byPath) {
        this.byPath = byPath;
    }

    /** The table for keepalived 2.2 shipped with the engine. */
    public static KeywordTable keepalived22() {
        Map<String, Map<String, Keyword>> table = new HashMap<>();
        load("keywords.tsv", table);
        load("keywords-extra.tsv", table);
        return new KeywordTable(table);
    }

    private static void load(String resource, Map<String, Map<String, Keyword>> table) {
        try (InputStream in = KeywordTable.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split("\t", -1);
                boolean list = f.length > 3 && f[3].equals("list");
                boolean block = list || (f.length > 3 && f[3].equals("block"));
                Keyword merged = new Keyword(f[0], f[1], f.length > 2 ? f[2] : "", block, list);
                table.computeIfAbsent(f[0], p -> new LinkedHashMap<>()).merge(f[1], merged, (a, b) ->
                    new Keyword(a.path(), a.name(), a.synopsis(), a.takesBlock() || b.takesBlock(), a.listBlock() || b.listBlock()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Keyword> lookup(String path, String keyword) {
        return Optional.ofNullable(byPath.getOrDefault(path, Map.of()).get(keyword));
    }

    public Collection<Keyword> keywordsAt(String path) {
        return byPath.getOrDefault(path, Map.of()).values();
    }

    public boolean knowsBlock(String path) {
        return byPath.containsKey(path);
    }

    /** The known keyword at this place closest to a misspelt one, if any is close enough to be a typo. */
    public Optional<String> suggest(String path, String keyword) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : byPath.getOrDefault(path, Map.of()).keySet()) {
            int distance = distance(keyword, candidate);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        int allowed = Math.max(1, Math.min(3, keyword.length() / 3));
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance with transpositions counted as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
