package org.keepwatch.cli;

/** The exit statuses of the commands that act on nodes (drain, daemon, restore, ...); README lists them. */
final class ActionExit {
    /** Done, and seen done (the state the action promised was observed). */
    static final int DONE = 0;
    /** Tried and failed, or done but not seen done in time: the message says which step and where. */
    static final int FAILED = 1;
    /** Refused before anything was done: a guard said no, or the operator did not confirm. */
    static final int REFUSED = 2;
    /** Nothing could be done: no fleet file, or a node named could not be reached. */
    static final int UNREACHABLE = 3;

    private ActionExit() {
    }
}
