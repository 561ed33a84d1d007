package org.keepwatch.ssh;

import com.hierynomus.sshj.userauth.certificate.Certificate;
import net.schmizz.sshj.common.Buffer;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The known_hosts files a target names (user files first, then global ones), consulted as OpenSSH's
 * check_key_in_hostkeys() does. Every check looks at the files again (through the connector's cache, which
 * re-reads a file that changed), so keys saved by another connection count at once.
 */
final class KnownHosts {

    private final List<Path> files;
    private final KnownHostsCache cache;
    private final CertificateVerifier certificates;

    KnownHosts(List<Path> files, KnownHostsCache cache, CertificateVerifier certificates) {
        this.files = List.copyOf(files);
        this.cache = cache;
        this.certificates = certificates;
    }

    KnownHosts(List<Path> files) {
        this(files, new KnownHostsCache(), new CertificateVerifier(Clock.systemUTC()));
    }

    List<Path> files() {
        return files;
    }

    /**
     * @param host the name connected to (HostName, lower-cased): what lines are looked up for and what a
     *             certificate's principals must name
     */
    HostKeyStatus check(String host, int port, PublicKey presented) {
        String name = KnownHostsFile.hostKeyName(host, port);
        List<KnownHostsFile.Entry> entries = entriesFor(name);
        PublicKey plain = HostKeys.plainKey(presented);
        Optional<PublicKey> authority = certificateAuthority(presented);

        for (KnownHostsFile.Entry e : entries) {
            boolean revokedKey = e.holds(plain) || authority.map(e::holds).orElse(false);
            if (e.marker() == KnownHostsFile.Marker.REVOKED && revokedKey) {
                return new HostKeyStatus.Revoked(e);
            }
        }
        if (authority.isPresent()) {
            for (KnownHostsFile.Entry e : entries) {
                if (e.marker() == KnownHostsFile.Marker.CERT_AUTHORITY && e.holds(authority.get())) {
                    // The CA vouches only for a certificate that passes every check; SSHJ checks none of them
                    // reliably (see SshConnector), so all of them are made here, for every key exchange.
                    Optional<CertificateRejection> why = certificates.check((Certificate<?>) presented, host);
                    return why.<HostKeyStatus>map(w -> new HostKeyStatus.CertificateRejected(e, w,
                            plainKeyStatus(entries, plain))).orElseGet(() -> new HostKeyStatus.Trusted(e));
                }
            }
        }
        // As OpenSSH: a certificate no trusted CA signed is judged by its plain key.
        return plainKeyStatus(entries, plain);
    }

    private static HostKeyStatus plainKeyStatus(List<KnownHostsFile.Entry> entries, PublicKey plain) {
        String type = HostKeys.type(plain);
        KnownHostsFile.Entry differing = null;
        List<KnownHostsFile.Entry> otherTypes = new ArrayList<>();
        for (KnownHostsFile.Entry e : entries) {
            if (e.marker() != KnownHostsFile.Marker.NONE) {
                continue;
            }
            if (!e.keyType().equals(type)) {
                otherTypes.add(e);
                continue;
            }
            if (e.holds(plain)) {
                return new HostKeyStatus.Trusted(e);
            }
            if (differing == null) {
                differing = e;
            }
        }
        return differing == null ? new HostKeyStatus.Unknown(otherTypes) : new HostKeyStatus.Changed(differing);
    }

    /**
     * The host key algorithms to prefer in key exchange, so a host with a known key of one type is asked for that
     * type rather than for another that would look unknown (OpenSSH's order_hostkeyalgs()).
     */
    List<String> knownAlgorithms(String host, int port) {
        Set<String> algorithms = new LinkedHashSet<>();
        for (KnownHostsFile.Entry e : entriesFor(KnownHostsFile.hostKeyName(host, port))) {
            if (e.marker() == KnownHostsFile.Marker.REVOKED) {
                continue;
            }
            String type = e.keyType();
            if (e.marker() == KnownHostsFile.Marker.CERT_AUTHORITY) {
                // A CA whose signatures cannot be checked here vouches for nothing: asking for a certificate
                // would only get one refused, never accepted unverified.
                if (!CertificateSignature.canVerify(type)) {
                    continue;
                }
                algorithms.addAll(List.of("ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
                        "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
                        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
                        "ssh-rsa-cert-v01@openssh.com"));
            } else if (type.equals("ssh-rsa")) {
                algorithms.addAll(List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"));
            } else {
                algorithms.add(type);
            }
        }
        return new ArrayList<>(algorithms);
    }

    private List<KnownHostsFile.Entry> entriesFor(String name) {
        List<KnownHostsFile.Entry> matching = new ArrayList<>();
        for (Path file : files) {
            matching.addAll(cache.entriesFor(file, name));
        }
        return matching;
    }

    private static Optional<PublicKey> certificateAuthority(PublicKey key) {
        if (!(key instanceof Certificate)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Buffer.PlainBuffer(((Certificate<?>) key).getSignatureKey()).readPublicKey());
        } catch (Buffer.BufferException e) {
            return Optional.empty();
        }
    }
}
