package org.keepwatch.fleet;

/** The health of one VRRP router as a whole, worst first (DESIGN.md, "Cluster verdicts"). */
public enum Verdict {
    /** Two or more MASTERs, or a VIP held by two or more nodes. */
    SPLIT_BRAIN,
    /** A VIP on a node whose keepalived is dead or not MASTER. */
    ORPHAN_VIP,
    /** No member is MASTER. */
    NO_MASTER,
    /** A member's node is unreachable or its keepalived does not answer: its state is not current. */
    STALE,
    /** Members disagree on VIPs, advert_int, authentication, VRRP version or unicast peers. */
    DRIFT,
    /** Only the master is up. */
    NO_REDUNDANCY,
    /** A master and a backup are up, but another member is down (its keepalived hung, stopped or dead, or FAULT). */
    DEGRADED,
    HEALTHY;

    /** The verdicts that raise an alarm (banner and desktop notification). */
    public boolean alarming() {
        return this == SPLIT_BRAIN || this == ORPHAN_VIP || this == NO_MASTER;
    }

    public boolean worseThan(Verdict other) {
        return ordinal() < other.ordinal();
    }
}
