package org.keepwatch.diagnosis;

import org.keepwatch.agent.DiagnoseReport;

import java.util.Optional;

/**
 * What one member of a router answered a diagnosis: its agent's report, or why there is none.
 *
 * @param instance the router's VRRP instance on that member (its name in keepalived's configuration)
 */
public record MemberEvidence(String node, String daemon, String instance, Optional<DiagnoseReport> report,
                             Optional<String> failure) {

    public static MemberEvidence of(String node, String daemon, String instance, DiagnoseReport report) {
        return new MemberEvidence(node, daemon, instance, Optional.of(report), Optional.empty());
    }

    public static MemberEvidence failed(String node, String daemon, String instance, String why) {
        return new MemberEvidence(node, daemon, instance, Optional.empty(), Optional.of(why));
    }

    /** The router's instance in the report: by name, else by VRID. */
    public Optional<DiagnoseReport.Instance> instanceIn(int vrid) {
        return report.flatMap(r -> r.instances().stream().filter(i -> i.name().equals(instance)).findFirst()
                .or(() -> r.instances().stream().filter(i -> i.vrid() == vrid).findFirst()));
    }
}
