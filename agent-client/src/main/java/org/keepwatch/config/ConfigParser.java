package org.keepwatch.config;

import java.nio.charset.StandardCharsets;

/**
 * Entry point: reads a configuration (a main file and its includes) from a {@link FileSource}.
 * Never throws on content; problems are in {@link ConfigDocument#diagnostics()}.
 */
public final class ConfigParser {
    private final FileSource source;
    private final ParseLimits limits;

    public ConfigParser(FileSource source, ParseLimits limits) {
        this.source = source;
        this.limits = limits;
    }

    /** Reads from the local file system with the default limits. */
    public ConfigParser() {
        this(new FileSystemSource(), ParseLimits.DEFAULT);
    }

    public ConfigDocument load(String mainPath) {
        return new ConfigDocument(mainPath, source, limits, new TreeBuilder(source, limits, true).build(mainPath));
    }

    /** Parses given bytes as the main file; includes are still resolved through the source. */
    public ConfigDocument parse(String path, byte[] bytes) {
        return new ConfigDocument(path, source, limits,
            new TreeBuilder(source, limits, true).build(new SourceFile(path, bytes)));
    }

    public ConfigDocument parse(String path, String text) {
        return parse(path, text.getBytes(StandardCharsets.UTF_8));
    }
}
