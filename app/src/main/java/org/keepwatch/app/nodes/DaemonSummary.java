package org.keepwatch.app.nodes;

import org.keepwatch.fleet.DaemonObservation;
import org.keepwatch.fleet.DaemonStatus;
import org.keepwatch.fleet.MaintenanceWeight;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A node's keepalived daemons in a few words for its row ("running", "hung", "4 running · 1 dead (r-1)"), and in full. */
final class DaemonSummary {

    /** Names listed after a count; more are left to the tooltip. */
    private static final int NAMES_SHOWN = 3;

    private DaemonSummary() {
    }

    static String of(List<DaemonObservation> daemons) {
        if (daemons.size() == 1 && daemons.get(0).stoppedToDrain()) {
            return "drained (keepalived stopped)";
        }
        return status(daemons) + drained(daemons);
    }


    /** " · drained" (or " · 2 drained") when Keepwatch's maintenance weight drains a daemon of the node. */
    private static String drained(List<DaemonObservation> daemons) {
        long drained = daemons.stream().filter(DaemonObservation::drained).count();
        if (drained == 0) {
            return "";
        }
        return drained == 1 && daemons.size() == 1 ? " · drained" : " · " + drained + " drained";
    }

    private static String status(List<DaemonObservation> daemons) {
        if (daemons.isEmpty()) {
            return "";
        }
        if (daemons.size() == 1) {
            return word(daemons.get(0).status());
        }
        Map<DaemonStatus, List<String>> byStatus = new EnumMap<>(DaemonStatus.class);
        daemons.forEach(d -> byStatus.computeIfAbsent(d.status(), s -> new ArrayList<>()).add(d.name()));
        List<String> parts = new ArrayList<>();
        byStatus.forEach((status, names) -> parts.add(names.size() + " " + word(status)
                + (status == DaemonStatus.RUNNING ? "" : " (" + names(names) + ")")));
        return String.join(" · ", parts);
    }

    /**
     * What kind of keepalived the node runs, in words: the versions its daemons run where they differ from the one
     * its agent's hello names ({@code helloVersion}, the one lint checks against), "in a container (own mount
     * namespace)" for a daemon in a root of its own, "Neutron-managed" for Neutron's routers; empty: a plain one.
     */
    static String kind(List<DaemonObservation> daemons, String helloVersion) {
        List<String> parts = new ArrayList<>();
        List<String> versions = daemons.stream().flatMap(d -> d.kind().version().stream())
                .filter(v -> !v.equals(helloVersion)).distinct().sorted().toList();
        if (!versions.isEmpty()) {
            parts.add("also runs keepalived " + String.join(", ", versions));
        }
        List<String> contained = daemons.stream().filter(d -> !d.kind().ownRoot()).map(DaemonObservation::name).toList();
        if (!contained.isEmpty()) {
            parts.add((daemons.size() == 1 ? "" : names(contained) + " ") + "in a container (own mount namespace)");
        }
        long neutron = daemons.stream().filter(d -> d.kind().neutronRouter().isPresent()).count();
        if (neutron > 0) {
            parts.add("Neutron-managed" + (neutron == 1 ? "" : " (" + neutron + " routers)"));
        }
        return String.join(" · ", parts);
    }

    /** Every daemon that is not running and answering, with why: the cell's tooltip. */
    static String details(List<DaemonObservation> daemons) {
        return daemons.stream().filter(d -> d.status() != DaemonStatus.RUNNING || d.drained())
                .map(d -> d.label() + " " + d.status().describe() + d.problem().map(p -> ": " + p).orElse("")
                        + d.maintenance().filter(MaintenanceWeight::drained).map(m -> "; " + m.describeDrain()).orElse(""))
                .collect(Collectors.joining("\n"));
    }

    /** Whether every daemon runs and answers, or was stopped to drain it: the row needs no attention for its keepalived. */
    static boolean allRunning(List<DaemonObservation> daemons) {
        // one its agent's login cannot see is not known to be down: no alarm colour for it
        return daemons.stream().allMatch(d -> d.status() == DaemonStatus.RUNNING || d.status() == DaemonStatus.NOT_VISIBLE
                || d.stoppedToDrain());
    }

    private static String word(DaemonStatus status) {
        return switch (status) {
            case RUNNING -> "running";
            case HUNG -> "hung";
            case STOPPED -> "not running";
            case DEAD -> "dead";
            case NOT_VISIBLE -> "not visible (not root)";
        };
    }

    private static String names(List<String> names) {
        String shown = names.stream().limit(NAMES_SHOWN).collect(Collectors.joining(", "));
        return names.size() > NAMES_SHOWN ? shown + ", …" : shown;
    }
}
