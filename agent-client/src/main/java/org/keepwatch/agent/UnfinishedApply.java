package org.keepwatch.agent;

import java.util.List;
import java.util.Optional;

/**
 * An apply on the node whose agent ended between its first rename and its end (killed, crashed, the node lost
 * power), as the next session's {@code hello} reports it: keepalived may not run what is on disk, and nothing
 * checked its health. It stays reported until an apply or restore of that daemon finishes (docs/protocol.md).
 *
 * @param onDisk  {@code new}, {@code old}, {@code mixed} or {@code other}: which version of the files is on disk now
 * @param cleared nothing was changed on disk (every file is the old one): reported this once, nothing to do
 * @param outcome set when the apply ended but left a file unchecked on disk ({@code rollback_failed}, {@code failed})
 */
public record UnfinishedApply(String daemon, Optional<String> config, String op, Optional<String> user,
                              Optional<String> time, Optional<String> reason, List<File> files, String onDisk,
                              boolean cleared, Optional<String> outcome) {

    /** One file of that apply and which of its versions is on disk now ({@code new}, {@code old}, {@code other}, ...). */
    public record File(String path, String oldSha256, String newSha256, Optional<String> backup, String onDisk) {
    }

    public UnfinishedApply {
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** In words, for the node's status: what was cut short, what is on disk, and the way out. */
    public String describe() {
        String names = String.join(", ", files.stream().map(File::path).toList());
        String by = user.map(u -> " by " + u).orElse("") + time.map(t -> " at " + t).orElse("");
        String disk = switch (onDisk) {
            case "new" -> "the new version is on disk";
            case "old" -> "the old version is on disk";
            case "mixed" -> "some files are new on disk, some old ("
                    + String.join(", ", files.stream().map(f -> f.path() + ": " + f.onDisk()).toList()) + ")";
            default -> "the files on disk are neither the old nor the new version";
        };
        String how = outcome.map(o -> "ended with " + o).orElse("was cut short before keepalived was reloaded and checked");
        List<String> backups = files.stream().flatMap(f -> f.backup().stream()).toList();
        return "unfinished " + op + " of " + names + " (daemon " + daemon + ")" + by + ": it " + how + "; " + disk
                + ", and keepalived may not run it. Apply again (the same text will do) to reload and check it"
                + (backups.isEmpty() ? "" : ", or restore the backup " + String.join(", ", backups));
    }
}
