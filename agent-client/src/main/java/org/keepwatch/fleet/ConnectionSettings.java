package org.keepwatch.fleet;

import java.util.Optional;

/**
 * How to reach a node, as the fleet file says it: each field optional, so that what is not given
 * comes from the group's defaults and then from ~/.ssh/config, as OpenSSH would decide it.
 */
public record ConnectionSettings(Optional<String> host, Optional<Integer> port, Optional<String> user,
                                 Optional<String> identityFile, Optional<String> knownHostsFile,
                                 Optional<Boolean> sudo, Optional<String> jumpHost) {

    public static final ConnectionSettings NONE = new ConnectionSettings(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** This node's settings, falling back to {@code defaults} field by field. */
    public ConnectionSettings over(ConnectionSettings defaults) {
        return new ConnectionSettings(host.or(defaults::host), port.or(defaults::port), user.or(defaults::user),
                identityFile.or(defaults::identityFile), knownHostsFile.or(defaults::knownHostsFile),
                sudo.or(defaults::sudo), jumpHost.or(defaults::jumpHost));
    }
}
