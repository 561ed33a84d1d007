package org.keepwatch.fleet;

import java.time.Instant;
import java.util.Optional;

/** A node's connection as the UI shows it: state, since when, and the last error in words. */
public record NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                         Optional<String> keepalivedVersion, Optional<String> agentVersion) {

    public static NodeStatus connecting(String node, Instant now) {
        return new NodeStatus(node, ConnectionState.CONNECTING, now, Optional.empty(), Optional.empty(),
                Optional.empty());
    }
}
