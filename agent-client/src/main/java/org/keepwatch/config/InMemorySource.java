package org.keepwatch.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Configuration files held in memory, keyed by absolute POSIX path: what an agent's config.read returns. */
public final class InMemorySource implements FileSource {
    private final TreeMap<String, byte[]> files;

    public InMemorySource(Map<String, byte[]> files) {
        this.files = new TreeMap<>(files);
    }

    @Override
    public FileRead read(String path) {
        return FileRead.of(Optional.ofNullable(files.get(PosixPaths.normalize(path))));
    }

    @Override
    public List<String> list(String directory) {
        String prefix = directory.endsWith("/") ? directory : directory + "/";
        return files.subMap(prefix, prefix + Character.MAX_VALUE).keySet().stream()
            .map(p -> p.substring(prefix.length()))
            .map(rest -> rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest)
            .distinct()
            .sorted()
            .toList();
    }

    @Override
    public boolean isDirectory(String path) {
        String prefix = path.endsWith("/") ? path : path + "/";
        String next = files.ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }
}
