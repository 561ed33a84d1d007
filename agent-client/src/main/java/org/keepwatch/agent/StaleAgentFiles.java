package org.keepwatch.agent;

import org.keepwatch.ssh.RemoteFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes what earlier agent versions left in {@link AgentScript#REMOTE_DIRECTORY} on a node: each version is its
 * own file (~170 KB) with its compiled-code cache beside it (~260 KB), and nothing else ever deletes them. Runs after
 * a deploy, so once per new version per node. Only files of other versions untouched for {@link #KEEP_FOR} go: a
 * colleague's older Keepwatch may still use its version, and would only deploy it again. Temporary files left by an
 * interrupted upload or cache write go after the same time, whatever their version.
 */
final class StaleAgentFiles {

    private static final Logger log = LoggerFactory.getLogger(StaleAgentFiles.class);
    static final Duration KEEP_FOR = Duration.ofDays(30);
    /** agent-HASH.py, its cache agent-HASH.TAG.kwc, and the temporary files of an upload or a cache write cut short. */
    private static final Pattern AGENT_FILE = Pattern.compile(
            "agent-([0-9a-f]{" + AgentScript.NAME_HASH_CHARS + "})\\.(py|[A-Za-z0-9_-]+\\.kwc)(\\.tmp-[0-9a-f]+|\\.[0-9]+\\.tmp)?");

    private StaleAgentFiles() {
    }

    /** Removes the stale files and returns their names; failures are logged, never thrown (this is tidying). */
    static List<String> prune(RemoteFiles files, AgentScript current, Clock clock) {
        List<String> removed = new ArrayList<>();
        String keep = current.sha256().substring(0, AgentScript.NAME_HASH_CHARS);
        Instant cutoff = clock.instant().minus(KEEP_FOR);
        try {
            for (RemoteFiles.Listed entry : files.list(AgentScript.REMOTE_DIRECTORY)) {
                var m = AGENT_FILE.matcher(entry.name());
                boolean otherVersionOrLeftover = m.matches() && (!m.group(1).equals(keep) || m.group(3) != null);
                if (entry.regularFile() && otherVersionOrLeftover && entry.modified().isBefore(cutoff)) {
                    String path = AgentScript.REMOTE_DIRECTORY + "/" + entry.name();
                    try {
                        files.remove(path);
                        removed.add(entry.name());
                    } catch (IOException e) {
                        log.debug("could not remove the stale agent file {}: {}", path, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            log.debug("could not list {}: {}", AgentScript.REMOTE_DIRECTORY, e.getMessage());
        }
        return removed;
    }
}
