package org.keepwatch.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks each statement against the keyword table: unknown keywords (with a did-you-mean), blocks where
 * none belongs or missing where one is needed, and keywords given twice in one block.
 */
final class KeywordChecker {
    /** Keywords that legitimately repeat: each occurrence adds something. */
    private static final Set<String> REPEATABLE = Set.of("include", "url", "real_server", "notify_fifo_script");

    /**
     * Keywords keepalived refuses without a value ("Configuration line starting `X` is missing a parameter after keyword
     * `X`"), as keepalived -t 2.2.7 answers for each alone; priority, virtual_router_id, version and advert_int are
     * checked with their ranges.
     */
    private static final Map<String, Set<String>> NEEDS_VALUE = Map.of(
        "global_defs", Set.of("vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
            "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat",
            "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_version", "smtp_connect_timeout", "smtp_server"),
        "vrrp_instance", Set.of("garp_master_delay", "garp_master_repeat", "garp_master_refresh", "garp_master_refresh_repeat",
            "preempt_delay", "unicast_src_ip", "state", "interface", "mcast_src_ip"));

    private final KeywordTable table;

    KeywordChecker(KeywordTable table) {
        this.table = table;
    }

    void check(List<Statement> roots, List<Diagnostic> out) {
        checkBlock("", roots, out);
    }

    private void checkBlock(String path, List<Statement> nodes, List<Diagnostic> out) {
        Map<String, Statement> seen = new HashMap<>();
        for (Statement node : nodes) {
            if (node.kind() != Statement.Kind.KEYWORD || node.keyword().isEmpty() || node.keyword().startsWith("$")) continue;
            String keyword = node.keyword();
            var known = table.lookup(path, keyword);
            if (known.isEmpty() && path.equals("global_defs") && table.lookup("", keyword).isPresent()) {
                out.add(DiagnosticCode.UNKNOWN_KEYWORD.at(node.location(), "'" + keyword + "' is a top-level keyword;"
                    + " keepalived does not know it inside global_defs: write it before global_defs, outside any block"));
                continue;
            }
            if (known.isEmpty() && table.knownIn(path, keyword).isPresent()) {
                out.add(DiagnosticCode.UNKNOWN_KEYWORD.at(node.location(), "keepalived " + table.release() + " does not know '"
                    + keyword + "'" + (path.isEmpty() ? "" : " in " + path.replace('/', ' ')) + " (keepalived "
                    + table.knownIn(path, keyword).get() + " does)"));
                continue;
            }
            if (known.isEmpty()) {
                out.add(DiagnosticCode.UNKNOWN_KEYWORD.at(node.location(),
                    "unknown keyword '" + keyword + "'" + (path.isEmpty() ? "" : " in " + path.replace('/', ' ')),
                    table.suggest(path, keyword).orElse(null)));
                continue;
            }
            table.deprecation(path, keyword).ifPresent(why -> out.add(DiagnosticCode.DEPRECATED.at(node.location(),
                "'" + keyword + "' is a " + why)));
            if (!node.hasBlock() && node.arg(0).isEmpty() && NEEDS_VALUE.getOrDefault(path, Set.of()).contains(keyword)) {
                out.add(DiagnosticCode.MISSING_VALUE.at(node.location(), "'" + keyword + "' needs a value; keepalived refuses the line"));
            }
            if (known.get().takesBlock() && !node.hasBlock() && !path.isEmpty() && known.get().listBlock()) {
                out.add(DiagnosticCode.MISSING_BLOCK.at(node.location(), "'" + keyword + "' needs a block { ... }"));
            } else if (node.hasBlock() && !known.get().takesBlock()) {
                out.add(DiagnosticCode.UNEXPECTED_OPEN.at(node.location(), "'" + keyword + "' takes no block"));
            }
            if (!node.hasBlock() && !REPEATABLE.contains(keyword)) {
                Statement previous = seen.put(keyword, node);
                if (previous != null && !path.isEmpty()) {
                    out.add(DiagnosticCode.DUPLICATE_KEYWORD.at(node.location(), "'" + keyword + "' is also set on line "
                        + previous.location().line() + "; keepalived silently uses this last one"));
                }
            }
            if (node.hasBlock() && !known.get().listBlock()) {
                String childPath = path.isEmpty() ? keyword : path + "/" + keyword;
                if (table.knowsBlock(childPath)) checkBlock(childPath, node.children(), out);
            }
        }
    }
}
