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
 * @param hostName              where to connect: HostName with %h expanded, lower-cased as OpenSSH does, an
 *                              address in the numeric form ssh reads it in (010.0.0.1 is 8.0.0.1)
 * @param proxyJump             hops to go through, first hop first; empty for a direct connection
 * @param proxyJumpSpec         ProxyJump as written (what {@code ssh -G} prints), if any
 * @param agentSocket           the ssh-agent to ask (IdentityAgent, else SSH_AUTH_SOCK); empty for none
 * @param connectTimeout        ConnectTimeout; empty when the config sets none
 * @param serverAliveInterval   ServerAliveInterval; zero disables keepalives
 * @param proxyCommand          a ProxyCommand in effect (unsupported: connecting refuses it)
 * @param notes                 what the resolution could not honour, in words (e.g. a keyword it does not apply)
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

    /** The same target with other notes. */
    public SshTarget withNotes(List<String> otherNotes) {
        return new SshTarget(alias, hostName, port, user, identityFiles, identitiesOnly, proxyJump, proxyJumpSpec,
                userKnownHostsFiles, globalKnownHostsFiles, strictHostKeyChecking, hashKnownHosts, agentSocket,
                connectTimeout, serverAliveInterval, serverAliveCountMax, proxyCommand, otherNotes);
    }

    /**
     * The same target with what {@code ssh -i KEY -o UserKnownHostsFile=FILE} sets: the key offered first (and offered
     * even under IdentitiesOnly), the host keys checked against that file alone.
     */
    public SshTarget withFiles(Optional<Path> identityFile, Optional<Path> knownHostsFile) {
        List<IdentityFile> identities = new java.util.ArrayList<>(identityFiles);
        identityFile.ifPresent(key -> identities.add(0, new IdentityFile(key.toString(), key, true)));
        return new SshTarget(alias, hostName, port, user, identities, identitiesOnly, proxyJump, proxyJumpSpec,
                knownHostsFile.map(List::of).orElse(userKnownHostsFiles), globalKnownHostsFiles, strictHostKeyChecking,
                hashKnownHosts, agentSocket, connectTimeout, serverAliveInterval, serverAliveCountMax, proxyCommand,
                notes);
    }

    /** {@code user@host:port}, for messages. */
    public String displayName() {
        return user + "@" + hostName + (port == 22 ? "" : ":" + port);
    }
}
