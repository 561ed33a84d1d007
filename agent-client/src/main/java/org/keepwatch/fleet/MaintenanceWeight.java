package org.keepwatch.fleet;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A daemon's maintenance weight in the fleet's words: whether Keepwatch may drain it ({@code refusal} says why not:
 * Neutron's l3 agent owns it), whether its configuration is wired (every instance tracks Keepwatch's track file with
 * weight -1; {@code unwired} names the others and why), and whether it is drained now, since when, by whom and why.
 *
 * @param problem what the agent could not use (a link or another user's file at the track file's name, a
 *                configuration it could not read), in words
 */
public record MaintenanceWeight(Optional<String> refusal, Optional<String> trackFile, List<String> wired,
                                Map<String, String> unwired, boolean drained, Optional<Instant> since,
                                Optional<String> by, Optional<String> reason, Optional<String> problem,
                                Optional<Method> method) {

    /** How a drained daemon was drained: by its maintenance weight, or (without the wiring) by stopping it. */
    public enum Method {
        WEIGHT("maintenance weight"), STOP("keepalived stopped");

        private final String words;

        Method(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }

        /** The agent's word for it ({@code weight}, {@code stop}); empty for anything else. */
        public static Optional<Method> of(String word) {
            return Arrays.stream(values()).filter(m -> m.name().equalsIgnoreCase(word)).findFirst();
        }
    }

    public MaintenanceWeight {
        refusal = refusal == null ? Optional.empty() : refusal;
        trackFile = trackFile == null ? Optional.empty() : trackFile;
        wired = List.copyOf(wired);
        unwired = Map.copyOf(unwired);
        since = since == null ? Optional.empty() : since;
        by = by == null ? Optional.empty() : by;
        reason = reason == null ? Optional.empty() : reason;
        problem = problem == null ? Optional.empty() : problem;
        method = method == null ? Optional.empty() : method;
    }

    /** Drained by stopping its keepalived (the fallback): undrained by starting it. */
    public boolean drainedByStopping() {
        return drained && method.equals(Optional.of(Method.STOP));
    }

    /** Keepwatch may set it and every instance of the configuration obeys it. */
    public boolean wiredFully() {
        return refusal.isEmpty() && problem.isEmpty() && !wired.isEmpty() && unwired.isEmpty();
    }

    /** Why a drain by weight cannot be done on this daemon, in words; empty when it can. */
    public Optional<String> whyNotDrainable() {
        if (refusal.isPresent()) {
            return refusal;
        }
        if (problem.isPresent()) {
            return problem;
        }
        if (wired.isEmpty() && unwired.isEmpty()) {
            return Optional.of("its configuration has no vrrp_instance");
        }
        if (!unwired.isEmpty()) {
            Map<String, List<String>> byReason = new TreeMap<>();
            new TreeMap<>(unwired).forEach((instance, why) -> byReason.computeIfAbsent(why, w -> new ArrayList<>()).add(instance));
            return Optional.of("the maintenance weight is not set up: " + String.join("; ", byReason.entrySet().stream()
                    .map(e -> String.join(", ", e.getValue()) + " " + (e.getValue().size() > 1 && e.getKey().startsWith("does not ")
                            ? "do not " + e.getKey().substring("does not ".length()) : e.getKey())).toList()));
        }
        return Optional.empty();
    }

    /** "drained since 10:02 by alice (kernel update)", for marks and tooltips. */
    public String describeDrain() {
        if (!drained) {
            return "not drained";
        }
        StringBuilder text = new StringBuilder(drainedByStopping() ? "drained (keepalived stopped)" : "drained");
        since.ifPresent(s -> text.append(" since ").append(s.truncatedTo(ChronoUnit.SECONDS)));
        by.ifPresent(b -> text.append(" by ").append(b));
        reason.filter(r -> !r.isBlank()).ifPresent(r -> text.append(" (").append(r).append(')'));
        return text.toString();
    }
}
