package org.keepwatch.ssh;

import java.nio.file.Path;

/** A plain key known_hosts holds for a host: its type, SHA256 fingerprint, and the line it is on. */
public record KnownHostKey(String keyType, String fingerprint, Path file, int line) {

    /** {@code ecdsa-sha2-nistp256 SHA256:... (~/.ssh/known_hosts line 3)}, for messages. */
    public String describe() {
        return keyType + " " + fingerprint + " (" + file + " line " + line + ")";
    }
}
