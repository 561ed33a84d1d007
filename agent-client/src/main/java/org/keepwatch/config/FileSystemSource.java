package org.keepwatch.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads configuration files from the local file system: regular files only, of a bounded size. A FIFO would block
 * the reader (and keepalived) until something writes to it, a device or a /proc file may never end, and a file of
 * gigabytes would fill the heap, so such a file is refused with what it is, never opened.
 */
public final class FileSystemSource implements FileSource {

    /** What the agent reads at most of one configuration file (MAX_CONFIG_FILE_BYTES, docs/protocol.md too_large). */
    public static final long DEFAULT_MAX_FILE_BYTES = 16L * 1024 * 1024;

    private final long maxFileBytes;

    public FileSystemSource() {
        this(DEFAULT_MAX_FILE_BYTES);
    }

    public FileSystemSource(long maxFileBytes) {
        if (maxFileBytes < 0 || maxFileBytes >= Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a file limit must fit in an array: " + maxFileBytes);
        }
        this.maxFileBytes = maxFileBytes;
    }

    @Override
    public FileRead read(String path) {
        Path file;
        BasicFileAttributes attributes;
        try {
            file = Path.of(path);
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new FileRead.Missing();
        } catch (IOException | RuntimeException e) {
            return new FileRead.Refused("cannot be read: " + e.getMessage());
        }
        if (!attributes.isRegularFile()) {
            return new FileRead.Refused(kind(file) + "; it is not read, since reading it could block for ever "
                + "(keepalived's reading would)");
        }
        if (attributes.size() > maxFileBytes) {
            return new FileRead.Refused(tooLarge(attributes.size() + " bytes"));
        }
        // The type was checked before opening (opening a FIFO waits for a writer). Reading one byte past the limit
        // catches a file that grew since, or one whose size says 0 (/proc, /sys).
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) maxFileBytes + 1);
            return bytes.length > maxFileBytes ? new FileRead.Refused(tooLarge("more than " + maxFileBytes + " bytes"))
                : new FileRead.Contents(bytes);
        } catch (NoSuchFileException e) {
            return new FileRead.Missing();
        } catch (IOException | RuntimeException e) {
            return new FileRead.Refused("cannot be read: " + e.getMessage());
        }
    }

    private String tooLarge(String size) {
        return "is " + size + ", more than the " + maxFileBytes + " bytes a configuration file may have here; it is not read";
    }

    /** "is a FIFO, not a regular file", ...: what a file that is not a regular file is, from its mode. */
    private static String kind(Path file) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(file, "unix:mode");
        } catch (IOException | RuntimeException e) {
            return "is not a regular file";
        }
        String kind = switch (mode & 0170000) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            case 0040000 -> "a directory";
            default -> "";
        };
        return kind.isEmpty() ? "is not a regular file" : "is " + kind + ", not a regular file";
    }

    @Override
    public boolean exists(String path) {
        try {
            return Files.exists(Path.of(path));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public List<String> list(String directory) {
        try (Stream<Path> entries = Files.list(Path.of(directory))) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public boolean isDirectory(String path) {
        try {
            return Files.isDirectory(Path.of(path));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
