package org.keepwatch.app.bench.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.keepwatch.fleet.Verdict;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The soak's verdict on itself: how quickly the clients agreed with the lab, whether anything grew, and whether
 * anything was left behind. Passed when nothing disagreed, the clients' heap, threads and descriptors and every
 * long-lived agent's RSS stayed flat, and the end is clean.
 */
final class SoakReport {

    /** One resource: its mean in the first minutes after warm-up and in the last minutes, and whether that is flat. */
    record Trend(String name, String unit, double first, double last, double max, double slack, boolean gated) {
        boolean flat() {
            return last <= first * 1.2 + slack;
        }
    }

    private static final double WINDOW_MINUTES = 5;
    private static final double AGENT_FLAT_MINUTES = 5;
    private static final int CLIENTS = 2;
    private final ChaosSoak.Options options;
    private final List<ChaosSoak.Round> rounds;
    private final List<ResourceSampler.Sample> samples;
    private final List<ResourceSampler.AgentLife> agents;
    private final int agentsSeen;
    private final List<Trend> trends;
    private final List<String> disagreements;
    private final List<String> leftBehind = new ArrayList<>();
    private final int appNotified;
    private final int statusAlarmLines;

    SoakReport(ChaosSoak.Options options, List<ChaosSoak.Round> rounds, ResourceSampler sampler,
               Map<String, Verdict> appAlarms, int appNotified, StatusWatch status, List<String> disagreements) {
        this.options = options;
        this.rounds = List.copyOf(rounds);
        this.samples = sampler.samples();
        this.agents = sampler.longLivedAgents(AGENT_FLAT_MINUTES);
        this.agentsSeen = sampler.agentsSeen();
        this.disagreements = List.copyOf(disagreements);
        this.trends = trends(samples);
        int nodes = SoakFault.BASIC.size() + SoakFault.NEUTRON.size();
        ResourceSampler.Sample lastSample = samples.get(samples.size() - 1);
        if (lastSample.agents() != CLIENTS * nodes) {
            leftBehind.add(lastSample.agents() + " agents run at the end, not " + CLIENTS * nodes + " (one per client and node)");
        }
        if (!status.raised().isEmpty()) {
            leftBehind.add("keepwatch status --watch still has alarms raised: " + StatusWatch.describe(status.raised()));
        }
        if (!status.alive()) {
            leftBehind.add("keepwatch status --watch ended");
        }
        if (status.unreadableLines() > 0) {
            leftBehind.add("keepwatch status --watch printed something that is not JSON");
        }
        if (!appAlarms.isEmpty()) {
            leftBehind.add("the app still shows alarms: " + StatusWatch.describe(appAlarms));
        }
        this.appNotified = appNotified;
        this.statusAlarmLines = status.alarms().size();
        agents.stream().filter(a -> a.lastRssKb() > a.settledRssKb() * 1.1 + 1024).forEach(a -> leftBehind.add(
                "agent " + a.pid() + " grew from " + a.settledRssKb() + " to " + a.lastRssKb() + " kB"));
        trends.stream().filter(t -> t.gated() && !t.flat()).forEach(t -> leftBehind.add(t.name() + " grew from "
                + round(t.first()) + " to " + round(t.last()) + " " + t.unit()));
    }

    boolean passed() {
        return disagreements.isEmpty() && leftBehind.isEmpty();
    }

    private static List<Trend> trends(List<ResourceSampler.Sample> samples) {
        List<Trend> out = new ArrayList<>();
        out.add(trend(samples, "app heap after GC", "MB", s -> s.appHeapMb(), 16, true));
        out.add(trend(samples, "app threads", "", s -> s.appThreads(), 6, true));
        out.add(trend(samples, "app file descriptors", "", s -> s.appFds(), 12, true));
        out.add(trend(samples, "app RSS", "MB", s -> s.appRssMb(), 64, false));
        out.add(trend(samples, "status --watch threads", "", s -> s.statusThreads(), 6, true));
        out.add(trend(samples, "status --watch file descriptors", "", s -> s.statusFds(), 12, true));
        out.add(trend(samples, "status --watch RSS", "MB", s -> s.statusRssMb(), 48, false));
        out.add(trend(samples, "agents running", "", s -> s.agents(), 0, false));
        out.add(trend(samples, "agents' RSS, all", "MB", s -> s.agentRssTotalMb(), 16, false));
        out.add(trend(samples, "largest agent RSS", "kB", s -> s.agentRssMaxKb(), 2048, true));
        return out;
    }

