package org.keepwatch.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Why reaching a host failed, as a type a supervisor can act on and a message a UI can show as it is.
 * Messages never contain secrets.
 */
public abstract sealed class SshException extends IOException {

    private SshException(String message, Throwable cause) {
        super(message, cause);
    }

    /** ~/.ssh/config (or an included file) says something this resolver cannot accept. */
    public static final class BadConfig extends SshException {
        private final Path file;
        private final int line;

        public BadConfig(Path file, int line, String problem) {
            super(file + (line > 0 ? " line " + line : "") + ": " + problem, null);
            this.file = file;
            this.line = line;
        }

        public Path file() {
            return file;
        }

        public int line() {
            return line;
        }
    }

    /** The target asks for something this client deliberately does not do (e.g. ProxyCommand). */
    public static final class Unsupported extends SshException {
        public Unsupported(String what) {
            super(what, null);
        }
    }

    /** The host name does not resolve to an address. */
    public static final class UnknownHost extends SshException {
        public UnknownHost(String host, Throwable cause) {
            super("Could not resolve host name " + host, cause);
        }
    }

    /** No route to the host, or the network is down. */
    public static final class HostUnreachable extends SshException {
        public HostUnreachable(String host, int port, Throwable cause) {
            super("Host " + host + " port " + port + " is unreachable" + detail(cause), cause);
        }
    }

    /** The host answered but nothing listens on the port. */
    public static final class ConnectionRefused extends SshException {
        public ConnectionRefused(String host, int port, Throwable cause) {
            super("Connection to " + host + " port " + port + " refused", cause);
        }
    }

    /** No answer within the connect timeout (TCP connect or the SSH handshake). */
    public static final class ConnectTimeout extends SshException {
        public ConnectTimeout(String host, int port, Duration timeout, Throwable cause) {
            super("Connection to " + host + " port " + port + " timed out after " + timeout.toSeconds() + " s", cause);
        }
    }

    /**
     * A host key nobody has vouched for: refused by StrictHostKeyChecking, by the user, or for lack of a prompt.
     * When the host presented a certificate that its CA would have vouched for but that failed a check,
     * {@link #certificate()} says which; the host was then judged by the certificate's plain key.
     */
    public static final class HostKeyUnknown extends SshException {
        private final HostKeyInfo key;
        private final boolean rejectedByUser;
        private final Optional<CertificateRejection> certificate;

        public HostKeyUnknown(HostKeyInfo key, boolean rejectedByUser) {
            this(key, rejectedByUser, Optional.empty());
        }

        public HostKeyUnknown(HostKeyInfo key, boolean rejectedByUser, Optional<CertificateRejection> certificate) {
            super(certificatePrefix(key, certificate) + (key.otherTypesKnown().isEmpty()
                    ? (rejectedByUser ? "Host key of " : "No known host key for ")
                    + key.hostDisplay() + " (" + key.keyType() + " " + key.fingerprint() + ")"
                    + (rejectedByUser ? " was rejected" : "; StrictHostKeyChecking refuses unknown keys")
                    : newKeyType(key, rejectedByUser)), null);
            this.key = key;
            this.rejectedByUser = rejectedByUser;
            this.certificate = certificate;
        }

        /** OpenSSH's warning that keys of different type are already known, and what Keepwatch did. */
        private static String newKeyType(HostKeyInfo key, boolean rejectedByUser) {
            return "WARNING: " + key.hostDisplay() + " presented a " + key.keyType() + " key (" + key.fingerprint()
                    + ") but known_hosts knows it by keys of another type: " + key.describeOtherTypesKnown()
                    + ". Someone could be intercepting the connection with a key of a type you never checked;"
                    + " nothing was sent. " + (rejectedByUser ? "The key was rejected."
                    : "A new key type for a known host is taken only when a person accepts it"
                    + " (StrictHostKeyChecking ask), never by yes, accept-new or no.");
        }

        public HostKeyInfo key() {
            return key;
        }

        public boolean rejectedByUser() {
            return rejectedByUser;
        }

        /** The check the host's certificate failed, if it presented one its CA would have vouched for. */
        public Optional<CertificateRejection> certificate() {
            return certificate;
        }
    }

    /** The host presented a key of a type known_hosts holds a different key for: possibly a man in the middle. */
    public static final class HostKeyChanged extends SshException {
        private final HostKeyInfo key;
        private final String knownFingerprint;
        private final Path knownHostsFile;
        private final int knownHostsLine;
        private final Optional<CertificateRejection> certificate;

        public HostKeyChanged(HostKeyInfo key, String knownFingerprint, Path knownHostsFile, int knownHostsLine) {
            this(key, knownFingerprint, knownHostsFile, knownHostsLine, Optional.empty());
        }

