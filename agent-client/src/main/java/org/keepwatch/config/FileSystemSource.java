package org.keepwatch.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Reads configuration files from the local file system. */
public final class FileSystemSource implements FileSource {

    @Override
    public Optional<byte[]> read(String path) {
        try {
            Path file = Path.of(path);
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
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
