package org.keepwatch.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to reach one host, resolved from ssh_config as {@code ssh -G} would.
 *
 * @param alias                 the name asked for (what Host patterns matched, %n)
 * @param hostName              where to connect: HostName with %h expanded, lower-cased as OpenSSH does
 * @param proxyJump             hops to go through, first hop first; empty for a direct connection
 * @param proxyJumpSpec         ProxyJump as written (what {@code ssh -G} prints), if any
 * @param agentSocket           the ssh-agent to ask (IdentityAgent, else SSH_AUTH_SOCK); empty for none
 * @param connectTimeout        ConnectTimeout; empty when the config sets none
 * @param serverAliveInterval   ServerAliveInterval; zero disables keepalives
 * @param proxyCommand          a ProxyCommand in effect (unsupported: connecting refuses it)
 * @param notes                 what the resolution could not honour, in words (e.g. a skipped Match block)
 */
public record SshTarget(String alias, String hostName, int port, String user,
                        List<IdentityFile> identityFiles, boolean identitiesOnly,
                        List<JumpHost> proxyJump, Optional<String> proxyJumpSpec,
                        List<Path> userKnownHostsFiles, List<Path> globalKnownHostsFiles,
                        StrictHostKeyChecking strictHostKeyChecking, boolean hashKnownHosts,
                        Optional<Path> agentSocket,
                        Optional<Duration> connectTimeout, Duration serverAliveInterval, int serverAliveCountMax,
                        Optional<String> proxyCommand, List<String> notes) {

    public SshTarget {
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(user, "user");
        identityFiles = List.copyOf(identityFiles);
        proxyJump = List.copyOf(proxyJump);
        userKnownHostsFiles = List.copyOf(userKnownHostsFiles);
        globalKnownHostsFiles = List.copyOf(globalKnownHostsFiles);
        notes = List.copyOf(notes);
    }

    /** {@code user@host:port}, for messages. */
    public String displayName() {
        return user + "@" + hostName + (port == 22 ? "" : ":" + port);
    }
}
