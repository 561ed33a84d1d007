package org.keepwatch.agent;

import java.io.IOException;

/** Why the agent could not be started on a node, as a reason a UI can explain and a message a person can act on. */
public sealed class AgentStartException extends IOException permits AgentSession.NotDeployed {

    public enum Reason {
        /** No python3 on the node (or one older than 3.6). */
        NO_PYTHON,
        /** sudo wants a password (sudo -n refuses to ask), or asked for one and none was given. */
        SUDO_PASSWORD,
        /** sudo refused the password given (twice at most); nothing is retried until the operator acts. */
        SUDO_PASSWORD_REFUSED,
        /** sudo does not let the login run python3 as root (not in sudoers, or not for python3). */
        NO_SUDO,
        /** The agent runs without root and cannot signal keepalived or read its files. */
        NOT_ROOT,
        /** The agent speaks another protocol version. */
        PROTOCOL_MISMATCH,
        /** The uploaded file does not read back with the expected hash. */
        DEPLOY_FAILED,
        /** The agent ended, or did not answer hello in time. */
        NO_ANSWER,
        /** What the agent sent breaks the protocol (a line over its limit): the node is suspect, not just down. */
        PROTOCOL_VIOLATION
    }

    private final Reason reason;

    public AgentStartException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
