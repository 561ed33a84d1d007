package org.keepwatch.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What OpenSSH takes from the local machine: the home directory (for ~ and relative Includes), the local user
 * (the default remote user, %u), the local host name (%l, %L), the ssh-agent socket and the environment (${VAR}).
 * Passed in explicitly so tests and callers never depend on, or mutate, the process environment.
 */
public record SshEnvironment(Path home, String localUser, String localHostName,
                             Optional<Path> agentSocket, Map<String, String> variables) {

    public SshEnvironment {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(localUser, "localUser");
        Objects.requireNonNull(localHostName, "localHostName");
        Objects.requireNonNull(agentSocket, "agentSocket");
        variables = Map.copyOf(variables);
    }

    /** This process's user, home, host name, SSH_AUTH_SOCK and environment. */
    public static SshEnvironment ofCurrentUser() {
        Map<String, String> env = System.getenv();
        Optional<Path> agent = Optional.ofNullable(env.get("SSH_AUTH_SOCK")).filter(s -> !s.isBlank()).map(Path::of);
        return new SshEnvironment(Path.of(System.getProperty("user.home")), System.getProperty("user.name"),
                systemHostName(), agent, env);
    }

    /** The same environment with another ssh-agent socket (or none), as SSH_AUTH_SOCK would select it. */
    public SshEnvironment withAgentSocket(Optional<Path> socket) {
        return new SshEnvironment(home, localUser, localHostName, socket, variables);
    }

    public Path sshDirectory() {
        return home.resolve(".ssh");
    }

    private static String systemHostName() {
        // gethostname(2), as OpenSSH uses for %l; the kernel's name avoids a DNS lookup.
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).trim();
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
