package org.keepwatch.cli;

import org.keepwatch.history.HistoryEvent;
import org.keepwatch.history.InstanceAsOf;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;

/** An incident report in Markdown (GitHub's: tables, fenced diffs). */
final class ReportMarkdown {

    private final DateTimeFormatter time;
    private final DateTimeFormatter zoned;

    ReportMarkdown(ZoneId zone) {
        this.time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(zone);
        this.zoned = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(zone);
    }

    String render(ReportCommand.Report report, String made) {
        StringBuilder md = new StringBuilder();
        md.append("# Incident report: ").append(zoned.format(report.since)).append(" to ").append(zoned.format(report.until)).append("\n\n");
        md.append("Routers: ").append(report.routers.isEmpty() ? "all" : String.join(", ", report.routers)).append(". ")
                .append("Times are when Keepwatch saw each event (its workstation's clock); a transition also says the node's "
                        + "time when keepalived reported it. ").append(made).append(".\n\n");
        if (report.truncated) {
            md.append("> **Cut short:** more than ").append(ReportCommand.MAX_EVENTS).append(" events; narrow the range or the routers.\n\n");
        }
        md.append("## Summary\n\n");
        List<String> counts = report.counts();
        if (counts.isEmpty()) {
            md.append("Nothing happened in this range.\n\n");
        } else {
            counts.forEach(c -> md.append("- ").append(c).append('\n'));
            md.append('\n');
        }
        states(md, "## At the start", report.atStart);
        md.append("## Timeline\n\n");
        table(md, report.events);
        md.append("## Verdicts\n\n");
        table(md, report.of(EnumSet.of(HistoryEvent.Kind.VERDICT)));
        md.append("## Transitions\n\n");
        table(md, report.of(EnumSet.of(HistoryEvent.Kind.TRANSITION)));
        md.append("## Alarms\n\n");
        table(md, report.of(EnumSet.of(HistoryEvent.Kind.ALARM)));
        md.append("## Actions taken\n\n");
        details(md, report.of(ReportCommand.Report.actions()));
        md.append("## Configuration changes\n\n");
        details(md, report.of(ReportCommand.Report.configuration()));
        states(md, "## At the end", report.atEnd);
        return md.toString();
    }

    private void states(StringBuilder md, String title, List<InstanceAsOf> instances) {
        md.append(title).append("\n\n");
        if (instances.isEmpty()) {
            md.append("No instance known.\n\n");
            return;
        }
        md.append("| router | node | instance | state | since |\n| --- | --- | --- | --- | --- |\n");
        for (InstanceAsOf i : instances) {
            md.append("| ").append(cell(i.router())).append(" | ").append(cell(i.node())).append(" | ").append(cell(i.instance()))
                    .append(" | ").append(i.state().orElse("")).append(" | ").append(i.since().map(time::format).orElse("")).append(" |\n");
        }
        md.append('\n');
    }

    private void table(StringBuilder md, List<HistoryEvent> events) {
        if (events.isEmpty()) {
            md.append("None.\n\n");
            return;
        }
        md.append("| time | kind | router | node | what |\n| --- | --- | --- | --- | --- |\n");
        for (HistoryEvent e : events) {
            md.append("| ").append(time.format(e.at())).append(" | ").append(e.kind().word()).append(" | ")
                    .append(cell(e.router().orElse(""))).append(" | ").append(cell(e.node().orElse(""))).append(" | ")
                    .append(cell(e.summary())).append(e.nodeAt().map(t -> " (node: " + time.format(t) + ")").orElse("")).append(" |\n");
        }
        md.append('\n');
    }

    private void details(StringBuilder md, List<HistoryEvent> events) {
        if (events.isEmpty()) {
            md.append("None.\n\n");
            return;
        }
        for (HistoryEvent e : events) {
            md.append("### ").append(time.format(e.at())).append(": ").append(e.summary().replace("\n", " ")).append("\n\n");
            e.operator().ifPresent(o -> md.append("By ").append(o).append(".\n\n"));
            e.detail().ifPresent(d -> md.append(fence(d)).append("diff\n").append(d).append('\n').append(fence(d)).append("\n\n"));
        }
    }

    /** A fence longer than any run of backticks in the text, so a diff cannot close it. */
    private static String fence(String text) {
        int longest = 0;
        int run = 0;
        for (char c : text.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return "`".repeat(Math.max(3, longest + 1));
    }

    private static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;");
    }

}
