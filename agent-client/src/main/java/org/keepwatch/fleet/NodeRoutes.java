package org.keepwatch.fleet;

import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshTarget;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * How a fleet node is reached: its host (or, without one, its name as an ssh_config alias) resolved
 * through ~/.ssh/config, with the fleet file's settings applied the way ssh's command-line options
 * are (they win over the config).
 */
public final class NodeRoutes {

    private NodeRoutes() {
    }

    public static List<SshTarget> resolve(SshConfig config, ConnectionSettings settings, String nodeName)
            throws SshException {
        String home = config.environment().home().toString();
        SshConfig.Overrides overrides = new SshConfig.Overrides(settings.user(),
                settings.port().map(OptionalInt::of).orElse(OptionalInt.empty()), settings.jumpHost(),
                settings.identityFile().map(p -> path(p, home)), settings.knownHostsFile().map(p -> path(p, home)));
        return config.route(settings.host().orElse(nodeName), overrides);
    }

    private static Path path(String spec, String home) {
        return Path.of(spec.startsWith("~/") ? home + spec.substring(1) : spec);
    }
}