        /** @param certificate the check the host's certificate failed, if it presented one its CA would vouch for */
        public HostKeyChanged(HostKeyInfo key, String knownFingerprint, Path knownHostsFile, int knownHostsLine,
                              Optional<CertificateRejection> certificate) {
            super(certificatePrefix(key, certificate) + "The host key of " + key.hostDisplay()
                    + " has changed: it now presents " + key.keyType() + " "
                    + key.fingerprint() + " but " + knownHostsFile + " line " + knownHostsLine + " holds "
                    + knownFingerprint + ". Someone could be intercepting the connection; nothing was sent. "
                    + "If the host was reinstalled, remove that line after checking the new key.", null);
            this.key = key;
            this.knownFingerprint = knownFingerprint;
            this.knownHostsFile = knownHostsFile;
            this.knownHostsLine = knownHostsLine;
            this.certificate = certificate;
        }

        public HostKeyInfo key() {
            return key;
        }

        /** The check the host's certificate failed, if it presented one its CA would have vouched for. */
        public Optional<CertificateRejection> certificate() {
            return certificate;
        }

        public String knownFingerprint() {
            return knownFingerprint;
        }

        public Path knownHostsFile() {
            return knownHostsFile;
        }

        public int knownHostsLine() {
            return knownHostsLine;
        }
    }

    /** The host presented a key (or a certificate by a CA) that known_hosts marks {@code @revoked}. */
    public static final class HostKeyRevoked extends SshException {
        private final HostKeyInfo key;
        private final Path knownHostsFile;
        private final int knownHostsLine;

        public HostKeyRevoked(HostKeyInfo key, Path knownHostsFile, int knownHostsLine) {
            super("The host key of " + key.hostDisplay() + " (" + key.keyType() + " " + key.fingerprint()
                    + ") is marked @revoked in " + knownHostsFile + " line " + knownHostsLine, null);
            this.key = key;
            this.knownHostsFile = knownHostsFile;
            this.knownHostsLine = knownHostsLine;
        }

        public HostKeyInfo key() {
            return key;
        }

        public Path knownHostsFile() {
            return knownHostsFile;
        }

        public int knownHostsLine() {
            return knownHostsLine;
        }
    }

    /** Every authentication method that could be tried was refused (or the user cancelled every prompt). */
    public static final class AuthenticationFailed extends SshException {
        private final List<String> methodsTried;
        private final List<String> methodsAllowed;

        public AuthenticationFailed(String user, String host, List<String> methodsTried, List<String> methodsAllowed,
                                    Throwable cause) {
            super("Permission denied for " + user + "@" + host + " (tried: "
                    + (methodsTried.isEmpty() ? "nothing" : String.join(", ", methodsTried))
                    + "; the server accepts: " + String.join(", ", methodsAllowed) + ")", cause);
            this.methodsTried = List.copyOf(methodsTried);
            this.methodsAllowed = List.copyOf(methodsAllowed);
        }

        /** Each attempt, e.g. {@code publickey (agent: ED25519 SHA256:...)}, {@code password}. */
        public List<String> methodsTried() {
            return methodsTried;
        }

        public List<String> methodsAllowed() {
            return methodsAllowed;
        }
    }

    /** A hop of the ProxyJump chain failed; {@link #getCause()} says how. */
    public static final class JumpHostFailed extends SshException {
        private final int hop;
        private final String hopName;

        public JumpHostFailed(int hop, String hopName, SshException cause) {
            super("Jump host " + hop + " (" + hopName + ") failed: " + cause.getMessage(), cause);
            this.hop = hop;
            this.hopName = hopName;
        }

        /** 1 for the first jump host. */
        public int hop() {
            return hop;
        }

        public String hopName() {
            return hopName;
        }

        @Override
        public synchronized SshException getCause() {
            return (SshException) super.getCause();
        }
    }

    /** A jump host could not open the forwarded connection to the next hop. */
    public static final class ForwardingRefused extends SshException {
        public ForwardingRefused(String via, String host, int port, Throwable cause) {
            super(via + " could not open a connection to " + host + " port " + port + detail(cause), cause);
        }
    }

    /** An established (or establishing) connection ended: closed by the server, keepalives unanswered, I/O error. */
    public static final class ConnectionLost extends SshException {
        private final Disconnect disconnect;

        public ConnectionLost(String host, Disconnect disconnect, Throwable cause) {
            super("Connection to " + host + " lost: " + disconnect.description(), cause);
            this.disconnect = disconnect;
        }

        public Disconnect disconnect() {
            return disconnect;
        }
    }

    /** {@code The host certificate of HOST fails its CHECK check: DETAIL. }, or nothing. */
    private static String certificatePrefix(HostKeyInfo key, Optional<CertificateRejection> certificate) {
        return certificate.map(c -> c.describe(key.hostDisplay()) + ". ").orElse("");
    }

    private static String detail(Throwable cause) {
        return cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
    }
}
