package org.keepwatch.agent;

import java.util.List;
import java.util.Optional;

/**
 * A daemon's maintenance weight as the agent reports it (docs/protocol.md, "Maintenance weight"): whether Keepwatch
 * may set it ({@code available}, else {@code refusal} in words: a Neutron router's daemon), the track file, which
 * instances track it with weight -1 ({@code wired}) and why the others do not, the number in the file and who drained
 * it when and why, and how it was drained ({@code method}: {@code weight}, or {@code stop} for the fallback without
 * the wiring: keepalived stopped).
 */
public record MaintenanceRecord(boolean available, Optional<String> refusal, Optional<String> trackFile,
                                List<String> blocks, List<String> wired, List<Unwired> unwired, Optional<String> wiringError,
                                Optional<Integer> value, boolean drained, Optional<Double> since, Optional<String> by,
                                Optional<String> reason, Optional<String> error,
                                Optional<String> method) {

    /** An instance that does not track the track file as Keepwatch needs, and why. */
    public record Unwired(String instance, String reason) {
    }

    public MaintenanceRecord {
        blocks = blocks == null ? List.of() : List.copyOf(blocks);
        wired = wired == null ? List.of() : List.copyOf(wired);
        unwired = unwired == null ? List.of() : List.copyOf(unwired);
    }
}
