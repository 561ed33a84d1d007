package org.keepwatch.ssh;

import com.hierynomus.sshj.userauth.certificate.Certificate;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a host certificate is good for the host being connected to, making every check OpenSSH's ssh(1)
 * makes before it trusts a certificate through a known_hosts {@code @cert-authority} line (cert_parse() and
 * sshkey_cert_check_host() of OpenSSH 10.3): the CA's signature, a host (not user) certificate, valid now,
 * principals that name the host, and no critical options. Whether that CA is trusted, or revoked, is
 * known_hosts' business ({@link KnownHosts}).
 */
final class CertificateVerifier {

    /** SSH2_CERT_TYPE_HOST; 1 is a user certificate. */
    private static final long HOST_CERTIFICATE = 2;
    private static final long USER_CERTIFICATE = 1;

    private final Clock clock;

    CertificateVerifier(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param host the name being connected to, as known_hosts is searched for it: HostName, lower-cased (Keepwatch
     *             has no HostKeyAlias, which OpenSSH would compare instead)
     * @return empty when the certificate is good for {@code host}; otherwise the first check it fails
     */
    Optional<CertificateRejection> check(Certificate<?> certificate, String host) {
        Optional<CertificateRejection> signature = CertificateSignature.verify(certificate);
        if (signature.isPresent()) {
            // Nothing else in a certificate the CA did not sign means anything.
            return signature;
        }
        if (certificate.getType() != HOST_CERTIFICATE) {
            return reject(CertificateRejection.Check.NOT_A_HOST_CERTIFICATE, certificate.getType() == USER_CERTIFICATE
                    ? "it is a user certificate, not a host certificate"
                    : "it is of certificate type " + certificate.getType() + ", not a host certificate");
        }
        // No clock-skew allowance: OpenSSH compares with time(NULL) as it is (valid_after <= now < valid_before).
        long now = clock.instant().getEpochSecond();
        long validAfter = certificate.getValidAfter().getTime() / 1000;
        long validBefore = certificate.getValidBefore().getTime() / 1000;
        if (now < validAfter) {
            return reject(CertificateRejection.Check.NOT_YET_VALID, "it is not valid before "
                    + Instant.ofEpochSecond(validAfter) + " (now " + Instant.ofEpochSecond(now) + ")");
        }
        if (now >= validBefore) {
            return reject(CertificateRejection.Check.EXPIRED, "it expired at " + Instant.ofEpochSecond(validBefore)
                    + " (now " + Instant.ofEpochSecond(now) + ")");
        }
        List<String> principals = certificate.getValidPrincipals();
        if (principals.isEmpty()) {
            // OpenSSH 10.3 and later: an empty list matches no host (it used to match every host).
            return reject(CertificateRejection.Check.NO_PRINCIPALS, "it names no host (its principals are empty)");
        }
        // Host certificate principals may be wildcard patterns (match_pattern(), case as written); the name is
        // lower-cased already.
        if (principals.stream().noneMatch(principal -> HostPatterns.matches(host, principal))) {
            return reject(CertificateRejection.Check.PRINCIPAL, "it names " + String.join(", ", principals)
                    + ", not " + host);
        }
        if (!certificate.getCritOptions().isEmpty()) {
            // Every critical option OpenSSH knows is for user certificates: on a host certificate all are unknown.
            return reject(CertificateRejection.Check.CRITICAL_OPTIONS, "it carries critical options ("
                    + String.join(", ", certificate.getCritOptions().keySet()) + "), which no host certificate may");
        }
        return Optional.empty();
    }

    private static Optional<CertificateRejection> reject(CertificateRejection.Check check, String detail) {
        return Optional.of(new CertificateRejection(check, detail));
    }
}
