package org.keepwatch.fleet;

import java.time.Instant;
import java.util.Optional;

/**
 * A node's connection as the UI shows it: state, since when, and the last error in words.
 *
 * @param cause    the failure behind {@code lastError} when there is one (an {@code SshException} such as
 *                 HostKeyChanged with both fingerprints, or an {@code AgentStartException} with its reason), so
 *                 a UI can explain what to do instead of parsing the message
 * @param readOnly present while the node's agent runs without root (a login without sudo, ADR 0014): why, in words
 *                 ("read-only: ops on n3 has no sudo ..."); nothing that changes the node can be done through it, so
 *                 front ends offer no such action for it
 */
public record NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                         Optional<String> keepalivedVersion, Optional<String> agentVersion, Optional<Exception> cause,
                         Optional<String> readOnly) {

    public NodeStatus {
        readOnly = readOnly == null ? Optional.empty() : readOnly;
        cause = cause == null ? Optional.empty() : cause;
    }

    /** A status of a node whose agent is root (or not connected yet). */
    public NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                      Optional<String> keepalivedVersion, Optional<String> agentVersion, Optional<Exception> cause) {
        this(node, connection, since, lastError, keepalivedVersion, agentVersion, cause, Optional.empty());
    }

    /** A status without a typed cause. */
    public NodeStatus(String node, ConnectionState connection, Instant since, Optional<String> lastError,
                      Optional<String> keepalivedVersion, Optional<String> agentVersion) {
        this(node, connection, since, lastError, keepalivedVersion, agentVersion, Optional.empty());
    }

    public static NodeStatus connecting(String node, Instant now) {
        return new NodeStatus(node, ConnectionState.CONNECTING, now, Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Its last agent session was read-only: changes through it are refused ({@link #readOnly()} says why). */
    public boolean isReadOnly() {
        return readOnly.isPresent();
    }
}
