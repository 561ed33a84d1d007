package org.keepwatch.fleet;

import java.util.Locale;

/** The state of one VRRP instance as keepalived reports it, plus what Keepwatch knows beyond that. */
public enum VrrpState {
    INIT, BACKUP, MASTER, FAULT,
    /** keepalived stopped the instance (shutdown, or the daemon is gone). */
    STOP,
    /** The instance disappeared from the daemon's configuration. */
    DELETED,
    /** Its keepalived runs but does not answer (a stopped or stuck VRRP process): it may still hold its VIPs. */
    HUNG,
    /** Its keepalived was killed or crashed: its VIPs may have stayed on the node. */
    DEAD,
    /** Nothing current is known: the node is stale or unreachable, or the daemon does not answer. */
    UNKNOWN;

    public static VrrpState parse(String text) {
        if (text == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    /** Up and taking part in the election. */
    public boolean participating() {
        return this == MASTER || this == BACKUP;
    }
}
