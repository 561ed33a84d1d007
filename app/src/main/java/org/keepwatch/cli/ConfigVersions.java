package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.fleet.FleetAction;
import org.keepwatch.history.ConfigChange;
import org.keepwatch.history.HistoryStore;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code keepwatch history --configs NODE} and {@code --config-diff NODE HASH1 [HASH2]}: a node's configuration history
 * from the history, as the app's window shows it. The list: every kept version oldest first (as {@code keepwatch
 * history} lists events), with when it was first seen, its short hash, how and by whom it was made and why. The diff:
 * two versions by their hash (any unique prefix of at least {@value #MIN_PREFIX} characters), or one against the version
 * of the same file before it; auth_pass hidden as in every output of the history. Reads only, connects to no node.
 */
final class ConfigVersions {

    static final int MIN_PREFIX = 6;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigVersions() {
    }

    static int list(Arguments parsed, Clock clock, PrintStream out) {
        String node = parsed.value("--configs").get();
        Optional<String> daemon = parsed.value("--daemon");
        Optional<Instant> since = HistoryOptions.since(parsed, clock);
        Optional<Instant> until = HistoryOptions.until(parsed, clock);
        List<ConfigChange> versions;
        try (HistoryStore store = HistoryOptions.open(parsed, clock)) {
            versions = store.configChanges(node, daemon, Optional.empty()).stream()
                    .filter(c -> since.map(s -> !c.version().at().isBefore(s)).orElse(true))
                    .filter(c -> until.map(u -> c.version().at().isBefore(u)).orElse(true)).toList();
        }
        if (parsed.has("--json")) {
            ObjectNode root = JSON.createObjectNode().put("node", node);
            ArrayNode list = root.putArray("versions");
            versions.forEach(c -> list.add(json(c)));
            out.println(root.toPrettyString());
            return 0;
        }
        if (versions.isEmpty()) {
            out.println("no configuration versions of " + node + daemon.map(d -> " (" + d + ")").orElse("")
                    + " in the history" + (since.isPresent() || until.isPresent() ? " in that time" : ""));
            return 0;
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(clock.getZone());
        boolean daemons = versions.stream().map(c -> c.version().daemon()).distinct().count() > 1;
        for (ConfigChange c : versions) {
            out.printf("%s  %s  %-15s %-28s %s%s%s%n", time.format(c.version().at()), c.shortHash(), c.how(), c.who(),
                    c.version().path(), daemons ? " (" + c.version().daemon() + ")" : "", c.reason().map(r -> "  \"" + r + "\"").orElse(""));
        }
        return 0;
    }

    static int diff(Arguments parsed, Clock clock, PrintStream out) {
        String node = parsed.value("--config-diff").get();
        List<String> hashes = parsed.operands();
        if (hashes.isEmpty() || hashes.size() > 2) {
            throw new UsageException("--config-diff NODE takes one version's hash (compared with the version before it) or two, "
                    + "not " + hashes.size());
        }
        List<ConfigChange> versions;
        String fromText;
        String toText;
        ConfigChange from;
        ConfigChange to;
        try (HistoryStore store = HistoryOptions.open(parsed, clock)) {
            versions = store.configChanges(node, parsed.value("--daemon"), Optional.empty());
            if (hashes.size() == 2) {
                from = find(versions, node, hashes.get(0));
                to = find(versions, node, hashes.get(1));
            } else {
                to = find(versions, node, hashes.get(0));
                ConfigChange newer = to;
                from = versions.stream().filter(c -> c.version().path().equals(newer.version().path())
                                && c.version().daemon().equals(newer.version().daemon()) && c.version().at().isBefore(newer.version().at())
                                && !c.version().sha256().equals(newer.version().sha256()))
                        .reduce((a, b) -> b).orElseThrow(() -> new CommandFailure(ActionExit.FAILED, "version " + newer.shortHash()
                                + " of " + newer.version().path() + " on " + node + " is the first the history kept: nothing before it "
                                + "to compare with"));
            }
            fromText = text(store, from, node);
            toText = text(store, to, node);
        }
        String path = to.version().path();
        String diff = ReportCommand.withoutSecrets(FleetAction.unifiedDiff(path, fromText, toText, "version " + from.shortHash(),
                "version " + to.shortHash()));
        if (parsed.has("--json")) {
            ObjectNode root = JSON.createObjectNode().put("node", node);
            root.set("from", json(from));
            root.set("to", json(to));
            root.put("diff", diff);
            out.println(root.toPrettyString());
            return 0;
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(clock.getZone());
        out.println("from " + from.shortHash() + "  " + time.format(from.version().at()) + "  " + from.how() + " by " + from.who()
                + "  " + from.version().path());
        out.println("to   " + to.shortHash() + "  " + time.format(to.version().at()) + "  " + to.how() + " by " + to.who()
                + "  " + to.version().path());
        out.println(diff.isEmpty() ? "(the same text)" : diff);
        return 0;
    }

    private static ConfigChange find(List<ConfigChange> versions, String node, String hash) {
        String prefix = hash.trim().toLowerCase(java.util.Locale.ROOT);
        if (prefix.length() < MIN_PREFIX || !prefix.matches("[0-9a-f]+")) {
            throw new UsageException("'" + hash + "' is not a version's hash: give at least " + MIN_PREFIX
                    + " hexadecimal characters of it (keepwatch history --configs " + node + " lists them)");
        }
        List<ConfigChange> matching = versions.stream().filter(c -> c.version().sha256().startsWith(prefix)).toList();
        Set<String> distinct = new LinkedHashSet<>(matching.stream().map(c -> c.version().sha256()).toList());
        if (matching.isEmpty()) {
            throw new CommandFailure(ActionExit.FAILED, "no configuration version " + prefix + " of " + node + " in the history "
                    + "(keepwatch history --configs " + node + " lists them)");
        }
        if (distinct.size() > 1) {
            throw new UsageException(prefix + " names " + distinct.size() + " versions of " + node + " (" + String.join(", ",
                    distinct.stream().map(s -> s.substring(0, 16)).toList()) + "): give more of the hash");
        }
        return matching.get(matching.size() - 1);
    }

    private static String text(HistoryStore store, ConfigChange version, String node) {
        return store.configText(version.version().sha256()).orElseThrow(() -> new CommandFailure(ActionExit.FAILED,
                "the text of version " + version.shortHash() + " of " + node + " is no longer kept"));
    }

    private static ObjectNode json(ConfigChange c) {
        ObjectNode node = JSON.createObjectNode().put("at", c.version().at().toString()).put("sha256", c.version().sha256())
                .put("hash", c.shortHash()).put("daemon", c.version().daemon()).put("path", c.version().path())
                .put("origin", c.origin().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).put("who", c.who());
        c.operator().ifPresent(o -> node.put("operator", o));
        c.reason().ifPresent(r -> node.put("reason", r));
        c.event().ifPresent(e -> node.put("event", e));
        return node;
    }
}
