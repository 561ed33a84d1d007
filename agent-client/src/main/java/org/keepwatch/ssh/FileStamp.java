package org.keepwatch.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * One version of a file, as far as the file system tells: inode (or the path where there is none), size and
 * modification time. A cache keyed by it reads the file again when it is replaced (a new inode), grows or
 * shrinks, or is written in place.
 */
record FileStamp(Object fileKey, long size, FileTime modified) {

    /** The file's current stamp; {@link java.nio.file.NoSuchFileException} when it does not exist. */
    static FileStamp of(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return new FileStamp(Objects.requireNonNullElse(a.fileKey(), file), a.size(), a.lastModifiedTime());
    }
}
