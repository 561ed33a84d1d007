package org.keepwatch.app.fleetedit;

import org.keepwatch.fleet.ConnectionSettings;
import org.keepwatch.ssh.SshConfig;
import org.keepwatch.ssh.SshException;
import org.keepwatch.ssh.SshTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * The concrete Host aliases of ~/.ssh/config as fleet nodes. Each node is the alias alone (no host, user or
 * port of its own), so ~/.ssh/config stays the one place that says how to reach it, as {@code ssh ALIAS} does.
 */
public final class SshConfigImport {

    private SshConfigImport() {
    }

    public static List<ImportCandidate> candidates(SshConfig config) throws SshException.BadConfig {
        List<ImportCandidate> out = new ArrayList<>();
        for (String alias : config.hostAliases()) {
            SshTarget target = config.resolve(alias);
            List<String> notes = new ArrayList<>();
            target.proxyCommand().ifPresent(c -> notes.add("uses ProxyCommand, which Keepwatch does not run"));
            target.proxyJumpSpec().ifPresent(j -> notes.add("through " + j));
            String connectsTo = target.user() + "@" + target.hostName() + (target.port() == 22 ? "" : ":" + target.port());
            out.add(new ImportCandidate(alias, ConnectionSettings.NONE, List.of(), connectsTo, notes));
        }
        return out;
    }
}