    private static Trend trend(List<ResourceSampler.Sample> samples, String name, String unit,
                               ToDoubleFunction<ResourceSampler.Sample> value, double slack, boolean gated) {
        double total = samples.get(samples.size() - 1).minute();
        double warm = Math.min(2, total / 3);
        double first = mean(samples.stream().filter(s -> s.minute() >= warm && s.minute() <= warm + WINDOW_MINUTES)
                .mapToDouble(value).toArray());
        double last = mean(samples.stream().filter(s -> s.minute() >= total - WINDOW_MINUTES).mapToDouble(value).toArray());
        return new Trend(name, unit, first, last, samples.stream().mapToDouble(value).max().orElse(0), slack, gated);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }

    private static String round(double value) {
        return String.format("%.1f", value);
    }

    private static String percentiles(List<Long> values) {
        List<Long> sorted = values.stream().filter(v -> v >= 0).sorted().toList();
        if (sorted.isEmpty()) {
            return "-";
        }
        return sorted.get(sorted.size() / 2) + " / " + sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.95) - 1))
                + " / " + sorted.get(sorted.size() - 1) + " ms";
    }

    void print(PrintStream out) {
        double minutes = samples.get(samples.size() - 1).minute();
        Map<String, Long> kinds = new TreeMap<>(rounds.stream().flatMap(r -> r.faults().stream())
                .collect(Collectors.groupingBy(f -> f.substring(0, f.lastIndexOf(' ')), Collectors.counting())));
        out.printf("%nchaos soak: %.1f min, seed %d, %d rounds, %d faults %s, %d of them with two faults at once%n",
                minutes, options.seed(), rounds.size(), kinds.values().stream().mapToLong(Long::longValue).sum(), kinds,
                rounds.stream().filter(r -> r.faults().size() > 1).count());
        out.println("after the lab settled, agreement p50 / p95 / max: app " + percentiles(rounds.stream()
                .map(ChaosSoak.Round::appAgreedMs).toList()) + "; status --watch " + percentiles(rounds.stream()
                .map(ChaosSoak.Round::statusAgreedMs).toList()) + "; app after heal " + percentiles(rounds.stream()
                .map(ChaosSoak.Round::healAgreedMs).toList()));
        out.println("from the healed lab to every node online and every router HEALTHY in the app, p50 / p95 / max: "
                + percentiles(rounds.stream().map(ChaosSoak.Round::recoveredMs).toList()));
        out.println("alarms: the app notified " + appNotified + " raised; status --watch printed " + statusAlarmLines
                + " alarm lines (raised and cleared)");
        out.println("lab settle time after a fault, max: " + round(rounds.stream().mapToDouble(ChaosSoak.Round::settleSeconds)
                .max().orElse(0)) + " s");
        out.println();
        out.printf("%-34s %12s %12s %12s  %s%n", "resource", "first 5 min", "last 5 min", "max", "flat");
        for (Trend t : trends) {
            out.printf("%-34s %12s %12s %12s  %s%n", t.name() + (t.unit().isEmpty() ? "" : " (" + t.unit() + ")"),
                    round(t.first()), round(t.last()), round(t.max()), t.gated() ? (t.flat() ? "yes" : "NO") : "(shown)");
        }
        out.printf("agents: %d seen in all, %d lived over %.0f min after settling; largest growth of those: %s%n",
                agentsSeen, agents.size(), AGENT_FLAT_MINUTES, agents.stream()
                        .mapToLong(a -> a.lastRssKb() - a.settledRssKb()).max().stream()
                        .mapToObj(kb -> kb + " kB").findFirst().orElse("-"));
        out.println();
        out.println(disagreements.isEmpty() ? "every verdict agreed with the lab within 5 s" : "DISAGREEMENTS:");
        disagreements.forEach(d -> out.println("  " + d));
        out.println(leftBehind.isEmpty() ? "nothing grew, nothing left behind" : "LEFT BEHIND OR GROWN:");
        leftBehind.forEach(d -> out.println("  " + d));
        out.println(passed() ? "PASSED" : "FAILED");
    }

    ObjectNode toJson(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("minutes", options.minutes()).put("seed", options.seed()).put("passed", passed());
        root.set("disagreements", json.valueToTree(disagreements));
        root.set("leftBehind", json.valueToTree(leftBehind));
        root.set("trends", json.valueToTree(trends));
        root.set("rounds", json.valueToTree(rounds));
        root.set("samples", json.valueToTree(samples));
        root.set("longLivedAgents", json.valueToTree(agents));
        return root;
    }
}
