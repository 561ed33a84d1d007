package org.keepwatch.ssh;

import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * Decides, during key exchange and so before anything is authenticated, whether a host key is acceptable.
 * Changed and revoked keys are always refused; unknown keys follow StrictHostKeyChecking and the prompt. A host
 * certificate counts only if it passes every check {@link CertificateVerifier} makes; one that fails is judged by
 * its plain key, as OpenSSH does.
 * A refusal is kept as a typed {@link SshException} for the connector, since SSHJ only sees {@code false}.
 */
final class KnownHostsVerifier implements HostKeyVerifier {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsVerifier.class);

    private final String host;
    private final int port;
    private final KnownHosts knownHosts;
    private final StrictHostKeyChecking policy;
    private final boolean hashNewEntries;
    private final Optional<Path> saveTo;
    private final SshPrompts prompts;
    private final KnownHostsWriter writer;
    private volatile SshException refusal;

    /**
     * @param host   the host name as the target resolved it (not what SSHJ sees through a tunnel)
     * @param saveTo where accepted keys go: the first UserKnownHostsFile
     */
    KnownHostsVerifier(String host, int port, KnownHosts knownHosts, StrictHostKeyChecking policy,
                       boolean hashNewEntries, Optional<Path> saveTo, SshPrompts prompts, KnownHostsWriter writer) {
        this.host = host;
        this.port = port;
        this.knownHosts = knownHosts;
        this.policy = policy;
        this.hashNewEntries = hashNewEntries;
        this.saveTo = saveTo;
        this.prompts = prompts;
        this.writer = writer;
    }

    /** Why the key was refused, if it was. */
    Optional<SshException> refusal() {
        return Optional.ofNullable(refusal);
    }

    @Override
    public boolean verify(String sshjHost, int sshjPort, PublicKey key) {
        HostKeyInfo presented = new HostKeyInfo(host, port, HostKeys.type(key), HostKeys.fingerprint(key));
        HostKeyStatus status = knownHosts.check(host, port, key);
        Optional<CertificateRejection> certificate = Optional.empty();
        if (status instanceof HostKeyStatus.CertificateRejected rejected) {
            // As OpenSSH: the CA does not vouch for it, so the host is judged by the certificate's plain key, and
            // whatever that leads to (a refusal, a question) says why the certificate was not enough.
            KnownHostsFile.Entry ca = rejected.authority();
            certificate = Optional.of(rejected.why());
            log.warn("{} (CA {} of {} line {}); judging its plain key instead", rejected.why().describe(
                    presented.hostDisplay()), ca.fingerprint(), ca.file(), ca.line());
            status = rejected.plainKey();
        }
        HostKeyInfo info = status instanceof HostKeyStatus.Unknown unknown
                ? new HostKeyInfo(host, port, presented.keyType(), presented.fingerprint(),
                unknown.otherTypes().stream().map(e -> new KnownHostKey(e.keyType(), e.fingerprint(), e.file(),
                        e.line())).toList())
                : presented;
        if (status instanceof HostKeyStatus.Trusted) {
            KnownHostsFile.Entry e = ((HostKeyStatus.Trusted) status).entry();
            log.debug("Host key {} {} of {} matches {} line {}", info.keyType(), info.fingerprint(),
                    info.hostDisplay(), e.file(), e.line());
            return true;
        }
        if (status instanceof HostKeyStatus.Revoked) {
            KnownHostsFile.Entry e = ((HostKeyStatus.Revoked) status).entry();
            return refuse(new SshException.HostKeyRevoked(info, e.file(), e.line()));
        }
        if (status instanceof HostKeyStatus.Changed) {
            KnownHostsFile.Entry e = ((HostKeyStatus.Changed) status).known();
            return refuse(new SshException.HostKeyChanged(info, e.fingerprint(), e.file(), e.line(), certificate));
        }
        switch (policy) {
            case YES:
                return refuse(new SshException.HostKeyUnknown(info, false, certificate));
            case ASK:
                HostKeyDecision decision = prompts.unknownHostKey(info);
                if (decision == HostKeyDecision.REJECT || decision == null) {
                    return refuse(new SshException.HostKeyUnknown(info, true, certificate));
                }
                if (decision == HostKeyDecision.ACCEPT_AND_SAVE) {
                    save(info, key);
                }
                return true;
            default:
                if (!info.otherTypesKnown().isEmpty()) {
                    // OpenSSH's accept-new and no add a key of a new type for a host known by another type without
                    // asking (sshconnect.c check_host_key, HOST_NEW); a man in the middle offering only a type
                    // nobody pinned would be added. Keepwatch lets only a person accept a new type (ask).
                    return refuse(new SshException.HostKeyUnknown(info, false, certificate));
                }
                // accept-new and no: OpenSSH adds the new key without asking (a failed certificate's plain key too).
                save(info, key);
                return true;
        }
    }

    private boolean refuse(SshException why) {
        log.warn("{}", why.getMessage());
        refusal = why;
        return false;
    }

    private void save(HostKeyInfo info, PublicKey key) {
        if (saveTo.isEmpty()) {
            log.warn("Accepted host key of {} but no UserKnownHostsFile to save it in", info.hostDisplay());
            return;
        }
        try {
            writer.append(saveTo.get(), writer.line(host, port, key, hashNewEntries));
            log.info("Added {} key {} of {} to {}", info.keyType(), info.fingerprint(), info.hostDisplay(),
                    saveTo.get());
        } catch (IOException e) {
            // OpenSSH warns and connects anyway: the key was accepted, only remembering it failed.
            log.warn("Could not add the host key of {} to {}: {}", info.hostDisplay(), saveTo.get(), e.getMessage());
        }
    }

    @Override
    public List<String> findExistingAlgorithms(String sshjHost, int sshjPort) {
        return knownHosts.knownAlgorithms(host, port);
    }
}
