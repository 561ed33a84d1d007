package org.keepwatch.ssh;

/** What known_hosts says about a presented host key. */
sealed interface HostKeyStatus {

    /** A line vouches for it: the key itself, or the CA that signed its certificate. */
    record Trusted(KnownHostsFile.Entry entry) implements HostKeyStatus {
    }

    /** Nothing is known about a key of this type for this host. */
    record Unknown() implements HostKeyStatus {
    }

    /** known_hosts holds another key of the same type for this host. */
    record Changed(KnownHostsFile.Entry known) implements HostKeyStatus {
    }

    /** A {@code @revoked} line names this key (or the CA of its certificate). */
    record Revoked(KnownHostsFile.Entry entry) implements HostKeyStatus {
    }
}
