package org.keepwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryPage;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistoryStore;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * keepwatch history: what happened to the fleet, from the history the app and the action commands keep (state
 * transitions, verdicts, alarms, connections, daemons, drains, pushes, restores, actions, configurations changed by
 * hand), oldest first, filtered by router, node, kind, words and time; a page at a time ({@code --limit},
 * {@code --after} the cursor the previous page ended with). Reads only, connects to no node.
 */
final class HistoryCommand implements Command {

    static final int DEFAULT_LIMIT = 1_000;
    static final Duration DEFAULT_SINCE = Duration.ofHours(24);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Clock clock;

    HistoryCommand() {
        this(Clock.systemDefaultZone());
    }

    HistoryCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String synopsis() {
        return HistoryOptions.SYNOPSIS + " [--kind K]... [--text WORDS] [--detail] [--limit N] [--after CURSOR] [--as-of T] [--json]"
                + " | --configs NODE [--daemon D] [--since T] [--until T] [--json]"
                + " | --config-diff NODE HASH1 [HASH2] [--daemon D] [--json]";
    }

    @Override
    public String summary() {
        return "what happened (transitions, verdicts, alarms, connections, pushes, actions, hand edits), from the history; "
                + "the last 24 hours unless --since; --configs: a node's configuration versions and who made each, "
                + "--config-diff: two of them compared (one: with the version before it)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Set<String> valued = new HashSet<>(HistoryOptions.VALUED);
        valued.addAll(Set.of("--kind", "--text", "--limit", "--after", "--as-of", "--configs", "--config-diff", "--daemon"));
        Arguments parsed = new Arguments(args, Set.of("--json", "--detail"), valued);
        if (parsed.value("--config-diff").isPresent()) {
            return ConfigVersions.diff(parsed, clock, out);
        }
        if (!parsed.operands().isEmpty()) {
            throw new UsageException("unexpected " + parsed.operands().get(0));
        }
        if (parsed.value("--as-of").isPresent()) {
            return asOf(parsed, out);
        }
        if (parsed.value("--configs").isPresent()) {
            return ConfigVersions.list(parsed, clock, out);
        }
        Set<HistoryEvent.Kind> kinds = new HashSet<>();
        for (String kind : parsed.values("--kind")) {
            for (String word : kind.split(",")) {
                try {
                    kinds.add(HistoryEvent.Kind.of(word));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--kind: " + e.getMessage());
                }
            }
        }
        int limit = parsed.value("--limit").map(HistoryCommand::limit).orElse(DEFAULT_LIMIT);
        Optional<Instant> since = HistoryOptions.since(parsed, clock).or(() -> parsed.value("--after").isPresent()
                ? Optional.empty() : Optional.of(clock.instant().minus(DEFAULT_SINCE)));
        HistoryQuery query = HistoryQuery.all().oldestFirst().between(since, HistoryOptions.until(parsed, clock))
                .router(parsed.value("--router").orElse(null)).node(parsed.value("--node").orElse(null)).kinds(kinds)
                .text(parsed.value("--text").orElse(null)).limit(limit).after(parsed.value("--after"));
        HistoryPage page;
        try (HistoryStore store = HistoryOptions.open(parsed, clock)) {
            try {
                page = store.query(query);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--after: " + e.getMessage());
            }
        }
        if (parsed.has("--json")) {
            ObjectNode root = JSON.createObjectNode();
            ArrayNode events = root.putArray("events");
            page.events().forEach(e -> events.add(json(e)));
            page.next().ifPresentOrElse(n -> root.put("next", n), () -> root.putNull("next"));
            out.println(root.toPrettyString());
            return 0;
        }
        if (page.events().isEmpty()) {
            out.println("no events" + describe(parsed, since));
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(clock.getZone());
        for (HistoryEvent e : page.events()) {
            out.printf("%s  %-11s %s%n", time.format(e.at()), e.kind().word(), e.summary());
            if (parsed.has("--detail") && e.detail().isPresent()) {
                ReportCommand.withoutSecrets(e.detail().get()).lines().forEach(line -> out.println("      " + line));
            }
        }
        page.next().ifPresent(n -> out.println("… more: the same command with --after " + n));
        return 0;
    }

    /** --as-of T: every instance the history knows, as it was then (its last transition up to T), by router. */
    private int asOf(Arguments parsed, PrintStream out) {
        Instant at = HistoryOptions.time("--as-of", parsed.value("--as-of").get(), clock);
        List<String> routers = parsed.values("--router");
        List<org.keepwatch.history.InstanceAsOf> instances;
        try (HistoryStore store = HistoryOptions.open(parsed, clock)) {
            instances = store.asOf(at).stream().filter(i -> i.state().isPresent())
                    .filter(i -> routers.isEmpty() || ReportCommand.matches(i.router(), routers))
                    .filter(i -> parsed.value("--node").map(n -> n.equals(i.node())).orElse(true)).toList();
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(clock.getZone());
        if (parsed.has("--json")) {
            ObjectNode root = JSON.createObjectNode().put("asOf", at.toString());
            ArrayNode list = root.putArray("instances");
            instances.forEach(i -> list.addObject().put("router", i.router()).put("node", i.node()).put("daemon", i.daemon())
                    .put("instance", i.instance()).put("state", i.state().get()).put("since", i.since().map(Instant::toString).orElse(null)));
            out.println(root.toPrettyString());
            return 0;
        }
        out.println("as of " + time.format(at) + " (as the history saw it):");
        if (instances.isEmpty()) {
            out.println("no instance known then");
        }
        for (org.keepwatch.history.InstanceAsOf i : instances) {
            out.printf("%-28s %-8s %-16s %-7s since %s%n", i.router(), i.node(), i.instance(), i.state().get(),
                    i.since().map(time::format).orElse("?"));
        }
        return 0;
    }

    static ObjectNode json(HistoryEvent e) {
        ObjectNode node = JSON.createObjectNode().put("id", e.id()).put("at", e.at().toString()).put("kind", e.kind().word());
        e.nodeAt().ifPresent(t -> node.put("nodeAt", t.toString()));
        e.router().ifPresent(v -> node.put("router", v));
        e.node().ifPresent(v -> node.put("node", v));
        e.daemon().ifPresent(v -> node.put("daemon", v));
        e.instance().ifPresent(v -> node.put("instance", v));
        e.from().ifPresent(v -> node.put("from", v));
        e.to().ifPresent(v -> node.put("to", v));
        e.operator().ifPresent(v -> node.put("operator", v));
        node.put("summary", e.summary());
        e.detail().ifPresent(v -> node.put("detail", ReportCommand.withoutSecrets(v)));
        return node;
    }

    private static String describe(Arguments parsed, Optional<Instant> since) {
        List<String> said = new java.util.ArrayList<>();
        since.ifPresent(s -> said.add("since " + s));
        parsed.value("--until").ifPresent(u -> said.add("until " + u));
        parsed.value("--router").ifPresent(r -> said.add("for router " + r));
        parsed.value("--node").ifPresent(n -> said.add("on " + n));
        if (!parsed.values("--kind").isEmpty()) {
            said.add("of kind " + String.join(",", parsed.values("--kind")));
        }
        parsed.value("--text").ifPresent(t -> said.add("with '" + t + "'"));
        return said.isEmpty() ? "" : " " + said.stream().collect(Collectors.joining(" "));
    }

    private static int limit(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= HistoryQuery.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UsageException("--limit takes 1 to " + HistoryQuery.MAX_LIMIT + ", not " + text);
    }
}
