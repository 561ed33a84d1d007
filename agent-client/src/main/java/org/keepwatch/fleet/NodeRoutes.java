package org.keepwatch.fleet;

import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshTarget;

import java.nio.file.Path;
import java.util.ArrayList;
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
        List<SshTarget> route = config.route(settings.host().orElse(nodeName), overrides);
        if (settings.jumpHost().isEmpty() || route.size() < 2) {
            return route;
        }
        // The fleet file set this route up (its jumpHost), so its key and known_hosts hold for the jump hosts it names
        // as for the node: a bastion's host key is checked against the same file, a wrong one refused naming that hop.
        // (A ProxyJump from ~/.ssh/config keeps that file's settings for its hops, as with ssh -i -o ... -J.)
        List<SshTarget> withFiles = new ArrayList<>();
        for (SshTarget hop : route.subList(0, route.size() - 1)) {
            withFiles.add(hop.withFiles(overrides.identityFile(), overrides.knownHostsFile()));
        }
        withFiles.add(route.get(route.size() - 1));
        return List.copyOf(withFiles);
    }

    private static Path path(String spec, String home) {
        return Path.of(spec.startsWith("~/") ? home + spec.substring(1) : spec);
    }
}
