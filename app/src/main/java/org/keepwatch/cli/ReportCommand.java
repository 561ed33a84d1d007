package org.keepwatch.cli;

import org.keepwatch.agent.Operator;
import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.HistoryPage;
import org.keepwatch.history.HistoryQuery;
import org.keepwatch.history.HistoryStore;
import org.keepwatch.history.InstanceAsOf;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * keepwatch report: an incident report for a time range (and routers), from the history, in Markdown or HTML, ready
 * for a postmortem: what the routers were at the start, the timeline, the verdicts, the transitions, the alarms, the
 * actions taken and who took them, and every configuration change with its diff. With routers named, the events of
 * their member nodes (connections, daemons, actions, hand edits) are in it too.
 */
final class ReportCommand implements Command {

    static final int MAX_EVENTS = 100_000;
    private static final Set<HistoryEvent.Kind> ACTIONS = EnumSet.of(HistoryEvent.Kind.PUSH, HistoryEvent.Kind.RESTORE,
            HistoryEvent.Kind.ACTION, HistoryEvent.Kind.MAINTENANCE);
    private static final Set<HistoryEvent.Kind> CONFIGURATION = EnumSet.of(HistoryEvent.Kind.PUSH, HistoryEvent.Kind.RESTORE,
            HistoryEvent.Kind.HAND_EDIT);
    private final Clock clock;

    ReportCommand() {
        this(Clock.systemDefaultZone());
    }

    ReportCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String synopsis() {
        return "--since T [--until T] [--router R]... [--format md|html] [--history FILE|URL] [--fleet FILE]";
    }

    @Override
    public String summary() {
        return "an incident report from the history (timeline, verdicts, transitions, alarms, actions, configuration changes)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Set<String> valued = new HashSet<>(HistoryOptions.VALUED);
        valued.add("--format");
        Arguments parsed = new Arguments(args, Set.of("--json"), valued);
        if (!parsed.operands().isEmpty()) {
            throw new UsageException("unexpected " + parsed.operands().get(0));
        }
        Instant since = HistoryOptions.since(parsed, clock).orElseThrow(() -> new UsageException("--since is required: the report's start"));
        Instant until = HistoryOptions.until(parsed, clock).orElse(clock.instant());
        String format = parsed.value("--format").orElse("md");
        if (!format.equals("md") && !format.equals("html")) {
            throw new UsageException("--format is md or html, not " + format);
        }
        if (parsed.has("--json")) {
            throw new UsageException("a report is Markdown or HTML (--format); for JSON use keepwatch history --json");
        }
        List<String> routers = parsed.values("--router");
        Report report;
        try (HistoryStore store = HistoryOptions.open(parsed, clock)) {
            report = collect(store, since, until, routers);
        }
        Operator by = Operator.ofThisWorkstation();
        String made = "made " + time(clock.instant()) + " by " + by.user() + "@" + by.workstation() + " with keepwatch report";
        out.print(format.equals("md") ? new ReportMarkdown(clock.getZone()).render(report, made)
                : new ReportHtml(clock.getZone()).render(report, made));
        return report.truncated ? 1 : 0;
    }

    /** What a report says, before it is written in one format or the other. */
    static final class Report {
        Instant since;
        Instant until;
        List<String> routers = List.of();
        List<InstanceAsOf> atStart = List.of();
        List<InstanceAsOf> atEnd = List.of();
        List<HistoryEvent> events = new ArrayList<>();
        boolean truncated;

        List<HistoryEvent> of(Set<HistoryEvent.Kind> kinds) {
            return events.stream().filter(e -> kinds.contains(e.kind())).toList();
        }

        /** How many of each kind, in words and by kind's name: "2 pushes", "1 transition", "3 hand-edits". */
        List<String> counts() {
            java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
            events.forEach(e -> counts.merge(e.kind().word(), 1, Integer::sum));
            return counts.entrySet().stream().map(c -> c.getValue() + " " + c.getKey()
                    + (c.getValue() == 1 ? "" : c.getKey().endsWith("sh") ? "es" : "s")).toList();
        }

        static Set<HistoryEvent.Kind> actions() {
            return ACTIONS;
        }

        static Set<HistoryEvent.Kind> configuration() {
            return CONFIGURATION;
        }
    }

    static Report collect(HistoryStore store, Instant since, Instant until, List<String> routers) {
        Report report = new Report();
        report.since = since;
        report.until = until;
        report.routers = routers;
        report.atStart = store.asOf(since).stream().filter(i -> routers.isEmpty() || matches(i.router(), routers))
                .filter(i -> i.state().isPresent()).toList();
        report.atEnd = store.asOf(until).stream().filter(i -> routers.isEmpty() || matches(i.router(), routers))
                .filter(i -> i.state().isPresent()).toList();
        Set<String> nodes = new LinkedHashSet<>();
        report.atStart.forEach(i -> nodes.add(i.node()));
        report.atEnd.forEach(i -> nodes.add(i.node()));
        HistoryQuery query = HistoryQuery.all().oldestFirst().between(Optional.of(since), Optional.of(until)).limit(HistoryQuery.MAX_LIMIT);
        Optional<String> after = Optional.empty();
        do {
            HistoryPage page = store.query(query.after(after));
            for (HistoryEvent e : page.events()) {
                boolean ofRouter = e.router().map(r -> matches(r, routers)).orElse(false);
                boolean ofMember = e.router().isEmpty() && e.node().map(nodes::contains).orElse(false);
                if (routers.isEmpty() || ofRouter || ofMember || e.kind() == HistoryEvent.Kind.GAP) {
                    report.events.add(e.detail().isPresent() ? e.withDetail(withoutSecrets(e.detail().get())) : e);
                }
                if (ofRouter) {
                    e.node().ifPresent(nodes::add);
                }
            }
            after = page.next();
            if (report.events.size() >= MAX_EVENTS) {
                report.truncated = after.isPresent();
                break;
            }
        } while (after.isPresent());
        return report;
    }

    private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile(
            "(?im)^([-+ ]?\\s*auth_pass\\s+)(\"[^\"]*\"|\\S+)");

    /**
     * A diff with every auth_pass value hidden: a report is written to be passed around, and the history keeps the
     * configurations whole. A changed password still shows as a changed line.
     */
    static String withoutSecrets(String text) {
        return SECRET.matcher(text).replaceAll("$1(hidden)");
    }

    /** A router named as the store names it ("lab:51") or by its id alone ("51", a Neutron router's id). */
    static boolean matches(String stored, List<String> routers) {
        return routers.stream().anyMatch(r -> stored.equals(r) || stored.endsWith(":" + r));
    }

    private String time(Instant at) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(clock.getZone()).format(at);
    }
}
