package org.keepwatch.inventory;

import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * The concrete Host aliases of ~/.ssh/config as fleet nodes. Each node is the alias alone (no host, user or
 * port of its own), so ~/.ssh/config stays the one place that says how to reach it, as {@code ssh ALIAS} does.
 * What the resolver noted for the alias and each of its jump hosts (what it does not apply, Match exec commands
 * it did not run) is in the candidate's notes; an alias the resolver refuses is offered unticked, with why.
 */
public final class SshConfigImport {

    private SshConfigImport() {
    }

    public static List<ImportCandidate> candidates(SshConfig config) {
        List<ImportCandidate> out = new ArrayList<>();
        for (String alias : config.hostAliases()) {
            List<SshTarget> route;
            try {
                route = config.route(alias);
            } catch (SshException.BadConfig e) {
                out.add(new ImportCandidate(alias, ConnectionSettings.NONE, List.of(), "refused",
                        List.of("Keepwatch would refuse to connect: " + e.getMessage()), true));
                continue;
            }
            SshTarget target = route.get(route.size() - 1);
            List<String> notes = new ArrayList<>();
            target.proxyCommand().ifPresent(c -> notes.add("uses ProxyCommand, which Keepwatch does not run"));
            target.proxyJumpSpec().ifPresent(j -> notes.add("through " + j));
            notes.addAll(target.notes());
            for (SshTarget hop : route.subList(0, route.size() - 1)) {
                hop.notes().forEach(note -> notes.add("jump host " + hop.alias() + ": " + note));
            }
            String connectsTo = target.user() + "@" + target.hostName() + (target.port() == 22 ? "" : ":" + target.port());
            out.add(new ImportCandidate(alias, ConnectionSettings.NONE, List.of(), connectsTo, notes));
        }
        return out;
    }
}
