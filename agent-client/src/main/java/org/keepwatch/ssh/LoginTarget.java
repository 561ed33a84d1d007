package org.keepwatch.ssh;

import java.util.List;

/**
 * Where a password goes: {@code user} at {@code host} (the HostName connected to) and {@code port}, reached through
 * {@code jumpHosts} (each {@code user@host:port}, first hop first; empty for a direct connection). A remembered
 * password belongs to all of these together: the same host name on another port, or reached through another jump
 * host, may be another machine.
 */
public record LoginTarget(String user, String host, int port, List<String> jumpHosts) {

    public LoginTarget {
        jumpHosts = List.copyOf(jumpHosts);
    }

    /** The login to {@code target} through the hops before it on its route. */
    static LoginTarget of(SshTarget target, List<SshTarget> through) {
        return new LoginTarget(target.user(), target.hostName(), target.port(),
                through.stream().map(hop -> hop.user() + "@" + hop.hostName() + ":" + hop.port()).toList());
    }

    /** {@code user@host}, with {@code :port} unless it is 22, for messages. */
    public String displayName() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }

    /** {@code user@host[:port]}, followed by {@code via} and the jump hosts when there are any. */
    public String description() {
        return displayName() + (jumpHosts.isEmpty() ? "" : " via " + String.join(", ", jumpHosts));
    }
}
