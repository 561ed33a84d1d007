package org.keepwatch.config;

import java.util.List;
import java.util.OptionalInt;

/**
 * One node's configuration as a member of a cluster: the name the operator knows the node by (its host
 * name, or a Neutron network node), the main file the configuration was read from, and its typed effective
 * configuration. Findings about this member point into its files.
 */
public record PeerMember(String name, String mainFile, KeepalivedConfig config) {

    /** keepalived's version when neither the instance nor global_defs vrrp_version says. */
    static final int DEFAULT_VERSION = 2;

    /** Reads the member from a parsed document as keepalived would run it with {@code -i configId}. */
    public static PeerMember of(String name, ConfigDocument document, String configId) {
        return new PeerMember(name, document.mainPath(), ModelBuilder.build(document.effective(configId)));
    }

    /** The VRRP version an instance of this member speaks: its own, else global_defs vrrp_version, else 2. */
    int version(VrrpInstance instance) {
        if (instance.version().isPresent()) return instance.version().getAsInt();
        List<String> global = config.globalDefs().settings().getOrDefault("vrrp_version", List.of());
        OptionalInt value = global.isEmpty() ? OptionalInt.empty() : Values.integer(global.get(0));
        return value.orElse(DEFAULT_VERSION);
    }
}
