package org.keepwatch.cli;

import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.InstanceAsOf;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;

/** An incident report as one HTML page: no script, no outside resource, every text escaped. */
final class ReportHtml {

    private static final String STYLE = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1f2328}"
            + "table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border:1px solid #d0d7de;padding:3px 8px;"
            + "text-align:left;vertical-align:top}th{background:#f6f8fa}td.t{white-space:nowrap;font-variant-numeric:tabular-nums}"
            + "pre{background:#f6f8fa;padding:8px;overflow-x:auto}.alarm{color:#b42318;font-weight:600}"
            + ".hand-edit{color:#9a6700;font-weight:600}.add{color:#116329}.del{color:#b42318}";
    private final DateTimeFormatter time;
    private final DateTimeFormatter zoned;

    ReportHtml(ZoneId zone) {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(zone);
        this.zoned = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(zone);
    }

    String render(ReportCommand.Report report, String made) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        String title = "Incident report: " + zoned.format(report.since) + " to " + zoned.format(report.until);
        h.append("<title>").append(esc(title)).append("</title><style>").append(STYLE).append("</style></head><body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<p>Routers: ")
                .append(esc(report.routers.isEmpty() ? "all" : String.join(", ", report.routers)))
                .append(". Times are when Keepwatch saw each event (its workstation's clock). ").append(esc(made)).append(".</p>\n");
        if (report.truncated) {
            h.append("<p class=\"alarm\">Cut short: more than ").append(ReportCommand.MAX_EVENTS)
                    .append(" events; narrow the range or the routers.</p>\n");
        }
        h.append("<h2>Summary</h2>\n<ul>");
        List<String> counts = report.counts();
        counts.forEach(c -> h.append("<li>").append(esc(c)).append("</li>"));
        if (counts.isEmpty()) {
            h.append("<li>Nothing happened in this range.</li>");
        }
        h.append("</ul>\n");
        states(h, "At the start", report.atStart);
        section(h, "Timeline", report.events);
        section(h, "Verdicts", report.of(EnumSet.of(HistoryEvent.Kind.VERDICT)));
        section(h, "Transitions", report.of(EnumSet.of(HistoryEvent.Kind.TRANSITION)));
        section(h, "Alarms", report.of(EnumSet.of(HistoryEvent.Kind.ALARM)));
        details(h, "Actions taken", report.of(ReportCommand.Report.actions()));
        details(h, "Configuration changes", report.of(ReportCommand.Report.configuration()));
        states(h, "At the end", report.atEnd);
        return h.append("</body></html>\n").toString();
    }

    private void states(StringBuilder h, String title, List<InstanceAsOf> instances) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (instances.isEmpty()) {
            h.append("<p>No instance known.</p>\n");
            return;
        }
        h.append("<table><tr><th>router</th><th>node</th><th>instance</th><th>state</th><th>since</th></tr>\n");
        for (InstanceAsOf i : instances) {
            h.append("<tr><td>").append(esc(i.router())).append("</td><td>").append(esc(i.node())).append("</td><td>")
                    .append(esc(i.instance())).append("</td><td>").append(esc(i.state().orElse(""))).append("</td><td class=\"t\">")
                    .append(i.since().map(time::format).orElse("")).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private void section(StringBuilder h, String title, List<HistoryEvent> events) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (events.isEmpty()) {
            h.append("<p>None.</p>\n");
            return;
        }
        h.append("<table><tr><th>time</th><th>kind</th><th>router</th><th>node</th><th>what</th></tr>\n");
        for (HistoryEvent e : events) {
            h.append("<tr><td class=\"t\">").append(time.format(e.at())).append("</td><td class=\"").append(e.kind().word()).append("\">")
                    .append(esc(e.kind().word())).append("</td><td>").append(esc(e.router().orElse(""))).append("</td><td>")
                    .append(esc(e.node().orElse(""))).append("</td><td>").append(esc(e.summary())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private void details(StringBuilder h, String title, List<HistoryEvent> events) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (events.isEmpty()) {
            h.append("<p>None.</p>\n");
            return;
        }
        for (HistoryEvent e : events) {
            h.append("<h3>").append(time.format(e.at())).append(": ").append(esc(e.summary())).append("</h3>\n");
            e.operator().ifPresent(o -> h.append("<p>By ").append(esc(o)).append(".</p>\n"));
            e.detail().ifPresent(d -> {
                h.append("<pre>");
                d.lines().forEach(line -> {
                    String css = line.startsWith("+") && !line.startsWith("+++") ? "add"
                            : line.startsWith("-") && !line.startsWith("---") ? "del" : null;
                    h.append(css == null ? "" : "<span class=\"" + css + "\">").append(esc(line)).append(css == null ? "" : "</span>").append('\n');
                });
                h.append("</pre>\n");
            });
        }
    }

    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
