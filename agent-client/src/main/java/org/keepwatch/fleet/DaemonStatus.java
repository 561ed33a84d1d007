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
    DEAD;

    /** From the agent's words: alive, answering, and why it is not running ("stopped", "died"). */
    public static DaemonStatus of(boolean alive, boolean responsive, Optional<String> stoppedReason) {
        if (alive) {
            return responsive ? RUNNING : HUNG;
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
        };
    }

    /** In words, for the Nodes view and the reasons of a verdict. */
    public String describe() {
        return switch (this) {
            case RUNNING -> "running";
            case HUNG -> "hung (does not answer)";
            case STOPPED -> "not running";
            case DEAD -> "dead (killed or crashed)";
        };
    }
}
