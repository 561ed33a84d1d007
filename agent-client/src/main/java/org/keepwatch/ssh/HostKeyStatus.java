package org.keepwatch.ssh;

import java.util.List;

/** What known_hosts says about a presented host key. */
sealed interface HostKeyStatus {

    /** A line vouches for it: the key itself, or the CA that signed its certificate (which passed every check). */
    record Trusted(KnownHostsFile.Entry entry) implements HostKeyStatus {
    }

    /**
     * Nothing is known about a key of this type for this host; {@code otherTypes} are the plain keys of other types
     * it is known by (empty for a host known_hosts has never seen).
     */
    record Unknown(List<KnownHostsFile.Entry> otherTypes) implements HostKeyStatus {
        public Unknown {
            otherTypes = List.copyOf(otherTypes);
        }
    }

    /** known_hosts holds another key of the same type for this host. */
    record Changed(KnownHostsFile.Entry known) implements HostKeyStatus {
    }

    /** A {@code @revoked} line names this key (or the CA of its certificate). */
    record Revoked(KnownHostsFile.Entry entry) implements HostKeyStatus {
    }

    /**
     * A certificate from a trusted CA failed a check, so the CA does not vouch for it; {@code plainKey} is what
     * known_hosts says about its plain key, by which the host is judged instead (never another CertificateRejected).
     */
    record CertificateRejected(KnownHostsFile.Entry authority, CertificateRejection why, HostKeyStatus plainKey)
            implements HostKeyStatus {
    }
}
