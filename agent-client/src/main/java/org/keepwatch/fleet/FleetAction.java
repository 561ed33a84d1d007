package org.keepwatch.fleet;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import org.keepwatch.agent.Operator;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An action an operator carried out on the fleet through Keepwatch, as the service that carried it out tells its
 * {@link FleetJournal}: who (the local user and workstation), what, on which node and daemon, the diff pushed, each
 * step the agent reported and how it ended.
 *
 * @param what    in words: "push /etc/keepalived/keepalived.conf", "restart keepalived"
 * @param written the files as they are now on the node when the action wrote any (its new configuration version)
 */
public record FleetAction(Instant at, Kind kind, String node, String daemon, Optional<RouterKey> router, Operator operator,
                          String what, String reason, String diff, List<String> steps, boolean succeeded, String outcome,
                          List<FileVersion> written) {

    public enum Kind { PUSH, RESTORE, DAEMON }

    /** One file of a daemon's configuration as it stands on a node. */
    public record FileVersion(String path, String sha256, String text) {
        public FileVersion {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(text, "text");
        }
    }

    public FleetAction {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(node, "node");
        daemon = daemon == null ? "" : daemon;
        router = router == null ? Optional.empty() : router;
        Objects.requireNonNull(operator, "operator");
        what = what == null ? "" : what;
        reason = reason == null ? "" : reason;
        diff = diff == null ? "" : diff;
        steps = List.copyOf(steps);
        outcome = outcome == null ? "" : outcome;
        written = List.copyOf(written);
    }

    /** A unified diff of one file's two texts, as a push or a hand edit is shown in the history ("" when equal). */
    public static String unifiedDiff(String path, String before, String after, String beforeLabel, String afterLabel) {
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        return String.join("\n", UnifiedDiffUtils.generateUnifiedDiff(path + " " + beforeLabel, path + " " + afterLabel, a,
                DiffUtils.diff(a, b), 3));
    }
}
