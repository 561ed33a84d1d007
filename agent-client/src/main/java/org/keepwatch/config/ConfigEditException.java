package org.keepwatch.config;

/** An edit that cannot be applied as asked (no such block, an ambiguous conditional line); the document is unchanged. */
public final class ConfigEditException extends RuntimeException {
    public ConfigEditException(String message) {
        super(message);
    }
}
