package org.keepwatch.ssh;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A host key as a person checks it: where it came from, its type and its fingerprint
 * ({@code SHA256:base64}, exactly as {@code ssh-keygen -lf} prints it), and the keys of other types known_hosts
 * already holds for the host: a host known by other key types that now presents a new type may be a man in the
 * middle offering the one type nobody pinned (OpenSSH warns "keys of different type are already known").
 */
public record HostKeyInfo(String host, int port, String keyType, String fingerprint,
                          List<KnownHostKey> otherTypesKnown) {

    public HostKeyInfo {
        otherTypesKnown = List.copyOf(otherTypesKnown);
    }

    /** A key of a host known_hosts knows nothing about. */
    public HostKeyInfo(String host, int port, String keyType, String fingerprint) {
        this(host, port, keyType, fingerprint, List.of());
    }

    /** {@code host} for port 22, {@code [host]:port} otherwise: the name known_hosts uses. */
    public String hostDisplay() {
        return KnownHostsFile.hostKeyName(host, port);
    }

    /** The other known keys in words, e.g. {@code ecdsa-sha2-nistp256 SHA256:... (known_hosts line 3)}. */
    public String describeOtherTypesKnown() {
        return otherTypesKnown.stream().map(KnownHostKey::describe).collect(Collectors.joining(", "));
    }
}
