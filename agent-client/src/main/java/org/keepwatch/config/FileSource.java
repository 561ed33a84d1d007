package org.keepwatch.config;

import java.util.List;
import java.util.Optional;

/**
 * Where configuration files come from: the local disk, or the texts an agent sent from a node.
 * Paths are POSIX strings because keepalived runs on Linux whatever the workstation is.
 */
public interface FileSource {

    /** The file's bytes, or empty if it does not exist or cannot be read. */
    Optional<byte[]> read(String path);

    /** Names of the entries of a directory, sorted; empty if it is not a readable directory. */
    List<String> list(String directory);

    boolean isDirectory(String path);
}
