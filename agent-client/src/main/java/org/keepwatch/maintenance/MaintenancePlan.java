package org.keepwatch.maintenance;

import org.keepwatch.fleet.MaintenanceWeight;
import org.keepwatch.fleet.RouterKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a planned failover will do, worked out from the fleet as watched before anything happens: the maintenance
 * weights to write, each router's master before and after, who is left as backup, and why it is refused.
 *
 * @param refusals     hard refusals in words (split, stale member, Neutron, no wiring, nobody able to take over): the
 *                     plan is not carried out
 * @param confirmations what needs the operator's explicit yes on top of the usual one (a router left without a
 *                     healthy backup), in words
 * @param fallback     when the weight cannot be used on a node, what an operator can do instead, in words
 */
public record MaintenancePlan(Kind kind, String subject, List<WeightChange> changes, List<RouterMove> routers,
                              List<String> refusals, List<String> confirmations, Optional<String> fallback) {

    /** What was asked. */
    public enum Kind {
        DRAIN("drain"), UNDRAIN("undrain"), FAILOVER("make master here"), MOVE_AWAY("move master away");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /**
     * One daemon drained or undrained: by its maintenance weight (253 or 0 written) or, the fallback, by stopping its
     * keepalived and starting it again.
     */
    public record WeightChange(String node, String daemon, boolean drained, MaintenanceWeight.Method method) {
        public String describe() {
            String who = node + (daemon.equals("keepalived") ? "" : " (keepalived " + daemon + ")");
            if (method == MaintenanceWeight.Method.STOP) {
                return drained ? "drain " + who + " by stopping its keepalived" : "undrain " + who + ": start its keepalived again";
            }
            return (drained ? "drain " : "undrain ") + who;
        }

        /** The change that undoes this one. */
        public WeightChange undo() {
            return new WeightChange(node, daemon, !drained, method);
        }
    }

    /**
     * One router the plan touches: its master now and after (empty: none), the members left as backup after, and
     * the plan's words for it ("VI_1: n1 (150) → n2 (100); backups n3 (50), n1 (drained, 1)").
     */
    public record RouterMove(RouterKey key, String name, Optional<String> masterBefore, Optional<String> masterAfter,
                             List<String> backupsAfter, String words) {

        public RouterMove {
            backupsAfter = List.copyOf(backupsAfter);
        }

        public boolean moves() {
            return !masterBefore.equals(masterAfter);
        }
    }

    public MaintenancePlan {
        changes = List.copyOf(changes);
        routers = List.copyOf(routers);
        refusals = List.copyOf(refusals);
        confirmations = List.copyOf(confirmations);
        fallback = fallback == null ? Optional.empty() : fallback;
    }

    public boolean refused() {
        return !refusals.isEmpty();
    }

    /** The plan in words, one line each, for the CLI and the plan dialog. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(kind.words() + " " + subject + ":");
        changes.forEach(c -> lines.add("  " + c.describe()));
        routers.forEach(r -> lines.add("  " + r.words()));
        refusals.forEach(r -> lines.add("  REFUSED: " + r));
        confirmations.forEach(c -> lines.add("  NEEDS CONFIRMATION: " + c));
        fallback.ifPresent(f -> lines.add("  fallback: " + f));
        return List.copyOf(lines);
    }
}
