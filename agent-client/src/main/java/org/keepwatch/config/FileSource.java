package org.keepwatch.config;

import java.util.List;

/**
 * Where configuration files come from: the local disk, or the texts an agent sent from a node.
 * Paths are POSIX strings because keepalived runs on Linux whatever the workstation is.
 */
public interface FileSource {

    /** The file's bytes, or that there is none, or why what is there was not read. */
    FileRead read(String path);

    /** Names of the entries of a directory, sorted; empty if it is not a readable directory. */
    List<String> list(String directory);

    boolean isDirectory(String path);

    /**
     * Whether anything is at the path, a file of any kind or a directory: what glob(3) matches for a name without
     * wildcards, so that an include naming a FIFO is reported as refused rather than as matching nothing.
     */
    default boolean exists(String path) {
        return !(read(path) instanceof FileRead.Missing) || isDirectory(path);
    }
}
