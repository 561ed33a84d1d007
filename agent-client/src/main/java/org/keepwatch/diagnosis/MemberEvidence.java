package org.keepwatch.diagnosis;

import org.keepwatch.agent.DiagnoseReport;

import java.util.List;
import java.util.Optional;

/**
 * What one member of a router answered a diagnosis: its agent's report, or why there is none.
 *
 * @param instance the router's VRRP instance on that member (its name in keepalived's configuration)
 * @param fleetAddresses the addresses the fleet file gives the node (its host, when that is an address): adverts from
 *                       them are the member's even when it could not answer
 */
public record MemberEvidence(String node, String daemon, String instance, Optional<DiagnoseReport> report,
                             Optional<String> failure, List<String> fleetAddresses) {

    public MemberEvidence {
        fleetAddresses = List.copyOf(fleetAddresses);
    }

    public static MemberEvidence of(String node, String daemon, String instance, DiagnoseReport report) {
        return new MemberEvidence(node, daemon, instance, Optional.of(report), Optional.empty(), List.of());
    }

    public static MemberEvidence failed(String node, String daemon, String instance, String why) {
        return new MemberEvidence(node, daemon, instance, Optional.empty(), Optional.of(why), List.of());
    }

    public MemberEvidence withFleetAddresses(List<String> addresses) {
        return new MemberEvidence(node, daemon, instance, report, failure, addresses);
    }

    /** The router's instance in the report: by name, else by VRID. */
    public Optional<DiagnoseReport.Instance> instanceIn(int vrid) {
        return report.flatMap(r -> r.instances().stream().filter(i -> i.name().equals(instance)).findFirst()
                .or(() -> r.instances().stream().filter(i -> i.vrid() == vrid).findFirst()));
    }
}
