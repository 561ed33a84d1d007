package org.keepwatch.ssh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * known_hosts files as last read, shared by the connections of one {@link SshConnector}. A file is read again
 * only when its inode, size or modification time changes, so a key another connection has just saved counts
 * at once, while a fleet's hundred connections do not each re-read and re-hash the same lines.
 */
final class KnownHostsCache {

    private static final Logger log = LoggerFactory.getLogger(KnownHostsCache.class);
    /** Host names remembered per file version; a fleet has one per node (and per jump host). */
    private static final int NAMES_PER_FILE = 10_000;

    private record Version(FileStamp stamp, List<KnownHostsFile.Entry> lines, Map<String, List<KnownHostsFile.Entry>> byName) {
    }

    private final Map<Path, Version> files = new ConcurrentHashMap<>();

    /** The usable lines of {@code file} about {@code name} ({@code host} or {@code [host]:port}). */
    List<KnownHostsFile.Entry> entriesFor(Path file, String name) {
        Optional<FileStamp> stamp = stamp(file);
        if (stamp.isEmpty()) {
            files.remove(file);
            return List.of();
        }
        Version version = files.compute(file, (path, old) -> old != null && old.stamp().equals(stamp.get())
                ? old : new Version(stamp.get(), KnownHostsFile.read(path), new ConcurrentHashMap<>()));
        List<KnownHostsFile.Entry> known = version.byName().get(name);
        if (known != null) {
            return known;
        }
        List<KnownHostsFile.Entry> matching = version.lines().stream().filter(e -> KnownHostsFile.appliesTo(e, name)).toList();
        if (version.byName().size() < NAMES_PER_FILE) {
            version.byName().put(name, matching);
        }
        return matching;
    }

    private static Optional<FileStamp> stamp(Path file) {
        try {
            return Optional.of(FileStamp.of(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("Cannot read known hosts file {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }
}
