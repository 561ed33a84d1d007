package org.keepwatch.app.services.config;

import org.keepwatch.agent.CheckResult;

import java.util.List;

/**
 * How a push of one node's edited files ended. {@code written} names the files applied before the end
 * (a push of several files goes one file at a time; each one was checked, written, reloaded and found
 * healthy on its own).
 */
public sealed interface PushOutcome {

    List<String> written();

    /** Every changed file applied (or already so); {@code draft} is the editor's draft on top of the node's new files. */
    record Applied(List<String> written, ConfigDraft draft, List<String> backups) implements PushOutcome {
    }

    /** keepalived -t refused a file: nothing of it was written or signalled. */
    record Refused(List<String> written, String path, CheckResult check) implements PushOutcome {
    }

    /** The file changed on the node since it was read: its text there now, and its hash. */
    record Conflict(List<String> written, String path, String base, String mine, String theirs, String theirsSha256)
            implements PushOutcome {
    }

    /** Written and reloaded, but unhealthy: the agent put the previous file back and reloaded again. */
    record RolledBack(List<String> written, String path, String reason, boolean daemonAlive) implements PushOutcome {
    }

    /** Anything else (not connected, busy, a timeout, ...), in words that name the node and file. */
    record Failed(List<String> written, String path, String message) implements PushOutcome {
    }
}
