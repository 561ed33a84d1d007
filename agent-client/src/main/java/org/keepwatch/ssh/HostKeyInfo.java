package org.keepwatch.ssh;

/**
 * A host key as a person checks it: where it came from, its type and its fingerprint
 * ({@code SHA256:base64}, exactly as {@code ssh-keygen -lf} prints it).
 */
public record HostKeyInfo(String host, int port, String keyType, String fingerprint) {

    /** {@code host} for port 22, {@code [host]:port} otherwise: the name known_hosts uses. */
    public String hostDisplay() {
        return KnownHostsFile.hostKeyName(host, port);
    }
}
