package org.keepwatch.agent;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's answer to {@code hello}: who it is, where it runs, what it can do, and the applies on the node that
 * an agent left unfinished.
 */
public record Hello(int protocol, String agent, String agentVersion, String hostname, boolean root,
                    Optional<String> user, String python, Optional<Keepalived> keepalived,
                    Capabilities capabilities, Map<String, Object> settings, List<UnfinishedApply> unfinishedApplies) {

    public Hello {
        unfinishedApplies = unfinishedApplies == null ? List.of() : List.copyOf(unfinishedApplies);
    }

    public record Keepalived(Optional<String> path, Optional<String> version, List<String> configOptions) {
    }

    public record Capabilities(List<String> ops, List<String> events, Optional<String> addressMonitor,
                               boolean pidfd, long maxRequestBytes) {
    }

    public Optional<String> keepalivedVersion() {
        return keepalived.flatMap(Keepalived::version);
    }

    /** The unfinished applies that leave something to do, in words; empty when there is none. */
    public Optional<String> unfinishedApplyWarning() {
        List<String> open = unfinishedApplies.stream().filter(u -> !u.cleared()).map(UnfinishedApply::describe).toList();
        return open.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", open));
    }
}
