package org.keepwatch.fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * A node's connection as the UI shows it: state, since when, and the last error in words.
 *
 * @param cause the failure behind {@code lastError} when there is one (an {@code SshException} such as
 *              HostKeyChanged with both fingerprints, or an {@code AgentStartException} with its reason), so
 *              a UI can explain what to do instead of parsing the message
 */
public record NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                         Optional<String> keepalivedVersion, Optional<String> agentVersion, Optional<Exception> cause) {

    /** A status without a typed cause. */
    public NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                      Optional<String> keepalivedVersion, Optional<String> agentVersion) {
        this(node, connection, since, lastError, keepalivedVersion, agentVersion, Optional.empty());
    }

    public static NodeStatus connecting(String node, Instant now) {
        return new NodeStatus(node, ConnectionState.CONNECTING, now, Optional.empty(), Optional.empty(),
                Optional.empty());
    }
}
