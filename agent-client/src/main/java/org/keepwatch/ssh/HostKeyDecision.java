package org.keepwatch.ssh;

/** The answer to an unknown host key. */
public enum HostKeyDecision {
    /** Do not connect. */
    REJECT,
    /** Connect this time; ask again next time. */
    ACCEPT_ONCE,
    /** Connect and append the key to the user's known_hosts. */
    ACCEPT_AND_SAVE
}
