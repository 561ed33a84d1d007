package org.keepwatch.ssh;

import java.util.Objects;

/**
 * Why a host certificate signed by a CA that known_hosts trusts ({@code @cert-authority}) was not accepted. The
 * host is then judged by its certificate's plain key, as OpenSSH does.
 *
 * @param detail what was wrong, in words, e.g. {@code it names router-2.example, not 10.0.0.1}
 */
public record CertificateRejection(Check check, String detail) {

    /** The check that failed, in the order they are made. */
    public enum Check {
        /** The CA key in known_hosts cannot sign certificates here (e.g. DSA, or RSA under 1024 bits). */
        CA_KEY("CA key"),
        /** Signed with an algorithm OpenSSH no longer accepts from a CA (ssh-rsa, SHA-1). */
        SIGNATURE_ALGORITHM("signature algorithm"),
        /** The signature is malformed, of another algorithm than the CA key, or not made by the CA key. */
        SIGNATURE("CA signature"),
        /** A user certificate (or one of an unknown type), not a host certificate. */
        NOT_A_HOST_CERTIFICATE("certificate type"),
        /** Its validity starts later. */
        NOT_YET_VALID("validity"),
        /** Its validity has ended. */
        EXPIRED("validity"),
        /** It names no host at all. */
        NO_PRINCIPALS("principals"),
        /** It names other hosts. */
        PRINCIPAL("principals"),
        /** It carries critical options, which no host certificate may. */
        CRITICAL_OPTIONS("critical options");

        private final String words;

        Check(String words) {
            this.words = words;
        }

        /** {@code CA signature}, {@code principals}, ...: what a person would call the check. */
        public String words() {
            return words;
        }
    }

    public CertificateRejection {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(detail, "detail");
    }

    /** {@code The host certificate of HOST fails its CHECK check: DETAIL}. */
    public String describe(String hostDisplay) {
        return "The host certificate of " + hostDisplay + " fails its " + check.words() + " check: " + detail;
    }
}
