package org.keepwatch.push;

import org.keepwatch.agent.CheckResult;
import org.keepwatch.drafts.ConfigDraft;

import java.util.List;

/**
 * How a push of one node's edited files ended. A push is one apply on the node, however many files it changes:
 * checked together, written together, one reload and one health watch, and every file put back if it fails, so
 * {@code written} names the files applied when it was applied and is empty otherwise.
 */
public sealed interface PushOutcome {

    List<String> written();

    /** Every changed file applied (or already so); {@code draft} is the editor's draft on top of the node's new files. */
    record Applied(List<String> written, ConfigDraft draft, List<String> backups) implements PushOutcome {
    }

    /** keepalived -t refused the edit: nothing was written or signalled. */
    record Refused(List<String> written, String path, CheckResult check) implements PushOutcome {
    }

    /** The file changed on the node since it was read: its text there now, and its hash. */
    record Conflict(List<String> written, String path, String base, String mine, String theirs, String theirsSha256)
            implements PushOutcome {
    }

    /** Written and reloaded, but unhealthy: the agent put every previous file back and reloaded again ({@code path} names them). */
    record RolledBack(List<String> written, String path, String reason, boolean daemonAlive) implements PushOutcome {
    }

    /** Anything else (not connected, busy, a timeout, ...), in words that name the node and file. */
    record Failed(List<String> written, String path, String message) implements PushOutcome {
    }
}
