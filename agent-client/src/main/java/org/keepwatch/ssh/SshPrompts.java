package org.keepwatch.ssh;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The questions connecting may ask a person. Called while {@link SshConnector#connect} runs, on its thread or on
 * an SSH I/O thread of that connection (the host key question comes from key exchange); a UI blocks the calling
 * thread while it asks, and must not ask on the thread that called connect if that is the UI thread.
 * Every secret is returned as a fresh char[] that the caller owns and clears after use; an empty Optional means
 * the person cancelled (that method is then abandoned). The defaults answer like {@code ssh -o BatchMode=yes}.
 */
public interface SshPrompts {

    /** Prompts that never ask: unknown host keys are rejected, no passphrase or password is given. */
    SshPrompts BATCH = new SshPrompts() {
    };

    /** A host key of a host that known_hosts does not know (only under StrictHostKeyChecking ask). */
    default HostKeyDecision unknownHostKey(HostKeyInfo key) {
        return HostKeyDecision.REJECT;
    }

    /** The passphrase of an encrypted private key; {@code attempt} counts from 1. */
    default Optional<char[]> passphrase(Path keyFile, int attempt) {
        return Optional.empty();
    }

    /**
     * The password of a login: user, host, port and the jump hosts it is reached through, all of which a remembered
     * password must match; {@code attempt} counts from 1.
     */
    default Optional<char[]> password(LoginTarget login, int attempt) {
        return Optional.empty();
    }

    /**
     * The password sudo asks for on a node, for {@code login} (the user sudo runs as is the SSH login's user; the
     * host, port and jump hosts say which machine): asked only when sudo on that node wants one, sent only to that
     * sudo. {@code attempt} counts from 1; a second attempt follows a password sudo refused, and there is no third.
     */
    default Optional<char[]> sudoPassword(LoginTarget login, String node, int attempt) {
        return Optional.empty();
    }

    /** One keyboard-interactive prompt from the server (e.g. "Password: " or a one-time code). */
    default Optional<char[]> keyboardInteractive(String user, String host, String instruction, String prompt,
                                                 boolean echo) {
        return Optional.empty();
    }
}
