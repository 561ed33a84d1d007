package org.keepwatch.daemons;

import java.util.Locale;

/** What can be done to a keepalived daemon (docs/protocol.md, daemon.*). */
public enum DaemonAction {
    START, STOP, RESTART, RELOAD;

    /** The word of the protocol and the CLI: start, stop, restart, reload. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Takes the daemon's instances out of the election (for a restart, for a while). */
    public boolean takesMembersDown() {
        return this == STOP || this == RESTART;
    }

    public static DaemonAction parse(String word) {
        for (DaemonAction action : values()) {
            if (action.word().equals(word)) {
                return action;
            }
        }
        throw new IllegalArgumentException("'" + word + "' is not a daemon action; say start, stop, restart or reload");
    }
}
