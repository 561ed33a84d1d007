package org.keepwatch.config;

/**
 * Bounds that keep any input, however hostile, to a bounded amount of work and memory.
 * Exceeding one is reported as a diagnostic, never as an exception.
 */
public record ParseLimits(int maxLineBytes, int maxWordsPerStatement, int maxNesting, int maxIncludeDepth,
                          int maxFiles, long maxTotalBytes) {

    /** keepalived reads lines through a 64 KiB buffer (parser.c MAXBUF is far smaller for values). */
    public static final ParseLimits DEFAULT = new ParseLimits(64 * 1024, 4096, 64, 32, 10_000, 256L * 1024 * 1024);
}
