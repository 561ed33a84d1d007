package org.keepwatch.config;

import java.net.InetAddress;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the linter may know about the node a configuration is for.
 *
 * @param configId        keepalived's -i: which {@code @id} lines apply (keepalived defaults to the host name)
 * @param scriptExists    whether a script path resolves to an executable there; keepalived only complains about
 *                        script security for scripts it finds, so without this every script counts
 * @param localAddresses  addresses the node's interfaces hold, to check priority 255 (address owner)
 * @param keepalived      the keepalived release the node runs (the agent reports it); lint checks against what that
 *                        release knows and ignores; without it, against {@link KeepalivedVersion#TABLE}
 */
public record LintOptions(String configId, Optional<Predicate<String>> scriptExists, Optional<Set<String>> localAddresses,
                          Optional<KeepalivedVersion> keepalived) {

    public LintOptions(String configId, Optional<Predicate<String>> scriptExists, Optional<Set<String>> localAddresses) {
        this(configId, scriptExists, localAddresses, Optional.empty());
    }

    public static LintOptions forConfigId(String configId) {
        return new LintOptions(configId, Optional.empty(), Optional.empty());
    }

    /** These options for a node that reports this keepalived version ("2.2.7"); unparsable or absent: none. */
    public LintOptions withKeepalived(Optional<String> version) {
        return new LintOptions(configId, scriptExists, localAddresses, version.flatMap(KeepalivedVersion::parse));
    }

    /** The release lint checks against: the node's, or the one the keyword table was generated from. */
    public KeepalivedVersion target() {
        return keepalived.orElse(KeepalivedVersion.TABLE);
    }

    /** keepalived's default config id: the first label of this host's name. */
    public static String localConfigId() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            return dot < 0 ? host : host.substring(0, dot);
        } catch (Exception e) {
            return "localhost";
        }
    }
}
