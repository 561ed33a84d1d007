package org.keepwatch.fleet;

import java.util.Optional;

/** Whether a node's keepalived runs and answers: what its members' states mean depends on it. */
public enum DaemonStatus {
    /** Running and answering its dump signal: its instances' states are keepalived's own. */
    RUNNING,
    /** Alive but not answering (its VRRP process stopped or stuck): it may still hold its VIPs, it sends no adverts. */
    HUNG,
    /** Not running after a clean exit, or never started: keepalived removed its VIPs as it stopped. */
    STOPPED,
    /** Killed or crashed (its pid file was left behind): its VIPs may have stayed on the node. */
    DEAD,
    /**
     * Not visible to the agent's login (an agent that is not root: a login without sudo): its pid file names a
     * process that login may not look at. Whether it runs is not known; not a failure, not an alarm.
     */
    NOT_VISIBLE;

    /** The agent's word for a keepalived its login cannot see (protocol.md, {@code stopped_reason}). */
    public static final String NOT_VISIBLE_REASON = "not_visible";

    /** From the agent's words: alive, answering, and why it is not running ("stopped", "died", "not_visible"). */
    public static DaemonStatus of(boolean alive, boolean responsive, Optional<String> stoppedReason) {
        if (alive) {
            return responsive ? RUNNING : HUNG;
        }
        if (stoppedReason.filter(NOT_VISIBLE_REASON::equals).isPresent()) {
            return NOT_VISIBLE;
        }
        return stoppedReason.filter("died"::equals).isPresent() ? DEAD : STOPPED;
    }

    public boolean alive() {
        return this == RUNNING || this == HUNG;
    }

    /** The state each of its instances has while the daemon is in this status (empty: keepalived's own). */
    public Optional<VrrpState> instanceState() {
        return switch (this) {
            case RUNNING -> Optional.empty();
            case HUNG -> Optional.of(VrrpState.HUNG);
            case STOPPED -> Optional.of(VrrpState.STOP);
            case DEAD -> Optional.of(VrrpState.DEAD);
            case NOT_VISIBLE -> Optional.of(VrrpState.UNKNOWN);
        };
    }

    /** In words for a named login: "not visible to ops" (the others as {@link #describe()}). */
    public String describeFor(String login) {
        return this == NOT_VISIBLE ? "not visible to " + login + " (not root: keepalived's process cannot be looked at)"
                : describe();
    }

    /** In words, for the Nodes view and the reasons of a verdict. */
    public String describe() {
        return switch (this) {
            case RUNNING -> "running";
            case HUNG -> "hung (does not answer)";
            case STOPPED -> "not running";
            case DEAD -> "dead (killed or crashed)";
            case NOT_VISIBLE -> "not visible to the agent's login (not root: keepalived's process cannot be looked at)";
        };
    }
}
