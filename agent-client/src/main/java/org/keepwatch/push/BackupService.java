package org.keepwatch.push;

import org.keepwatch.agent.AgentSession;
import org.keepwatch.agent.BackupList;
import org.keepwatch.agent.BackupText;
import org.keepwatch.agent.ConfigFiles;
import org.keepwatch.agent.ConfigOps;
import org.keepwatch.drafts.EditTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A daemon's configuration backups through its node's agent: every file of its configuration (the main file and
 * its includes) with the backups the agent keeps of it, and any backup's text to compare. Reads only; putting a
 * backup back is a push ({@link PushService#restore}). Futures complete on the I/O executor.
 */
public final class BackupService {

    /** One file of the daemon's configuration as it is now, and its backups, newest first. */
    public record FileBackups(String path, String role, String liveText, String liveSha256, int keep, List<BackupList.Entry> backups) {

        public FileBackups {
            backups = List.copyOf(backups);
        }

        public Optional<BackupList.Entry> backup(String name) {
            return backups.stream().filter(b -> b.name().equals(name)).findFirst();
        }
    }

    /** Every file of one daemon's configuration with its backups, the main file first. */
    public record NodeBackups(EditTarget target, String mainPath, List<FileBackups> files) {

        public NodeBackups {
            files = List.copyOf(files);
        }

        public Optional<FileBackups> file(String path) {
            return files.stream().filter(f -> f.path().equals(path)).findFirst();
        }

        /** The file a backup of that name belongs to (names are unique per file, and in practice per daemon). */
        public Optional<FileBackups> fileOf(String backup) {
            return files.stream().filter(f -> f.backup(backup).isPresent()).findFirst();
        }

        public int count() {
            return files.stream().mapToInt(f -> f.backups().size()).sum();
        }
    }

    private final NodeAgents agents;
    private final Executor io;

    public BackupService(NodeAgents agents, Executor io) {
        this.agents = agents;
        this.io = io;
    }

    /** The daemon's files as read now and each one's backups. */
    public CompletableFuture<NodeBackups> list(EditTarget target) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        ConfigOps ops = new ConfigOps(session.get());
        return ops.read(target.daemon()).thenComposeAsync(files -> {
            List<CompletableFuture<FileBackups>> each = new ArrayList<>();
            for (ConfigFiles.File file : files.files()) {
                each.add(ops.backups(target.daemon(), Optional.of(file.path())).thenApply(list ->
                        new FileBackups(file.path(), file.role(), file.text(), file.sha256(), list.keep(), list.backups())));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                    .thenApply(done -> new NodeBackups(target, files.main(), each.stream().map(CompletableFuture::join).toList()));
        }, io).exceptionallyCompose(e -> CompletableFuture.failedFuture(
                NodeConfigService.explained(target, "listing the configuration backups", e)));
    }

    /** One backup's text ({@code path}: the file it is a backup of). */
    public CompletableFuture<BackupText> read(EditTarget target, String path, String name) {
        Optional<AgentSession> session = agents.session(target.node());
        if (session.isEmpty()) {
            return CompletableFuture.failedFuture(notConnected(target));
        }
        return new ConfigOps(session.get()).backup(target.daemon(), Optional.of(path), name)
                .thenApplyAsync(text -> text, io)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        NodeConfigService.explained(target, "reading backup " + name + " of " + path, e)));
    }

    private static IllegalStateException notConnected(EditTarget target) {
        return new IllegalStateException(target.node() + " is not connected: its agent must be online to list or read "
                + "its configuration backups");
    }
}
